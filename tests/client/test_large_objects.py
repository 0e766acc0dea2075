"""Large objects against the real local Swift: SLO/DLO uploads, verification, lifecycle."""

from __future__ import annotations

import io
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_swift.client import (
    AuthOptions,
    RetryPolicy,
    SwiftChecksumError,
    SwiftClient,
    SwiftNotFoundError,
    SwiftPreconditionFailedError,
    SwiftServerError,
    SwiftUnverifiedError,
    SwiftValidationError,
    TransportOptions,
)
from airflow_provider_swift.testing.pytest_plugin import SwiftAPIServer, client_for, empty_container
from airflow_provider_swift.testing.server import LocalSwift
from tests.faultproxy import Fault, FaultProxy, auth_url_behind

KIB = 1024
MIB = 1024 * KIB


def make_file(path: Path, size: int, seed: int = 0) -> Path:
    block = bytes((i * 7 + seed) % 251 for i in range(64 * KIB))
    with open(path, "wb") as handle:
        written = 0
        while written < size:
            chunk = block[: size - written]
            handle.write(chunk)
            written += len(chunk)
    return path


def segment_names(client: SwiftClient, container: str) -> list[str]:
    try:
        return [e["name"] for e in client.iter_objects(f"{container}_segments")]
    except SwiftNotFoundError:
        return []


@pytest.fixture
def container(swift_client: SwiftClient, swift_container: str) -> Iterator[str]:
    yield swift_container
    empty_container(swift_client, f"{swift_container}_segments")


@pytest.mark.parametrize("kind", ["slo", "dlo"])
def test_multi_segment_round_trip(
    swift_client: SwiftClient, container: str, tmp_path: Path, kind: str
) -> None:
    source = make_file(tmp_path / "big.bin", 3 * 256 * KIB + 1000)
    result = swift_client.upload_file(
        container, "big.bin", source, segment_size=256 * KIB, large_object=kind
    )
    assert (result.large_object, result.segments, result.segments_uploaded) == (kind, 4, 4)
    headers = swift_client.head_object(container, "big.bin")
    if kind == "slo":
        assert headers["x-static-large-object"] == "True"
    else:
        assert headers["x-object-manifest"].startswith(f"{container}_segments/big.bin/dlo/")
    assert headers["etag"].strip('"') == result.etag
    assert [e["name"] for e in swift_client.iter_objects(container)] == ["big.bin"]
    assert len(segment_names(swift_client, container)) == 4
    target = tmp_path / "copy.bin"
    downloaded = swift_client.download_object(container, "big.bin", target)
    assert target.read_bytes() == source.read_bytes()
    assert downloaded.verified == "segments"
    assert swift_client.get_object(container, "big.bin")[1] == source.read_bytes()


def test_small_file_is_one_put(swift_client: SwiftClient, container: str, tmp_path: Path) -> None:
    source = make_file(tmp_path / "small", 1000)
    result = swift_client.upload_file(container, "small", source, segment_size=256 * KIB)
    assert result.large_object is None and result.segments == 0
    assert segment_names(swift_client, container) == []


def test_segment_size_is_derived_from_the_clusters_limits(tmp_path: Path) -> None:
    with LocalSwift(constraints={"max_file_size": 512 * KIB}) as swift:
        client = client_for(swift)
        client.put_container("c")
        source = make_file(tmp_path / "f", 1200 * KIB)
        result = client.upload_file("c", "f", source)
        assert (result.large_object, result.segments) == ("slo", 3)  # 512 KiB segments
        assert client.get_object("c", "f")[1] == source.read_bytes()
        with pytest.raises(SwiftValidationError, match="max_file_size"):
            client.upload_file("c", "g", source, segment_size=600 * KIB)


def test_overwrite_retires_unreferenced_segments(
    swift_client: SwiftClient, container: str, tmp_path: Path
) -> None:
    five = make_file(tmp_path / "five", 5 * 128 * KIB)
    swift_client.upload_file(container, "obj", five, segment_size=128 * KIB)
    assert len(segment_names(swift_client, container)) == 5
    two = make_file(tmp_path / "two", 2 * 128 * KIB, seed=3)
    swift_client.upload_file(container, "obj", two, segment_size=128 * KIB)
    remaining = segment_names(swift_client, container)
    assert len(remaining) == 2
    assert {s.name for s in swift_client.segments_of(container, "obj") or []} == set(remaining)
    assert swift_client.get_object(container, "obj")[1] == two.read_bytes()


