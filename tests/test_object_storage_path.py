"""``swift://`` ObjectStoragePath and assets, against the real local Swift."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from airflow_provider_swift.assets import convert_asset_to_openlineage, create_asset, sanitize_uri
from airflow_provider_swift.hooks.swift import SwiftHook

MIB = 1024 * 1024


@pytest.fixture
def container(swift_conn_id: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    conn = json.loads(os.environ["AIRFLOW_CONN_SWIFT_DEFAULT"])
    conn["extra"]["segment_size"] = 8 * MIB  # ObjectStoragePath takes it from the connection
    monkeypatch.setenv("AIRFLOW_CONN_SWIFT_DEFAULT", json.dumps(conn))
    # filesystems are cached by connection id: the same id may now name the other server
    from airflow.sdk.io.store import _STORE_CACHE

    from airflow_provider_swift.fs.swift import SwiftFileSystem

    _STORE_CACHE.clear()
    SwiftFileSystem.clear_instance_cache()
    hook = SwiftHook(swift_conn_id)
    name = f"osp-{uuid.uuid4().hex[:8]}"
    hook.create_container(name)
    yield name
    for leftover in (name, f"{name}_segments"):
        hook.delete_container(leftover, force=True, missing_ok=True)


def path(container: str, key: str = "", **options: object) -> object:
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(f"swift://swift_default@{container}/{key}", **options)


def test_fifty_megabytes_written_as_a_large_object_and_read_back(container: str) -> None:
    data = hashlib.sha512(b"seed").digest() * (50 * MIB // 64)
    target = path(container, "big/data.bin")
    with target.open("wb") as handle:  # type: ignore[attr-defined]
        shutil.copyfileobj(io.BytesIO(data), handle, length=MIB)
    hook = SwiftHook("swift_default")
    headers = hook.head_object(container, "big/data.bin") or {}
    assert headers["x-static-large-object"] == "True"
    assert len(hook.list_objects(f"{container}_segments")) == 7
    with target.open("rb") as handle:  # type: ignore[attr-defined]
        assert handle.read() == data
    assert target.stat().st_size == len(data)  # type: ignore[attr-defined]


def test_listing_exists_and_pandas_style_reading(container: str) -> None:
    base = path(container)
    (base / "in/2026/a.csv").write_text("x,y\n1,2\n")  # type: ignore[operator]
    (base / "in/2026/b.csv").write_text("x,y\n3,4\n")  # type: ignore[operator]
    assert sorted(p.name for p in (base / "in/2026").iterdir()) == ["a.csv", "b.csv"]  # type: ignore[operator]
    assert (base / "in").is_dir()  # type: ignore[operator]
    assert (base / "in/2026/a.csv").exists()  # type: ignore[operator]
    assert not (base / "in/2026/zzz.csv").exists()  # type: ignore[operator]
    with (base / "in/2026/b.csv").open("r") as handle:  # type: ignore[operator]
        assert handle.readline() == "x,y\n"
        assert handle.read() == "3,4\n"
    (base / "in/2026/a.csv").unlink()  # type: ignore[operator]
    assert not (base / "in/2026/a.csv").exists()  # type: ignore[operator]


def test_copy_is_server_side(container: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = path(container, "src.bin")
    source.write_bytes(b"z" * (3 * MIB))  # type: ignore[attr-defined]
    transport = source.fs.client.transport  # type: ignore[attr-defined]
    requests_seen: list[tuple[str, str, object]] = []
    real = transport.request

    def recording(method: str, path: str, **kwargs: object) -> object:
        requests_seen.append((method, path, kwargs.get("query")))
        return real(method, path, **kwargs)

    monkeypatch.setattr(transport, "request", recording)
    source.copy(path(container, "dst.bin"))  # type: ignore[attr-defined]
    object_reads = [r for r in requests_seen if r[0] == "GET" and r[1].endswith("/src.bin")]
    assert object_reads == []  # no byte of the object passed through the client
    assert [r[0] for r in requests_seen if r[1].endswith("/dst.bin")].count("PUT") == 1
    assert path(container, "dst.bin").read_bytes() == b"z" * (3 * MIB)  # type: ignore[attr-defined]


def test_asset_uris() -> None:
    assert sanitize_uri(urlsplit("swift://lake/raw/a.csv/")).path == "/raw/a.csv"
    with pytest.raises(ValueError, match="container"):
        sanitize_uri(urlsplit("swift:///a.csv"))
    with pytest.raises(ValueError, match="connection"):
        sanitize_uri(urlsplit("swift://conn@lake/a.csv"))
    asset = create_asset(container="lake", name="raw/a.csv")
    assert asset.uri == "swift://lake/raw/a.csv"
    dataset = convert_asset_to_openlineage(asset, None)
    assert (dataset.namespace, dataset.name) == ("swift://lake", "raw/a.csv")
