"""``swift://`` ObjectStoragePath and assets, against the real local Swift."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from airflow_provider_swift.assets import convert_asset_to_openlineage, create_asset, sanitize_uri
from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.testing.pytest_plugin import connection_json
from airflow_provider_swift.testing.server import LocalSwift

MIB = 1024 * 1024

#: Airflow 3.1 and later wrap universal_pathlib's path class of the protocol (for
#: swift://, SwiftPath); 3.0's ObjectStoragePath is a CloudPath of its own
WRAPS_UPATH = hasattr(__import__("airflow.sdk").sdk.ObjectStoragePath, "__wrapped__")
needs_swift_path = pytest.mark.skipif(
    not WRAPS_UPATH,
    reason="Airflow 3.0's ObjectStoragePath does not use SwiftPath, so mkdir of a "
    "pseudo-directory stores no marker, as for every object store there "
    "(docs/object-storage.md)",
)


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


def path(container: str, key: str = "", conn_id: str = "swift_default", **options: object) -> Any:
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(f"swift://{conn_id}@{container}/{key}", **options)


@pytest.fixture
def other_account(local_swift: LocalSwift, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A container in account ``test2``, reached through connection ``swift_other``."""
    conn = connection_json(local_swift, login="test2:tester2", key="testing2")
    monkeypatch.setenv("AIRFLOW_CONN_SWIFT_OTHER", conn)
    hook = SwiftHook("swift_other")
    name = f"osp-other-{uuid.uuid4().hex[:8]}"
    hook.create_container(name)
    yield name
    hook.delete_container(name, force=True, missing_ok=True)


def listing_requests(target: Any) -> list[str]:
    """Record the listing GETs (``format=json``) the path's client sends from now on."""
    transport = target.fs.client.transport
    seen: list[str] = []
    real = transport.send

    def recording(request: Any, **kwargs: Any) -> Any:
        if request.method == "GET" and (request.query or {}).get("format") == "json":
            seen.append(request.path)
        return real(request, **kwargs)

    transport.send = recording
    return seen


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
    real = transport.send

    def recording(request: Any, **kwargs: object) -> object:
        requests_seen.append((request.method, request.path, request.query))
        return real(request, **kwargs)

    monkeypatch.setattr(transport, "send", recording)
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


def test_swift_paths_have_a_registered_class_and_no_fallback_warning(container: str) -> None:
    from airflow_provider_swift.fs.upath import SwiftPath

    with warnings.catch_warnings():
        # (Airflow 3.0's ObjectStoragePath has a PendingDeprecationWarning of its own)
        warnings.simplefilter("error", UserWarning)
        target = path(container, "a/b.csv")
        if WRAPS_UPATH:
            assert isinstance(target.__wrapped__, SwiftPath)
        assert (target.parent.name, target.name, target.suffix) == ("a", "b.csv", ".csv")
        assert str(target.parent / "c.csv") == f"swift://swift_default@{container}/a/c.csv"


def test_text_round_trip_exists_and_stat(container: str) -> None:
    target = path(container, "reports/2026/summary.txt")
    assert not target.exists()
    target.write_text("total: 42\n")
    assert target.exists() and target.is_file()
    assert target.read_text() == "total: 42\n"
    status = target.stat()
    assert status.st_size == len("total: 42\n")
    assert status.st_mtime > 0 and status["etag"]
    assert path(container, "reports/2026").is_dir()
    assert path(container, "reports").stat()["type"] == "directory"


def test_iterdir_glob_rglob_and_walk(container: str) -> None:
    base = path(container, "lake")
    for key in ("a.csv", "b.json", "2026/c.csv", "2026/01/d.csv", "2026/01/e.json"):
        (base / key).write_text(key)
    assert sorted(p.name for p in base.iterdir()) == ["2026", "a.csv", "b.json"]
    assert sorted(p.name for p in base.glob("*.csv")) == ["a.csv"]
    seen = listing_requests(base)
    assert sorted(p.path.removeprefix(f"{base.path}/") for p in base.rglob("*.csv")) == [
        "2026/01/d.csv",
        "2026/c.csv",
        "a.csv",
    ]
    assert len(seen) == 1  # one flat listing of the prefix, whatever its depth
    if not hasattr(base, "walk"):
        return  # Airflow 3.0's ObjectStoragePath (universal_pathlib 0.2) has no walk()
    walked = {
        directory.path.removeprefix(base.path).lstrip("/") or ".": sorted(files)
        for directory, _dirs, files in base.walk()
    }
    assert walked == {
        ".": ["a.csv", "b.json"],
        "2026": ["c.csv"],
        "2026/01": ["d.csv", "e.json"],
    }


def test_rename_is_a_server_side_move(container: str) -> None:
    source = path(container, "incoming/x.bin")
    source.write_bytes(b"r" * (2 * MIB))
    transport = source.fs.client.transport
    before = dict(transport.sent)
    moved = source.rename(path(container, "done/x.bin"))
    reads = transport.sent.get("GET", 0) - before.get("GET", 0)
    assert reads <= 1  # at most a listing: no byte of the object came through here
    assert not source.exists()
    assert moved.read_bytes() == b"r" * (2 * MIB)