def test_overwrite_with_a_plain_object_retires_all_segments(
    swift_client: SwiftClient, container: str, tmp_path: Path
) -> None:
    swift_client.upload_file(
        container, "obj", make_file(tmp_path / "a", 300 * KIB), segment_size=128 * KIB
    )
    swift_client.upload_file(container, "obj", make_file(tmp_path / "b", 10 * KIB))
    assert segment_names(swift_client, container) == []


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param("History", marks=pytest.mark.server_limitation("rgw", "history-location")),
        "Versions",
    ],
)
def test_versioned_container_keeps_old_segments_and_old_version_downloads(
    swift_client: SwiftClient, container: str, tmp_path: Path, mode: str
) -> None:
    archive = f"{container}-history"
    swift_client.put_container(archive)
    swift_client.post_container(container, headers={f"X-{mode}-Location": archive})
    try:
        old = make_file(tmp_path / "old", 5 * 128 * KIB)
        swift_client.upload_file(container, "obj", old, segment_size=128 * KIB)
        new = make_file(tmp_path / "new", 2 * 128 * KIB, seed=9)
        swift_client.upload_file(container, "obj", new, segment_size=128 * KIB)
        assert len(segment_names(swift_client, container)) == 7
        (version,) = [e["name"] for e in swift_client.iter_objects(archive)]
        target = tmp_path / "old-version"
        # where the manifest GET is empty (RGW) an old version's segments cannot be
        # known (they are not under its own name): it downloads, saying it is unverified
        listed = swift_client.server_capabilities(container).manifest_get_format != "empty"
        result = swift_client.download_object(archive, version, target)
        assert result.verified == ("segments" if listed else None)
        assert listed or "match the object's ETag" in (result.unverified or "")
        assert target.read_bytes() == old.read_bytes()
        assert swift_client.get_object(container, "obj")[1] == new.read_bytes()
    finally:
        swift_client.post_container(container, headers={f"X-Remove-{mode}-Location": "x"})
        empty_container(swift_client, archive)


def test_corrupted_segment_fails_download_loudly_and_leaves_no_file(
    swift_client: SwiftClient, container: str, tmp_path: Path, local_swift: LocalSwift
) -> None:
    source = make_file(tmp_path / "src", 4 * 128 * KIB)
    swift_client.upload_file(container, "obj", source, segment_size=128 * KIB)
    victim = (swift_client.segments_of(container, "obj") or [])[2]
    local_swift.corrupt_object(victim.container, victim.name)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(SwiftChecksumError, match="segment 2"):
        swift_client.download_object(container, "obj", out / "obj")
    assert list(out.iterdir()) == []


def test_replaced_segment_fails_download_loudly_and_leaves_no_file(
    swift_client: SwiftClient, container: str, tmp_path: Path
) -> None:
    source = make_file(tmp_path / "src", 4 * 128 * KIB)
    swift_client.upload_file(container, "obj", source, segment_size=128 * KIB)
    victim = (swift_client.segments_of(container, "obj") or [])[1]
    swift_client.put_object(victim.container, victim.name, os.urandom(victim.size))
    with pytest.raises((SwiftChecksumError, SwiftUnverifiedError)) as caught:
        swift_client.download_object(container, "obj", tmp_path / "out", verify="required")
    # the segment is named where the manifest can be read; where it cannot (RGW), the
    # segments no longer match the ETag, and the download says it cannot verify
    assert isinstance(caught.value, SwiftUnverifiedError) or "segment 1" in str(caught.value)
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


@pytest.mark.parametrize("kind", ["slo", "dlo"])
@pytest.mark.parametrize("threads", [1, 4])
def test_bytes_damaged_in_transit_are_caught_per_segment(
    faulty_client: SwiftClient,
    faulty: FaultProxy,
    container: str,
    tmp_path: Path,
    kind: str,
    threads: int,
) -> None:
    source = make_file(tmp_path / "src", 4 * 128 * KIB)
    faulty_client.upload_file(container, "obj", source, segment_size=128 * KIB, large_object=kind)
    # one stream through the manifest (threads=1), or the segments fetched directly
    damaged = f"/{container}/obj$" if threads == 1 else r"_segments/.*/00000002$"
    faulty.inject(Fault(method="GET", path=damaged, corrupt=True))
    with pytest.raises(SwiftChecksumError, match="segment 2"):
        faulty_client.download_object(container, "obj", tmp_path / "out", segment_threads=threads)
    assert not (tmp_path / "out").exists()
    assert faulty.count("GET", r"_segments/") == (0 if threads == 1 else 4)


