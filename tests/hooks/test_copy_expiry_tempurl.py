"""Copy, move, expiry, temp URLs and container settings against the real local Swift."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from airflow_provider_swift.client import (
    SwiftConflictError,
    SwiftNotFoundError,
    SwiftValidationError,
)
from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.testing.pytest_plugin import client_for
from airflow_provider_swift.testing.server import LocalSwift

KIB = 1024


@pytest.fixture
def hook(swift_conn_id: str) -> SwiftHook:
    return SwiftHook(swift_conn_id)


@pytest.fixture
def container(hook: SwiftHook) -> Iterator[str]:
    name = f"cp-{uuid.uuid4().hex[:10]}"
    hook.create_container(name)
    yield name
    for leftover in (name, f"{name}_segments"):
        hook.delete_container(leftover, force=True, missing_ok=True)


def test_copy_keeps_metadata_and_drops_expiry(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(
        container,
        "src",
        b"data",
        metadata={"team": "etl"},
        delete_after=3600,
        content_type="text/csv",
    )
    result = hook.copy_object(container, "src", container, "dst", metadata={"copied": "yes"})
    headers = hook.head_object(container, "dst") or {}
    assert headers["x-object-meta-team"] == "etl" and headers["x-object-meta-copied"] == "yes"
    assert headers["content-type"].startswith("text/csv")
    assert "x-delete-at" not in headers
    assert result["etag"] == (hook.head_object(container, "src") or {})["etag"]
    hook.copy_object(container, "src", container, "kept", keep_expiry=True, fresh_metadata=True)
    kept = hook.head_object(container, "kept") or {}
    assert "x-delete-at" in kept and "x-object-meta-team" not in kept


def test_copy_of_an_slo_larger_than_max_file_size(tmp_path: Path) -> None:
    with LocalSwift(constraints={"max_file_size": 256 * KIB}) as swift:
        client = client_for(swift)
        client.put_container("a")
        client.put_container("b")
        source = tmp_path / "big"
        source.write_bytes(bytes(range(256)) * 4 * 300)  # 300 KiB > max_file_size
        client.upload_file("a", "big", source, segment_size=128 * KIB)
        before = dict(client.transport.sent)
        result = client.copy_object("a", "big", "b", "big-copy")
        assert (result.large_object, result.segments) == ("slo", 3)
        # server-side: PUTs with X-Copy-From, no object data through the client
        assert client.transport.sent.get("GET", 0) - before.get("GET", 0) <= 2
        assert client.get_object("b", "big-copy")[1] == source.read_bytes()
        source_segments = {s.name for s in client.segments_of("a", "big") or []}
        copy_segments = {s.name for s in client.segments_of("b", "big-copy") or []}
        assert not source_segments & copy_segments  # nothing shared
        client.delete_object_with_segments("a", "big")
        assert client.get_object("b", "big-copy")[1] == source.read_bytes()


def test_dlo_copy_is_a_dlo_of_its_own(hook: SwiftHook, container: str, tmp_path: Path) -> None:
    source = tmp_path / "d"
    source.write_bytes(b"x" * 300 * KIB)
    hook.upload_file(container, "dlo", source, segment_size=128 * KIB, large_object="dlo")
    hook.copy_object(container, "dlo", container, "dlo-copy")
    copy = hook.head_object(container, "dlo-copy") or {}
    assert "/dlo-copy/dlo/" in copy["x-object-manifest"]
    hook.delete_object_with_segments(container, "dlo")
    assert hook.read_object(container, "dlo-copy") == source.read_bytes()


def test_move_copies_then_deletes_the_source(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(container, "from", b"moving", metadata={"k": "v"})
    hook.move_object(container, "from", container, "to")
    assert hook.head_object(container, "from") is None
    assert hook.read_object(container, "to") == b"moving"
    assert (hook.head_object(container, "to") or {})["x-object-meta-k"] == "v"


def test_a_retried_move_succeeds_once_the_source_is_gone(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    """The hook (and the client under it) recognises a move an earlier attempt made."""
    source = tmp_path / "big"
    source.write_bytes(b"z" * 300 * KIB)
    hook.upload_file(container, "big", source, segment_size=128 * KIB)
    first = hook.move_object(container, "big", container, "moved")
    again = hook.move_object(container, "big", container, "moved")
    assert again["already_moved"] and not first["already_moved"]
    assert (again["etag"], again["bytes"]) == (first["etag"], first["bytes"])
    assert again["large_object"] == "slo"
    with pytest.raises(SwiftNotFoundError):  # neither there: nothing was ever moved
        hook.move_object(container, "never-was", container, "nor-this")


def test_move_of_a_large_object_leaves_no_segments_behind(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    source = tmp_path / "big"
    source.write_bytes(b"y" * 300 * KIB)
    hook.upload_file(container, "big", source, segment_size=128 * KIB)
    hook.move_object(container, "big", container, "moved")
    segments = hook.list_objects(f"{container}_segments")
    assert len(segments) == 3 and all(s.startswith("moved/") for s in segments)
    assert hook.read_object(container, "moved") == source.read_bytes()


def test_move_fails_and_deletes_nothing_if_the_source_changes(
    hook: SwiftHook, container: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook.upload_bytes(container, "src", b"version 1")
    client = hook.client
    real_copy = client.copies.copy_object

    def copy_then_replace_source(*args: object, **kwargs: object) -> object:
        result = real_copy(*args, **kwargs)  # type: ignore[arg-type]
        client.put_object(container, "src", b"version 2")  # a writer in between
        return result

    monkeypatch.setattr(client.copies, "copy_object", copy_then_replace_source)
    with pytest.raises(SwiftConflictError, match="nothing was deleted"):
        hook.move_object(container, "src", container, "dst")
    assert hook.read_object(container, "src") == b"version 2"
    assert hook.read_object(container, "dst") == b"version 1"


def test_expiry_keeps_metadata_then_object_disappears(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(container, "e", b"x", metadata={"keep": "me"}, content_type="text/plain")
    when = hook.expire_object(container, "e", delete_after=2)
    headers = hook.head_object(container, "e") or {}
    assert headers["x-delete-at"] == str(when)
    assert headers["x-object-meta-keep"] == "me"
    assert headers["content-type"].startswith("text/plain")
    deadline = time.time() + 10
    while hook.head_object(container, "e") is not None and time.time() < deadline:
        time.sleep(0.5)
    assert hook.head_object(container, "e") is None


def test_cancelled_expiry_keeps_the_object(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(container, "c", b"x", metadata={"keep": "me"})
    hook.expire_object(container, "c", delete_after=2)
    assert hook.expire_object(container, "c", cancel=True) is None
    time.sleep(3)
    headers = hook.head_object(container, "c") or {}
    assert headers["x-object-meta-keep"] == "me" and "x-delete-at" not in headers


def test_expiry_of_a_dlo_keeps_its_manifest_and_reaches_its_segments(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    source = tmp_path / "d"
    source.write_bytes(b"z" * 300 * KIB)
    hook.upload_file(container, "dlo", source, segment_size=128 * KIB, large_object="dlo")
    when = hook.expire_object(container, "dlo", delete_after=3600)
    assert hook.read_object(container, "dlo") == source.read_bytes()
    for segment in hook.client.segments_of(container, "dlo") or []:
        assert hook.client.head_object(segment.container, segment.name)["x-delete-at"] == str(when)
    with pytest.raises(SwiftValidationError):
        hook.expire_object(container, "dlo")


def test_temp_url_downloads_without_token_and_tampering_fails(
    hook: SwiftHook, container: str
) -> None:
    hook.client.post_account(headers={"X-Account-Meta-Temp-URL-Key": "k3y-s3cret"})
    try:
        hook.upload_bytes(container, "shared file.csv", b"a,b\n1,2\n")
        url = hook.generate_temp_url(container, "shared file.csv", expires_in=300)
        assert "k3y-s3cret" not in url
        assert requests.get(url, timeout=10).content == b"a,b\n1,2\n"
        # Swift answers 401, RGW 403 (row tempurl-tampered)
        tampered = url.replace("temp_url_expires=", "temp_url_expires=1")
        assert requests.get(tampered, timeout=10).status_code in (401, 403)
        other = url.replace("shared%20file.csv", "other.csv")
        assert requests.get(other, timeout=10).status_code in (401, 403)
        for digest in hook.client.tempurl_digests():
            signed = hook.generate_temp_url(container, "shared file.csv", digest=digest)
            assert requests.get(signed, timeout=10).status_code == 200
        # a prefix URL is signed for the prefix; any object under it may be fetched with it
        prefix_url = hook.generate_temp_url(container, "shared", prefix=True)
        under = prefix_url.replace("/shared?", "/shared%20file.csv?")
        assert requests.get(under, timeout=10).content == b"a,b\n1,2\n"
    finally:
        hook.client.post_account(headers={"X-Remove-Account-Meta-Temp-URL-Key": "x"})


@pytest.mark.server_limitation("rgw", "tempurl-container-key")
def test_temp_url_signed_with_the_container_key(hook: SwiftHook, container: str) -> None:
    hook.create_container(container, headers={"X-Container-Meta-Temp-URL-Key": "k3y-s3cret"})
    hook.upload_bytes(container, "shared file.csv", b"a,b\n1,2\n")
    url = hook.generate_temp_url(container, "shared file.csv", expires_in=300)
    assert requests.get(url, timeout=10).content == b"a,b\n1,2\n"


def test_temp_url_without_a_key_is_a_clear_error(hook: SwiftHook, container: str) -> None:
    with pytest.raises(SwiftValidationError, match="temp URL key"):
        hook.generate_temp_url(container, "x")


def test_container_read_acl_grants_another_user(
    hook: SwiftHook, container: str, local_swift: LocalSwift
) -> None:
    hook.upload_bytes(container, "doc", b"private")
    other = client_for(local_swift, login="test:tester3", key="testing3")
    from airflow_provider_swift.client import SwiftForbiddenError

    with pytest.raises(SwiftForbiddenError):
        other.get_object(container, "doc")
    hook.create_container(container, read_acl="test:tester3")
    assert other.get_object(container, "doc")[1] == b"private"
    hook.create_container(container, read_acl="")
    with pytest.raises(SwiftForbiddenError):
        other.get_object(container, "doc")


def test_cors_preflight_from_the_allowed_origin(
    hook: SwiftHook, container: str, local_swift: LocalSwift
) -> None:
    hook.create_container(container, cors_allow_origin="https://app.example")
    url = f"{local_swift.storage_url()}/{container}/anything"
    allowed = requests.options(
        url,
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    denied = requests.options(
        url,
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert denied.status_code == 401


@pytest.mark.server_limitation("rgw", "history-location")
def test_versions_quotas_and_metadata_settings(hook: SwiftHook, container: str) -> None:
    archive = f"{container}-versions"
    hook.create_container(
        container, versions={"location": archive}, quota_count=5, metadata={"team": "etl"}
    )
    headers = hook.head_container(container) or {}
    assert headers["x-history-location"] == archive
    assert headers["x-container-meta-quota-count"] == "5"
    assert hook.update_container_metadata(container, {"stage": "raw"}, remove=["team"]) == {
        "stage": "raw",
        "quota-count": "5",
    }
    hook.delete_container(archive, force=True)
    enabled = f"{container}-v2"
    hook.create_container(enabled, versions="enabled")
    assert (hook.head_container(enabled) or {})["x-versions-enabled"].lower() == "true"
    hook.create_container(enabled, versions="disabled")
    hook.delete_container(enabled)


def test_force_delete_empties_large_objects_too(hook: SwiftHook, tmp_path: Path) -> None:
    name = f"force-{uuid.uuid4().hex[:8]}"
    hook.create_container(name)
    source = tmp_path / "big"
    source.write_bytes(b"q" * 300 * KIB)
    hook.upload_file(name, "big", source, segment_size=128 * KIB)
    hook.upload_bytes(name, "small", b"s")
    assert hook.delete_container(name, force=True)
    assert hook.head_container(name) is None
    assert hook.list_objects(f"{name}_segments") == []
    hook.delete_container(f"{name}_segments")
    with pytest.raises(SwiftNotFoundError):
        hook.delete_container(name)
