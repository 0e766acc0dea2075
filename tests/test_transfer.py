"""Swift to Swift: objects and prefixes copied between two real clusters, and between
two accounts of one cluster (client/transfers/transfer.py, client/large/relay.py).

The second cluster (``other_swift``) is a LocalSwift of its own, started once for this
module, with a ``max_file_size`` of 2 MiB so that a plain object bigger than that
must become a large object on the way.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_swift.client import (
    AuthOptions,
    RetryPolicy,
    SwiftChecksumError,
    SwiftClient,
    SwiftServerError,
    TransportOptions,
)
from airflow_provider_swift.client.large.reads import large_object_kind
from airflow_provider_swift.client.transfers.transfer import (
    Transfer,
    cluster_and_account,
    transfer_options,
)
from airflow_provider_swift.testing.pytest_plugin import (
    client_for,
    connection_json,
    empty_container,
)
from airflow_provider_swift.testing.server import LocalSwift
from tests.faultproxy import Fault, fault_proxy

KIB, MIB = 1024, 1024**2
OTHER_MAX_FILE_SIZE = 2 * MIB


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@pytest.fixture(scope="module")
def other_swift() -> Iterator[LocalSwift]:
    """A second cluster, with a smaller ``max_file_size`` than the first."""
    with LocalSwift(constraints={"max_file_size": OTHER_MAX_FILE_SIZE}) as swift:
        yield swift


def quick_client(auth_url: str, swift: LocalSwift) -> SwiftClient:
    return SwiftClient.connect(
        AuthOptions(auth_url=auth_url, username=swift.user.login, password=swift.user.key),
        TransportOptions(retry=RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.05)),
    )


@pytest.fixture
def source(local_swift: LocalSwift) -> Iterator[SwiftClient]:
    client = client_for(local_swift)
    yield client
    client.close()


@pytest.fixture
def dest(other_swift: LocalSwift) -> Iterator[SwiftClient]:
    client = client_for(other_swift)
    yield client
    client.close()


def _container(client: SwiftClient) -> Iterator[str]:
    name = f"xfer-{uuid.uuid4().hex[:10]}"
    client.put_container(name)
    yield name
    for container in (name, f"{name}_segments"):
        empty_container(client, container)


@pytest.fixture
def source_container(source: SwiftClient) -> Iterator[str]:
    yield from _container(source)


@pytest.fixture
def dest_container(dest: SwiftClient) -> Iterator[str]:
    yield from _container(dest)


@pytest.fixture
def no_temp_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any temporary file made while the test runs fails it."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a temporary file was created")

    for name in ("SpooledTemporaryFile", "NamedTemporaryFile", "TemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, refuse)


def upload_slo(client: SwiftClient, container: str, name: str, data: bytes, tmp: Path) -> str:
    path = tmp / f"{uuid.uuid4().hex}.bin"
    path.write_bytes(data)
    return client.upload_file(container, name, path, segment_size=256 * KIB).etag


def read(client: SwiftClient, container: str, name: str) -> bytes:
    return client.get_object(container, name)[1]


def test_cluster_and_account_split_a_storage_url() -> None:
    assert cluster_and_account("http://127.0.0.1:8080/v1/AUTH_test") == (
        "http://127.0.0.1:8080/v1",
        "AUTH_test",
    )
    assert cluster_and_account("HTTPS://Swift.Example:443/v1/AUTH_a%20b/") == (
        "https://swift.example:443/v1",
        "AUTH_a b",
    )


def test_unknown_option_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown transfer option"):
        transfer_options({"if_exist": "replace"})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(ValueError, match="if_exists"):
        transfer_options({"if_exists": "fail"})  # type: ignore[typeddict-item]


@pytest.mark.usefixtures("no_temp_files")
def test_plain_object_is_streamed_across_clusters_with_its_headers(
    source: SwiftClient, dest: SwiftClient, source_container: str, dest_container: str
) -> None:
    data = os.urandom(MIB + 17)
    source.put_object(
        source_container,
        "a/b.csv",
        data,
        content_type="text/csv",
        metadata={"Owner": "lake", "Note": "ünïcode"},
        headers={"Content-Disposition": 'attachment; filename="b.csv"'},
    )
    transfer = Transfer(source, dest)
    result = transfer.copy_object(source_container, "a/b.csv", dest_container, "c.csv")
    assert result.method == "streamed"
    assert result.etag == md5(data) and result.bytes == len(data)
    headers, body = dest.get_object(dest_container, "c.csv")
    assert body == data
    assert headers["content-type"] == "text/csv"
    assert headers["x-object-meta-owner"] == "lake"
    assert headers["x-object-meta-note"] == "ünïcode"
    assert headers["content-disposition"] == 'attachment; filename="b.csv"'


@pytest.mark.usefixtures("no_temp_files")
def test_large_object_is_streamed_segment_for_segment_with_the_same_etag(
    source: SwiftClient,
    dest: SwiftClient,
    source_container: str,
    dest_container: str,
    tmp_path: Path,
) -> None:
    data = os.urandom(MIB + 100 * KIB)
    etag = upload_slo(source, source_container, "big", data, tmp_path)  # from a file: no spool
    result = Transfer(source, dest).copy_object(source_container, "big", dest_container, "big")
    assert (result.method, result.large_object, result.segments) == ("streamed", "slo", 5)
    assert result.etag == etag  # the MD5 of the same segment MD5s
    assert result.segments_sent == 5
    assert large_object_kind(dest.head_object(dest_container, "big")) == "slo"
    assert read(dest, dest_container, "big") == data


def test_plain_object_bigger_than_the_destination_takes_becomes_a_large_object(
    source: SwiftClient, dest: SwiftClient, source_container: str, dest_container: str
) -> None:
    data = os.urandom(OTHER_MAX_FILE_SIZE + MIB)
    source.put_object(source_container, "huge", data)
    result = Transfer(source, dest).copy_object(source_container, "huge", dest_container, "huge")
    assert (result.method, result.large_object) == ("streamed", "slo")
    assert result.segments == 2 and result.bytes == len(data)
    assert read(dest, dest_container, "huge") == data


def test_corrupted_source_bytes_fail_the_transfer_and_store_nothing(
    local_swift: LocalSwift,
    source: SwiftClient,
    dest: SwiftClient,
    source_container: str,
    dest_container: str,
) -> None:
    """A disk flipped a byte of the source: Swift serves it with the old ETag; the
    relay sees the MD5 differ before the last byte leaves, so nothing is stored."""
    source.put_object(source_container, "rotten", os.urandom(300 * KIB))
    local_swift.corrupt_object(source_container, "rotten")
    with pytest.raises(SwiftChecksumError, match="MD5"):
        Transfer(source, dest).copy_object(source_container, "rotten", dest_container, "rotten")
    assert dest.head_or_none(dest_container, "rotten") is None


def test_lost_put_reply_is_retried_from_a_fresh_get(
    other_swift: LocalSwift, source: SwiftClient, source_container: str, dest_container: str
) -> None:
    """The destination stored the object but its reply was lost: the PUT is sent
    again, its body rewound by GETting the source again, and the transfer succeeds."""
    data = os.urandom(700 * KIB)
    source.put_object(source_container, "obj", data)
    with fault_proxy(other_swift.proxy_url) as proxy:
        proxy.inject(Fault(method="PUT", path=f"/{dest_container}/obj$", drop_response=True))
        dest = quick_client(f"{proxy.url}/auth/v1.0", other_swift)
        source.transport.sent.clear()
        result = Transfer(source, dest).copy_object(source_container, "obj", dest_container, "obj")
        assert proxy.count("PUT", f"/{dest_container}/obj$") == 2
        dest.close()
    assert result.etag == md5(data)
    assert source.transport.sent["GET"] == 2  # one GET per PUT attempt
    assert read(client_for(other_swift), dest_container, "obj") == data


def test_failed_large_object_transfer_resumes_with_the_missing_segments(
    other_swift: LocalSwift,
    source: SwiftClient,
    dest: SwiftClient,
    source_container: str,
    dest_container: str,
    tmp_path: Path,
) -> None:
    """Segment 3 cannot be stored (503 on every attempt): the transfer fails, keeps
    the segments stored, and a retry (a task retry) sends only the others."""
    data = os.urandom(5 * 256 * KIB)
    etag = upload_slo(source, source_container, "resumed", data, tmp_path)
    with fault_proxy(other_swift.proxy_url) as proxy:
        proxy.inject(Fault(method="PUT", path=r"/resumed/slo/.*/00000003$", status=503, times=3))
        behind = quick_client(f"{proxy.url}/auth/v1.0", other_swift)
        with pytest.raises(SwiftServerError):
            Transfer(source, behind).copy_object(
                source_container, "resumed", dest_container, "resumed", segment_threads=1
            )
        behind.close()
    assert dest.head_or_none(dest_container, "resumed") is None
    kept = len(list(dest.iter_objects(f"{dest_container}_segments", prefix="resumed/")))
    assert kept >= 3  # 0, 1, 2 (and 4, if it started before the failure was seen)
    result = Transfer(source, dest).copy_object(
        source_container, "resumed", dest_container, "resumed", segment_threads=1
    )
    assert (result.etag, result.segments, result.segments_sent) == (etag, 5, 5 - kept)
    assert read(dest, dest_container, "resumed") == data


def test_prefix_transfer_then_unchanged_rerun_is_decided_by_listings(
    source: SwiftClient,
    dest: SwiftClient,
    source_container: str,
    dest_container: str,
    tmp_path: Path,
) -> None:
    """A prefix with plain objects, an SLO and a zero-byte object: copied under a new
    prefix; run again, everything is skipped -- with one listing of each side and a
    HEAD of both for the zero-byte object, nothing else."""
    files = {f"in/{i:02d}.txt": os.urandom(1000 + i) for i in range(12)}
    for name, data in files.items():
        source.put_object(source_container, name, data)
    source.put_object(source_container, "in/empty", b"")
    slo = os.urandom(600 * KIB)
    upload_slo(source, source_container, "in/slo", slo, tmp_path)
    source.put_object(source_container, "out/not-this", b"x")
    transfer = Transfer(source, dest)

    first = transfer.copy_prefix(source_container, "in/", dest_container, "mirror/")
    summary = first.summary()
    assert summary["objects"] == 14 and summary["counts"] == {"streamed": 14}
    for name, data in files.items():
        assert read(dest, dest_container, "mirror/" + name[3:]) == data
    assert read(dest, dest_container, "mirror/slo") == slo
    assert read(dest, dest_container, "mirror/empty") == b""

    source.transport.sent.clear()
    dest.transport.sent.clear()
    again = transfer.copy_prefix(source_container, "in/", dest_container, "mirror/")
    assert again.summary()["counts"] == {"skipped": 14}
    # one listing each (a page, then the empty page that ends it), one HEAD each
    assert source.transport.sent == {"GET": 2, "HEAD": 1}
    assert dest.transport.sent == {"GET": 2, "HEAD": 1}

    # one object changes: only it is copied
    files["in/03.txt"] = os.urandom(999)
    source.put_object(source_container, "in/03.txt", files["in/03.txt"])
    third = transfer.copy_prefix(source_container, "in/", dest_container, "mirror/")
    assert third.summary()["counts"] == {"skipped": 13, "streamed": 1}
    assert read(dest, dest_container, "mirror/03.txt") == files["in/03.txt"]


def test_same_cluster_other_account_copies_server_side_when_allowed(
    local_swift: LocalSwift, source: SwiftClient, source_container: str
) -> None:
    """Accounts ``test`` -> ``test2`` of one cluster: with read access to the source
    container the copy is server-side (``X-Copy-From-Account``; no GET by this
    process); without it (403) the object is streamed instead."""
    other = client_for(local_swift, login="test2:tester2", key="testing2")
    target = f"xfer-{uuid.uuid4().hex[:10]}"
    try:
        data = os.urandom(200 * KIB)
        source.put_object(source_container, "shared", data)
        other.put_container(target)
        transfer = Transfer(source, other)
        assert transfer.same_cluster() and transfer.source_account() == "AUTH_test"

        streamed = transfer.copy_object(source_container, "shared", target, "streamed")
        assert streamed.method == "streamed"  # test2 may not read test's container yet

        source.post_container(source_container, headers={"X-Container-Read": "test2:tester2"})
        source.transport.sent.clear()
        other.transport.sent.clear()
        copied = transfer.copy_object(source_container, "shared", target, "copied")
        assert copied.method == "server-side" and copied.etag == md5(data)
        assert "GET" not in source.transport.sent and "GET" not in other.transport.sent
        assert read(other, target, "copied") == data == read(other, target, "streamed")
    finally:
        empty_container(other, target)
        other.close()


def test_same_account_large_object_is_copied_server_side(
    source: SwiftClient, source_container: str, tmp_path: Path
) -> None:
    data = os.urandom(700 * KIB)
    etag = upload_slo(source, source_container, "slo", data, tmp_path)
    result = Transfer(source, source).copy_object(source_container, "slo", source_container, "c")
    assert (result.method, result.large_object, result.etag) == ("server-side", "slo", etag)
    assert read(source, source_container, "c") == data


def test_identical_object_is_skipped_and_replace_copies_again(
    source: SwiftClient, dest: SwiftClient, source_container: str, dest_container: str
) -> None:
    source.put_object(source_container, "same", b"bytes")
    transfer = Transfer(source, dest)
    assert transfer.copy_object(source_container, "same", dest_container, "same").method == (
        "streamed"
    )
    assert transfer.copy_object(source_container, "same", dest_container, "same").method == (
        "skipped"
    )
    again = transfer.copy_object(
        source_container, "same", dest_container, "same", if_exists="replace"
    )
    assert again.method == "streamed"


def test_operator_copies_a_prefix_between_connections_and_summarizes_past_the_threshold(
    local_swift: LocalSwift,
    other_swift: LocalSwift,
    source: SwiftClient,
    dest: SwiftClient,
    source_container: str,
    dest_container: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from airflow_provider_swift.operators import SwiftToSwiftOperator

    monkeypatch.setenv("AIRFLOW_CONN_SWIFT_SOURCE", connection_json(local_swift))
    monkeypatch.setenv("AIRFLOW_CONN_SWIFT_LAKE", connection_json(other_swift))
    for i in range(3):
        source.put_object(source_container, f"day/{i}.csv", f"row {i}\n")
    prefix = SwiftToSwiftOperator(
        task_id="mirror",
        swift_conn_id="swift_source",
        dest_swift_conn_id="swift_lake",
        source_container=source_container,
        source_prefix="day/",
        dest_container=dest_container,
        dest_prefix="copy/",
        report_threshold=2,
    )
    result = prefix.execute({})
    summary = {
        "objects": 3,
        "counts": {"streamed": 3},
        "bytes": {"streamed": 18},
        "examples": {"streamed": [f"/{dest_container}/copy/{i}.csv" for i in range(3)]},
    }
    report = {"container": f"{dest_container}_reports", "name": "dag/run/task.json"}
    assert result == {**summary, "report": report}
    written = json.loads(read(dest, report["container"], report["name"]))
    assert written["summary"] == summary
    assert [o["destination"] for o in written["objects"]] == summary["examples"]["streamed"]
    empty_container(dest, report["container"])
    assert read(dest, dest_container, "copy/2.csv") == b"row 2\n"

    one = SwiftToSwiftOperator(
        task_id="one",
        swift_conn_id="swift_source",
        dest_swift_conn_id="swift_lake",
        source_container=source_container,
        source_name="day/1.csv",
        dest_container=dest_container,
        dest_name="copy/1.csv",
    )
    assert one.execute({})["method"] == "skipped"


def test_operator_wants_a_name_or_a_prefix() -> None:
    from airflow_provider_swift.operators import SwiftToSwiftOperator

    with pytest.raises(ValueError, match="source_name or source_prefix"):
        SwiftToSwiftOperator(
            task_id="t", dest_swift_conn_id="x", source_container="a", dest_container="b"
        )