def test_plain_object_damaged_in_transit_is_caught(
    faulty_client: SwiftClient, faulty: FaultProxy, container: str, tmp_path: Path
) -> None:
    faulty_client.put_object(container, "plain", os.urandom(100 * KIB))
    faulty.inject(Fault(method="GET", path=f"/{container}/plain$", corrupt=True, times=2))
    with pytest.raises(SwiftChecksumError, match="MD5"):
        faulty_client.download_object(container, "plain", tmp_path / "out")
    with pytest.raises(SwiftChecksumError, match="MD5"):
        faulty_client.get_object(container, "plain")
    assert list(tmp_path.iterdir()) == []


def test_delete_slo_and_dlo_remove_their_segments(
    swift_client: SwiftClient, container: str, tmp_path: Path
) -> None:
    source = make_file(tmp_path / "src", 3 * 128 * KIB)
    swift_client.upload_file(container, "s", source, segment_size=128 * KIB)
    swift_client.upload_file(container, "d", source, segment_size=128 * KIB, large_object="dlo")
    assert len(segment_names(swift_client, container)) == 6
    assert swift_client.delete_object_with_segments(container, "s")
    assert swift_client.delete_object_with_segments(container, "d")
    assert segment_names(swift_client, container) == []
    assert list(swift_client.iter_objects(container)) == []
    assert swift_client.delete_object_with_segments(container, "s", missing_ok=True) is False


def test_bulk_delete_of_a_mix_leaves_no_segments(
    swift_client: SwiftClient, container: str, tmp_path: Path
) -> None:
    source = make_file(tmp_path / "src", 3 * 128 * KIB)
    swift_client.upload_file(container, "dir/slo", source, segment_size=128 * KIB)
    swift_client.upload_file(
        container, "dir/dlo", source, segment_size=128 * KIB, large_object="dlo"
    )
    for i in range(5):
        swift_client.put_object(container, f"dir/plain-{i}", b"x")
    names = ["dir/slo", "dir/dlo", *(f"dir/plain-{i}" for i in range(5)), "dir/missing"]
    before = swift_client.transport.sent.get("DELETE", 0)
    result = swift_client.delete_objects_with_segments(container, names)
    assert (result.deleted, result.not_found, result.errors) == (7 + 6, 1, [])
    assert swift_client.transport.sent.get("DELETE", 0) == before  # bulk: no single DELETEs
    assert list(swift_client.iter_objects(container)) == []
    assert segment_names(swift_client, container) == []


def test_upload_from_a_stream_of_unknown_length(swift_client: SwiftClient, container: str) -> None:
    data = os.urandom(600 * KIB)
    chunks = (data[i : i + 10_000] for i in range(0, len(data), 10_000))
    result = swift_client.upload_stream(container, "stream", chunks, segment_size=256 * KIB)
    assert (result.large_object, result.segments) == ("slo", 3)
    assert swift_client.get_object(container, "stream")[1] == data
    small = swift_client.upload_stream(container, "tiny", io.BytesIO(b"tiny"))
    assert small.large_object is None
    exact = swift_client.upload_stream(
        container, "exact", io.BytesIO(data[: 256 * KIB]), segment_size=256 * KIB
    )
    assert exact.large_object is None


def test_skip_identical_compares_segment_md5s(
    swift_client: SwiftClient, container: str, tmp_path: Path
) -> None:
    source = make_file(tmp_path / "src", 3 * 128 * KIB)
    swift_client.upload_file(container, "obj", source, segment_size=128 * KIB)
    before = swift_client.transport.sent.get("PUT", 0)
    again = swift_client.upload_file(
        container, "obj", source, segment_size=128 * KIB, if_exists="skip_identical"
    )
    assert again.skipped and swift_client.transport.sent.get("PUT", 0) == before
    assert swift_client.matches_file(container, "obj", str(source))
    make_file(source, 3 * 128 * KIB, seed=5)
    changed = swift_client.upload_file(
        container, "obj", source, segment_size=128 * KIB, if_exists="skip_identical"
    )
    assert not changed.skipped


