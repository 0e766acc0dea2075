"""SwiftHook against the real local Swift, through an Airflow connection."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_swift.client import (
    SwiftNotFoundError,
    SwiftPreconditionFailedError,
    SwiftValidationError,
)
from airflow_provider_swift.hooks.swift import SwiftHook, glob_prefix
from airflow_provider_swift.testing.pytest_plugin import connection_json
from airflow_provider_swift.testing.server import LocalSwift


@pytest.fixture
def hook(swift_conn_id: str) -> SwiftHook:
    return SwiftHook(swift_conn_id=swift_conn_id)


@pytest.fixture
def container(hook: SwiftHook) -> Iterator[str]:
    name = f"hook-{uuid.uuid4().hex[:10]}"
    assert hook.create_container(name) is True
    yield name
    for object_name in hook.list_objects(name):
        hook.delete_object_with_segments(name, object_name, missing_ok=True)
    hook.delete_container(name, missing_ok=True)


def test_hook_identity() -> None:
    assert SwiftHook.conn_type == "swift"
    assert SwiftHook.default_conn_name == "swift_default"
    assert SwiftHook.hook_name == "OpenStack Swift"
    assert SwiftHook().swift_conn_id == "swift_default"


def test_test_connection_succeeds(hook: SwiftHook) -> None:
    ok, message = hook.test_connection()
    assert ok, message
    assert "Connected" in message


def test_test_connection_with_wrong_password_explains_and_never_raises(
    local_swift: LocalSwift, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_SWIFT_BAD", connection_json(local_swift, key="wrong-secret-value")
    )
    ok, message = SwiftHook("swift_bad").test_connection()
    assert not ok
    assert "rejected" in message and "wrong-secret-value" not in message


def test_test_connection_with_unusable_settings_never_raises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_SWIFT_ODD",
        json.dumps({"conn_type": "swift", "host": "http://x", "extra": {"auth_type": "nope"}}),
    )
    ok, message = SwiftHook("swift_odd").test_connection()
    assert not ok and "unknown auth_type" in message


def test_get_conn_returns_the_shared_client(hook: SwiftHook) -> None:
    assert hook.get_conn() is hook.get_conn()


def test_capabilities(hook: SwiftHook) -> None:
    info = hook.get_capabilities()
    assert "slo" in info and "bulk_delete" in info
    assert info["swift"]["max_file_size"] > 0


def test_container_lifecycle(hook: SwiftHook) -> None:
    name = f"life-{uuid.uuid4().hex[:8]}"
    assert hook.create_container(name, metadata={"team": "etl"}) is True
    assert hook.create_container(name) is False
    assert name in [c["name"] for c in hook.list_containers(prefix="life-")]
    assert hook.head_container(name)["x-container-meta-team"] == "etl"  # type: ignore[index]
    assert hook.delete_container(name) is True
    assert hook.head_container(name) is None
    assert hook.delete_container(name, missing_ok=True) is False
    with pytest.raises(SwiftNotFoundError):
        hook.delete_container(name)


def test_upload_bytes_read_head_exists_delete(hook: SwiftHook, container: str) -> None:
    result = hook.upload_bytes(container, "a/b.txt", "hello", metadata={"k": "v"})
    assert result["etag"] == hashlib.md5(b"hello").hexdigest() and not result["skipped"]
    assert hook.read_object(container, "a/b.txt") == b"hello"
    assert hook.head_object(container, "a/b.txt")["x-object-meta-k"] == "v"  # type: ignore[index]
    assert hook.object_exists(container, "a/b.txt")
    assert hook.head_object(container, "nope") is None
    assert not hook.object_exists("no-such-container", "x")
    assert hook.delete_object_with_segments(container, "a/b.txt") is True
    assert hook.delete_object_with_segments(container, "a/b.txt", missing_ok=True) is False


def test_list_objects_prefix_delimiter_glob(hook: SwiftHook, container: str) -> None:
    for name in ["in/2024/a.csv", "in/2024/b.json", "in/2025/c.csv", "out/d.csv"]:
        hook.upload_bytes(container, name, name)
    assert hook.list_objects(container, prefix="in/2024/") == ["in/2024/a.csv", "in/2024/b.json"]
    assert hook.list_objects(container, delimiter="/") == ["in/", "out/"]
    assert hook.list_objects(container, glob="in/*.csv") == ["in/2024/a.csv", "in/2025/c.csv"]
    assert hook.list_objects(container, glob="*/d.csv") == ["out/d.csv"]
    assert glob_prefix("in/202?/x*") == "in/202"


def test_upload_file_and_download_file_round_trip(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    source = tmp_path / "extract.csv"
    source.write_bytes(b"id,name\n" + b"1,a\n" * 50_000)
    uploaded = hook.upload_file(container, "extract.csv", source, content_type="text/csv")
    assert uploaded["bytes"] == source.stat().st_size
    target = tmp_path / "copy.csv"
    downloaded = hook.download_file(container, "extract.csv", target)
    assert target.read_bytes() == source.read_bytes()
    assert downloaded["etag"] == uploaded["etag"] and not downloaded["skipped"]


def test_upload_skip_identical(hook: SwiftHook, container: str, tmp_path: Path) -> None:
    source = tmp_path / "same"
    source.write_bytes(b"same bytes")
    assert not hook.upload_file(container, "same", source)["skipped"]
    before = hook.client.transport.sent.get("PUT", 0)
    assert hook.upload_file(container, "same", source, if_exists="skip_identical")["skipped"]
    assert hook.client.transport.sent.get("PUT", 0) == before
    source.write_bytes(b"other bytes")
    assert not hook.upload_file(container, "same", source, if_exists="skip_identical")["skipped"]


def test_download_skip_identical_and_fail(hook: SwiftHook, container: str, tmp_path: Path) -> None:
    hook.upload_bytes(container, "obj", b"content")
    target = tmp_path / "obj"
    target.write_bytes(b"content")
    assert hook.download_file(container, "obj", target, if_exists="skip_identical")["skipped"]
    with pytest.raises(SwiftValidationError, match="exists"):
        hook.download_file(container, "obj", target, if_exists="fail")
    target.write_bytes(b"changed locally")
    result = hook.download_file(container, "obj", target, if_exists="skip_identical")
    assert not result["skipped"] and target.read_bytes() == b"content"


def test_upload_if_exists_fail_refuses_an_existing_object(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(container, "once", b"first", if_exists="fail")
    with pytest.raises(SwiftPreconditionFailedError, match="already exists"):
        hook.upload_bytes(container, "once", b"second", if_exists="fail")
    assert hook.read_object(container, "once") == b"first"


def test_update_object_metadata_merges(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(container, "m", b"x", metadata={"a": "1", "b": "2"}, delete_after=3600)
    assert hook.update_object_metadata(container, "m", {"c": "3"}, remove=["a"]) == {
        "b": "2",
        "c": "3",
    }
    assert "x-delete-at" in hook.head_object(container, "m")  # type: ignore[operator]


def test_expiry_arguments_are_validated(hook: SwiftHook, container: str) -> None:
    with pytest.raises(SwiftValidationError, match="past"):
        hook.upload_bytes(container, "e", b"x", delete_at=int(time.time()) - 10)
    with pytest.raises(SwiftValidationError, match="not both"):
        hook.upload_bytes(container, "e", b"x", delete_at=int(time.time()) + 99, delete_after=9)
    with pytest.raises(SwiftValidationError, match="positive"):
        hook.upload_bytes(container, "e", b"x", delete_after=-1)
    with pytest.raises(SwiftValidationError, match="if_exists"):
        hook.upload_bytes(container, "e", b"x", if_exists="overwrite")


def test_missing_local_file_is_a_clear_error(hook: SwiftHook, container: str) -> None:
    with pytest.raises(SwiftValidationError, match="does not exist"):
        hook.upload_file(container, "x", "/nonexistent/file.csv")


def test_secrets_never_reach_logs_or_errors(
    local_swift: LocalSwift,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    """Password and token stay out of every log record (DEBUG included) and error text."""
    monkeypatch.setenv("AIRFLOW_CONN_SWIFT_SECRET", connection_json(local_swift))
    monkeypatch.setenv(
        "AIRFLOW_CONN_SWIFT_WRONG", connection_json(local_swift, key="wrong-key-9f2c")
    )
    errors: list[str] = []
    with caplog.at_level(logging.DEBUG):
        hook = SwiftHook("swift_secret")
        hook.create_container("secrets")
        hook.upload_bytes("secrets", "o", b"x")
        hook.read_object("secrets", "o")
        hook.download_file("secrets", "o", tmp_path / "o")
        for call in (
            lambda: hook.read_object("secrets", "missing"),
            lambda: SwiftHook("swift_wrong").get_conn().head_account(),
        ):
            try:
                call()
            except Exception as exc:
                errors.append(repr(exc) + str(exc))
        errors.append(SwiftHook("swift_wrong").test_connection()[1])
        token = hook.client.transport.token()
    secrets = [local_swift.user.key, "wrong-key-9f2c", token]
    logged = "\n".join(r.getMessage() for r in caplog.records) + "\n".join(caplog.messages)
    assert caplog.records, "expected DEBUG logging to be captured"
    assert len(errors) == 3
    for secret in secrets:
        assert secret not in logged
        assert all(secret not in text for text in errors)


def test_large_upload_download_and_delete_through_the_hook(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    source = tmp_path / "big"
    source.write_bytes(bytes(range(256)) * 2048)  # 512 KiB
    uploaded = hook.upload_file(
        container, "big", source, segment_size=128 * 1024, segment_threads=3
    )
    assert (uploaded["large_object"], uploaded["segments"]) == ("slo", 4)
    target = tmp_path / "copy"
    assert hook.download_file(container, "big", target)["verified"] == "segments"
    assert target.read_bytes() == source.read_bytes()
    before = hook.client.transport.sent.get("GET", 0)
    kept = hook.download_file(container, "big", target, if_exists="skip_identical")
    assert kept["skipped"]
    # the segment list is read (the manifest; where its GET is empty, RGW, also the two
    # listing pages of the object's own segments), the object's data is not
    listed = hook.client.server_capabilities(container).manifest_get_format != "empty"
    assert hook.client.transport.sent.get("GET", 0) - before == (1 if listed else 3)
    hook.upload_bytes(container, "plain", b"x")
    assert hook.delete_objects_with_segments(container, ["big", "plain", "gone"]) == {
        "deleted": 6,
        "not_found": 1,
    }
    assert hook.list_objects(f"{container}_segments") == []
    hook.delete_container(f"{container}_segments")