@needs_swift_path
def test_copy_between_two_connections(container: str, other_account: str) -> None:
    source = path(container, "export")
    (source / "one.csv").write_text("1")
    (source / "sub" / "two.csv").write_text("2")
    target = path(other_account, "import", conn_id="swift_other")
    (source / "one.csv").copy(target / "one.csv")
    assert (target / "one.csv").read_text() == "1"
    # across stores Airflow streams each object into the directory it makes (here a
    # marker object, "tree/"), under the source keys
    source.copy(path(other_account, "tree", conn_id="swift_other"), recursive=True)
    assert sorted(SwiftHook("swift_other").list_objects(other_account)) == [
        "import/one.csv",
        "tree/",
        "tree/export/one.csv",
        "tree/export/sub/two.csv",
    ]


@needs_swift_path
def test_mkdir_makes_a_directory_that_exists_while_empty(container: str) -> None:
    directory = path(container, "staging/empty")
    directory.mkdir(parents=True)
    assert directory.is_dir() and list(directory.iterdir()) == []
    with pytest.raises(FileExistsError):
        directory.mkdir()
    (directory / "f.txt").write_text("f")
    assert [p.name for p in directory.iterdir()] == ["f.txt"]
    assert [p.name for p in path(container, "staging").iterdir()] == ["empty"]
    directory.fs.rm(directory.path, recursive=True)
    assert not directory.exists()


@needs_swift_path
def test_mkdir_takes_every_argument_of_its_base_class(container: str) -> None:
    import inspect

    from upath import UPath

    from airflow_provider_swift.fs.upath import SwiftPath

    ours = inspect.signature(SwiftPath.mkdir).parameters
    base = inspect.signature(UPath.mkdir).parameters
    missing = [name for name in base if name not in ours]
    assert not missing, (
        f"universal_pathlib's UPath.mkdir gained {missing}: add them to SwiftPath.mkdir "
        "(airflow_provider_swift/fs/upath.py) and pass them on"
    )
    directory = path(container, "staging/modes")
    with warnings.catch_warnings():
        # 0.3.11 warns that it ignores parent_mode, as it does for every store
        warnings.simplefilter("ignore", UserWarning)
        directory.mkdir(0o755, parents=True, exist_ok=True, **_parent_mode(base))
    assert directory.is_dir()


def _parent_mode(parameters: Any) -> dict[str, int]:
    return {"parent_mode": 0o755} if "parent_mode" in parameters else {}


def test_the_installed_universal_pathlib_is_in_the_range_swift_paths_are_written_for() -> None:
    from importlib.metadata import version

    from packaging.requirements import Requirement

    from airflow_provider_swift.fs.syntax import UPATH_RANGE

    installed = version("universal-pathlib")
    assert Requirement(f"universal-pathlib{UPATH_RANGE}").specifier.contains(installed), (
        f"universal-pathlib {installed} is outside {UPATH_RANGE}, the releases "
        "airflow_provider_swift/fs/syntax.py and fs/upath.py are written for: check "
        "declare_path_syntax and SwiftPath against the new release, then widen the range "
        "in fs/syntax.py and pyproject.toml"
    )
    declared = [dep for dep in _declared_dependencies() if dep.startswith("universal-pathlib")]
    assert declared == [f"universal-pathlib{UPATH_RANGE}"]


def _declared_dependencies() -> list[str]:
    import tomllib

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    return list(tomllib.loads(pyproject.read_text())["project"]["dependencies"])


def test_swift_paths_refuse_a_universal_pathlib_that_changed_its_syntax_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from upath._flavour import WrappedFileSystemFlavour

    from airflow_provider_swift.fs.syntax import declare_path_syntax

    monkeypatch.setattr(WrappedFileSystemFlavour, "protocol_config", {}, raising=False)
    with pytest.raises(ImportError, match=r"universal-pathlib>=0\.2\.6,<0\.4"):
        declare_path_syntax(strict=True)
    declare_path_syntax(strict=False)  # the package's own import leaves it alone


def test_a_swift_path_parsed_before_the_provider_was_imported_is_read_right_after() -> None:
    # Airflow 3.0's ObjectStoragePath never asks for the swift path class: the first
    # path may be parsed before anything of the provider was imported
    script = """
from airflow.sdk import ObjectStoragePath
early = ObjectStoragePath("swift://conn@lake/a//b.csv")
import airflow_provider_swift
for url in ("swift://conn@lake/a//b.csv", "s3://conn@lake/a//b.csv"):
    late = ObjectStoragePath(url)
    print("parsed:", late.key, repr(late.parent.name), late.name, late.parts[1:])
"""
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    swift, s3 = [line for line in result.stdout.splitlines() if line.startswith("parsed:")]
    assert swift == s3  # the syntax of every cloud store: container anchor, a//b kept
    assert swift.startswith("parsed: a//b.csv ")


def test_large_file_streams_in_and_out_in_bounded_pieces(container: str, tmp_path: Path) -> None:
    data = hashlib.sha512(b"stream").digest() * (20 * MIB // 64)
    local = tmp_path / "in.bin"
    local.write_bytes(data)
    target = path(container, "stream/data.bin")
    with local.open("rb") as source, target.open("wb") as sink:
        shutil.copyfileobj(source, sink, length=MIB)
    digest = hashlib.sha256()
    with target.open("rb") as handle:
        while chunk := handle.read(MIB):
            assert len(chunk) <= MIB
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
    out = tmp_path / "out.bin"
    target.copy(path_local(out))
    assert out.read_bytes() == data


def path_local(local: Path) -> Any:
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(f"file://{local}")