def test_bytes_and_downloads_skip_identical_in_the_client(
    swift_client: SwiftClient, container: str, tmp_path: Path
) -> None:
    """``upload_bytes`` and ``download_object`` decide skip-identical themselves, per
    segment for a large object: what the hook (and any client user) relies on."""
    data = os.urandom(3 * 128 * KIB)
    swift_client.upload_bytes(container, "obj", data, segment_size=128 * KIB)
    before = swift_client.transport.sent.get("PUT", 0)
    again = swift_client.upload_bytes(
        container, "obj", data, segment_size=128 * KIB, if_exists="skip_identical"
    )
    assert again.skipped and swift_client.transport.sent.get("PUT", 0) == before
    assert (again.large_object, again.segments, again.bytes) == ("slo", 3, len(data))
    assert swift_client.matches_bytes(container, "obj", data)
    assert not swift_client.matches_bytes(container, "obj", data[:-1] + b"!")
    target = tmp_path / "obj"
    target.write_bytes(data)
    kept = swift_client.download_object(container, "obj", target, if_exists="skip_identical")
    assert (kept.skipped, kept.bytes, kept.verified) == (True, len(data), "segments")
    with pytest.raises(SwiftValidationError, match="exists"):
        swift_client.download_object(container, "obj", target, if_exists="fail")
    swift_client.upload_bytes(container, "plain", b"plain bytes")
    assert swift_client.upload_bytes(
        container, "plain", b"plain bytes", if_exists="skip_identical"
    ).skipped
    plain = tmp_path / "plain"
    plain.write_bytes(b"plain bytes")
    kept = swift_client.download_object(container, "plain", plain, if_exists="skip_identical")
    assert (kept.skipped, kept.bytes, kept.verified) == (True, 11, "md5")
    plain.write_bytes(b"changed")
    got = swift_client.download_object(container, "plain", plain, if_exists="skip_identical")
    assert not got.skipped and plain.read_bytes() == b"plain bytes"


def test_if_exists_fail_refuses_before_sending_segments(
    swift_client: SwiftClient, container: str, tmp_path: Path
) -> None:
    source = make_file(tmp_path / "src", 3 * 128 * KIB)
    swift_client.upload_file(container, "obj", source, segment_size=128 * KIB, if_exists="fail")
    before = swift_client.transport.sent.get("PUT", 0)
    with pytest.raises(SwiftPreconditionFailedError, match="already exists"):
        swift_client.upload_file(container, "obj", source, segment_size=128 * KIB, if_exists="fail")
    assert swift_client.transport.sent.get("PUT", 0) == before


def test_expiry_applies_to_segments_too(
    swift_client: SwiftClient, container: str, tmp_path: Path
) -> None:
    import time

    delete_at = int(time.time()) + 3600
    source = make_file(tmp_path / "src", 2 * 128 * KIB)
    swift_client.upload_file(container, "obj", source, segment_size=128 * KIB, delete_at=delete_at)
    assert swift_client.head_object(container, "obj")["x-delete-at"] == str(delete_at)
    for segment in swift_client.segments_of(container, "obj") or []:
        headers = swift_client.head_object(segment.container, segment.name)
        assert headers["x-delete-at"] == str(delete_at)


def test_memory_stays_flat_for_uploads_and_downloads(
    swift_client: SwiftClient, container: str, tmp_path: Path
) -> None:
    """Peak Python allocations do not grow with the object (nothing reads a segment whole)."""
    peaks = []
    for size in (4 * MIB, 16 * MIB):
        source = make_file(tmp_path / f"m{size}", size)
        tracemalloc.start()
        swift_client.upload_file(container, "mem", source, segment_size=1 * MIB, segment_threads=4)
        swift_client.download_object(container, "mem", tmp_path / "mem-out")
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 8 * MIB, peaks
    assert peaks[1] < peaks[0] + 2 * MIB, peaks


# -- failures, through the fault-injecting proxy ----------------------------------------


