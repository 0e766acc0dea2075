"""Object requests against the real local Swift."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from airflow_provider_swift.client import (
    SwiftChecksumError,
    SwiftClient,
    SwiftNotFoundError,
    SwiftPreconditionFailedError,
    SwiftValidationError,
)
from airflow_provider_swift.testing.server import LocalSwift

AWKWARD_NAMES = [
    "plain.txt",
    "with space.txt",
    "ünïcödé/日本語/файл.csv",
    "percent%20literal%zz.txt",
    "question?mark.txt",
    "hash#mark.txt",
    "semi;colon.txt",
    "dots/../up/./here",
    "..",
    "/leading-slash",
    "trailing-slash/",
    "double//slash",
    "plus+and&amp=eq",
]


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_awkward_object_names_round_trip(
    swift_client: SwiftClient, swift_container: str, name: str
) -> None:
    data = f"payload of {name}".encode()
    swift_client.put_object(swift_container, name, data)
    assert swift_client.get_object(swift_container, name)[1] == data
    listed = [e["name"] for e in swift_client.iter_objects(swift_container)]
    assert listed == [name]
    swift_client.delete_object(swift_container, name)
    with pytest.raises(SwiftNotFoundError):
        swift_client.head_object(swift_container, name)


@pytest.mark.parametrize(
    "container",
    [
        "ünï cöntainer",
        "per%cent?#;",
        pytest.param("...", marks=pytest.mark.server_limitation("rgw", "dots-container-name")),
    ],
)
def test_awkward_container_names_round_trip(swift_client: SwiftClient, container: str) -> None:
    assert swift_client.put_container(container) is True
    try:
        swift_client.put_object(container, "o", b"x")
        assert container in [c["name"] for c in swift_client.iter_containers()]
        assert swift_client.get_object(container, "o")[1] == b"x"
    finally:
        swift_client.delete_object(container, "o")
        swift_client.delete_container(container)


def test_metadata_values_come_back_exactly_as_sent(
    swift_client: SwiftClient, swift_container: str
) -> None:
    metadata = {
        "percent": "50%25off and %2F and %zz",
        "unicode": "Grüße, 東京",
        "spaces": "a  b",
        "plus": "a+b",
    }
    swift_client.put_object(swift_container, "m", b"x", metadata=metadata)
    headers = swift_client.head_object(swift_container, "m")
    for key, value in metadata.items():
        assert headers[f"x-object-meta-{key}"] == value


def test_put_sends_md5_etag_and_returns_it(swift_client: SwiftClient, swift_container: str) -> None:
    data = b"hello swift"
    result = swift_client.put_object(swift_container, "h", data)
    assert result.etag == hashlib.md5(data).hexdigest()


def test_put_with_a_wrong_etag_is_refused_and_stores_nothing(
    swift_client: SwiftClient, swift_container: str
) -> None:
    from airflow_provider_swift.client import SwiftUnprocessableError

    with pytest.raises(SwiftUnprocessableError):
        swift_client.put_object(swift_container, "bad", b"data", etag="0" * 32)
    with pytest.raises(SwiftNotFoundError):
        swift_client.head_object(swift_container, "bad")


def test_put_from_file_iterable_and_str(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    source = tmp_path / "f.bin"
    source.write_bytes(b"F" * 3_000_000)
    with open(source, "rb") as handle:
        swift_client.put_object(swift_container, "file", handle)
    swift_client.put_object(swift_container, "iter", iter([b"ab", b"cd", b"ef"]), content_length=6)
    swift_client.put_object(swift_container, "chunked", iter([b"12", b"34"]))
    swift_client.put_object(swift_container, "text", "déjà vu")
    assert swift_client.get_object(swift_container, "file")[1] == source.read_bytes()
    assert swift_client.get_object(swift_container, "iter")[1] == b"abcdef"
    assert swift_client.get_object(swift_container, "chunked")[1] == b"1234"
    assert swift_client.get_object(swift_container, "text")[1] == "déjà vu".encode()


def test_put_window_of_a_file(swift_client: SwiftClient, swift_container: str) -> None:
    stream = io.BytesIO(b"0123456789")
    stream.seek(2)
    swift_client.put_object(swift_container, "window", stream, content_length=5)
    assert swift_client.get_object(swift_container, "window")[1] == b"23456"


@pytest.mark.server_limitation("rgw", "F8-put-if-none-match")
def test_if_none_match_star_refuses_to_overwrite(
    swift_client: SwiftClient, swift_container: str
) -> None:
    swift_client.put_object(swift_container, "once", b"first", if_none_match="*")
    with pytest.raises(SwiftPreconditionFailedError):
        swift_client.put_object(swift_container, "once", b"second", if_none_match="*")
    assert swift_client.get_object(swift_container, "once")[1] == b"first"


def test_download_streams_to_file_and_verifies(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    data = bytes(range(256)) * 10_000
    swift_client.put_object(swift_container, "d", data)
    target = tmp_path / "out.bin"
    result = swift_client.download_object(swift_container, "d", target)
    assert target.read_bytes() == data
    assert result.verified and result.bytes == len(data)
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_download_if_none_match_skips_identical(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    swift_client.put_object(swift_container, "same", b"same")
    target = tmp_path / "same"
    target.write_bytes(b"local")
    result = swift_client.download_object(
        swift_container, "same", target, if_none_match=hashlib.md5(b"same").hexdigest()
    )
    assert result.skipped
    assert target.read_bytes() == b"local"


def test_download_of_missing_object_leaves_nothing(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    target = tmp_path / "nothing"
    with pytest.raises(SwiftNotFoundError) as info:
        swift_client.download_object(swift_container, "absent", target)
    assert info.value.status == 404
    assert info.value.path == f"/{swift_container}/absent"
    assert info.value.transaction_id
    assert list(tmp_path.iterdir()) == []


def test_corrupted_object_download_raises_and_keeps_previous_file(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path, local_swift: LocalSwift
) -> None:
    swift_client.put_object(swift_container, "c", b"good bytes" * 1000)
    local_swift.corrupt_object(swift_container, "c")
    target = tmp_path / "c"
    target.write_bytes(b"previous")
    with pytest.raises(SwiftChecksumError, match="MD5"):
        swift_client.download_object(swift_container, "c", target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["c"]


def test_update_metadata_merges_and_keeps_expiry_and_content_type(
    swift_client: SwiftClient, swift_container: str
) -> None:
    import time

    delete_at = str(int(time.time()) + 3600)
    swift_client.put_object(
        swift_container,
        "u",
        b"x",
        content_type="text/csv",
        metadata={"keep": "1", "drop": "2", "change": "old"},
        headers={"X-Delete-At": delete_at, "Content-Disposition": "attachment"},
    )
    result = swift_client.update_object_metadata(
        swift_container, "u", {"change": "new", "add": "3"}, remove=["drop"]
    )
    assert result == {"keep": "1", "change": "new", "add": "3"}
    headers = swift_client.head_object(swift_container, "u")
    assert headers["x-delete-at"] == delete_at
    assert headers["content-disposition"] == "attachment"
    assert headers["content-type"].startswith("text/csv")
    assert "x-object-meta-drop" not in headers


def test_update_metadata_keeps_a_dlo_manifest(
    swift_client: SwiftClient, swift_container: str
) -> None:
    swift_client.put_object(swift_container, "seg/1", b"abc")
    swift_client.put_object(swift_container, "seg/2", b"def")
    swift_client.put_object(
        swift_container, "dlo", b"", headers={"X-Object-Manifest": f"{swift_container}/seg/"}
    )
    swift_client.update_object_metadata(swift_container, "dlo", {"k": "v"})
    assert swift_client.get_object(swift_container, "dlo")[1] == b"abcdef"


def test_metadata_over_limits_is_refused_before_sending(
    swift_client: SwiftClient, swift_container: str
) -> None:
    sent_before = dict(swift_client.transport.sent)
    with pytest.raises(SwiftValidationError, match="at most 256"):
        swift_client.put_object(swift_container, "big", b"x", metadata={"k": "v" * 257})
    with pytest.raises(SwiftValidationError, match="valid header name"):
        swift_client.put_object(swift_container, "big", b"x", metadata={"bad key": "v"})
    assert swift_client.transport.sent.get("PUT") == sent_before.get("PUT")


def test_invalid_names_are_refused_before_sending(swift_client: SwiftClient) -> None:
    with pytest.raises(SwiftValidationError):
        swift_client.put_object("", "o", b"x")
    with pytest.raises(SwiftValidationError, match="cannot be nested"):
        swift_client.put_container("a/b")
    with pytest.raises(SwiftValidationError, match="at most 1024"):
        swift_client.put_object("c", "n" * 1025, b"x")
    with pytest.raises(SwiftValidationError, match="non-empty"):
        swift_client.put_object("c", "", b"x")


def test_account_and_container_post_set_metadata(
    swift_client: SwiftClient, swift_container: str
) -> None:
    swift_client.post_account(metadata={"owner": "etl team"})
    assert swift_client.head_account()["x-account-meta-owner"] == "etl team"
    swift_client.post_account(headers={"X-Remove-Account-Meta-Owner": "x"})
    assert "x-account-meta-owner" not in swift_client.head_account()
    swift_client.post_container(swift_container, metadata={"a": "1"})
    swift_client.post_container(swift_container, metadata={"b": "2"})
    headers = swift_client.head_container(swift_container)
    assert headers["x-container-meta-a"] == "1" and headers["x-container-meta-b"] == "2"


def test_deleting_a_non_empty_container_is_a_conflict(
    swift_client: SwiftClient, swift_container: str
) -> None:
    from airflow_provider_swift.client import SwiftConflictError

    swift_client.put_object(swift_container, "keep", b"x")
    with pytest.raises(SwiftConflictError):
        swift_client.delete_container(swift_container)