@pytest.fixture
def faulty_client(server: SwiftAPIServer, faulty: FaultProxy, container: str) -> SwiftClient:
    return SwiftClient.connect(
        AuthOptions(
            auth_url=auth_url_behind(faulty, server.auth_url),
            username=server.user.login,
            password=server.user.key,
        ),
        TransportOptions(retry=RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.02)),
    )


def test_failing_segment_leaves_no_manifest_and_no_segments(
    faulty_client: SwiftClient, faulty: FaultProxy, container: str, tmp_path: Path
) -> None:
    source = make_file(tmp_path / "src", 6 * 128 * KIB)
    faulty.inject(Fault(method="PUT", path=r"_segments/.*/00000003$", status=503, times=1000))
    with pytest.raises(SwiftServerError, match="00000003"):
        faulty_client.upload_file(
            container, "obj", source, segment_size=128 * KIB, segment_threads=2
        )
    with pytest.raises(SwiftNotFoundError):
        faulty_client.head_object(container, "obj")
    assert segment_names(faulty_client, container) == []


def test_failing_manifest_put_leaves_no_segments(
    faulty_client: SwiftClient, faulty: FaultProxy, container: str, tmp_path: Path
) -> None:
    source = make_file(tmp_path / "src", 3 * 128 * KIB)
    faulty.inject(Fault(method="PUT", path="multipart-manifest=put", status=500, times=1000))
    with pytest.raises(SwiftServerError):
        faulty_client.upload_file(container, "obj", source, segment_size=128 * KIB)
    with pytest.raises(SwiftNotFoundError):
        faulty_client.head_object(container, "obj")
    assert segment_names(faulty_client, container) == []


def test_interrupted_upload_resumes_sending_only_missing_segments(
    faulty_client: SwiftClient, faulty: FaultProxy, container: str, tmp_path: Path
) -> None:
    source = make_file(tmp_path / "src", 10 * 128 * KIB)
    faulty.inject(Fault(method="PUT", path=r"_segments/.*/00000006$", status=503, times=3))
    with pytest.raises(SwiftServerError):
        faulty_client.upload_file(
            container, "obj", source, segment_size=128 * KIB, segment_threads=1, leave_segments=True
        )
    stored = len(segment_names(faulty_client, container))
    assert 6 <= stored < 10  # segments 0-5, perhaps the one already in flight after 6
    before = faulty.count("PUT", "_segments/")
    result = faulty_client.upload_file(container, "obj", source, segment_size=128 * KIB)
    assert faulty.count("PUT", "_segments/") - before == 10 - stored  # only the missing
    assert (result.segments, result.segments_uploaded) == (10, 10 - stored)
    assert faulty_client.get_object(container, "obj")[1] == source.read_bytes()


def test_manifest_refused_by_swift_is_a_typed_error(
    swift_client: SwiftClient, container: str
) -> None:
    """With heartbeat=on Swift answers 202 at once and reports failure in the body."""
    from airflow_provider_swift.client import SwiftHTTPError
    from airflow_provider_swift.client.large.segments import Segment

    swift_client.put_container(f"{container}_segments")
    missing = Segment(f"{container}_segments", "nope", "0" * 32, 10)
    with pytest.raises(SwiftHTTPError) as info:
        swift_client.segmented.put_slo_manifest(container, "bad", [missing], {})
    # Swift names the segment (400); RGW answers 404 (row manifest-missing-segment)
    assert info.value.status == 404 or (info.value.status == 400 and "nope" in str(info.value))
    with pytest.raises(SwiftNotFoundError):
        swift_client.head_object(container, "bad")


def test_delete_without_bulk_middleware_falls_back_to_parallel_deletes(
    swift_client: SwiftClient, container: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = {k: v for k, v in swift_client.capabilities().items() if k != "bulk_delete"}
    monkeypatch.setattr(swift_client.info, "capabilities", lambda refresh=False: info)
    swift_client.upload_file(
        container, "slo", make_file(tmp_path / "src", 3 * 128 * KIB), segment_size=128 * KIB
    )
    swift_client.put_object(container, "plain", b"x")
    before = swift_client.transport.sent.get("DELETE", 0)
    result = swift_client.delete_objects_with_segments(container, ["slo", "plain", "missing"])
    assert (result.deleted, result.not_found, result.errors) == (5, 1, [])
    assert swift_client.transport.sent.get("DELETE", 0) - before == 6
    assert segment_names(swift_client, container) == []
