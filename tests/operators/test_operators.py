"""Operators against the real local Swift (executed directly; DAG runs are in
tests/test_example_dags.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_swift.client import (
    SwiftPathTraversalError,
    SwiftPreconditionFailedError,
    SwiftValidationError,
)
from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.operators import (
    SwiftCopyObjectOperator,
    SwiftCreateObjectOperator,
    SwiftDeleteObjectsOperator,
    SwiftDownloadOperator,
    SwiftExpireObjectOperator,
    SwiftListOperator,
    SwiftMoveObjectOperator,
    SwiftTempUrlOperator,
    SwiftUpdateMetadataOperator,
    SwiftUploadOperator,
)

CONTEXT: dict[str, Any] = {}


def make_tree(root: Path) -> dict[str, bytes]:
    files = {
        "top.csv": b"id\n1\n",
        "with space/file name.txt": b"spaces",
        "ünïcödé/データ.json": '{"k": "ü"}'.encode(),
        "deep/a/b/c/leaf.bin": bytes(range(256)) * 1000,
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def test_directory_tree_round_trip(hook: SwiftHook, container: str, tmp_path: Path) -> None:
    files = make_tree(tmp_path / "in")
    uploaded = SwiftUploadOperator(
        task_id="up", container=container, source=str(tmp_path / "in"), prefix="landing/"
    ).execute(CONTEXT)
    assert sorted(u["name"] for u in uploaded) == sorted(f"landing/{n}" for n in files)
    listed = SwiftListOperator(task_id="ls", container=container, prefix="landing/").execute(
        CONTEXT
    )
    assert sorted(listed) == sorted(f"landing/{n}" for n in files)
    downloaded = SwiftDownloadOperator(
        task_id="down", container=container, prefix="landing/", destination=str(tmp_path / "out")
    ).execute(CONTEXT)
    assert len(downloaded) == len(files)
    for name, data in files.items():
        assert (tmp_path / "out" / name).read_bytes() == data
    again = SwiftDownloadOperator(
        task_id="down2",
        container=container,
        prefix="landing/",
        destination=str(tmp_path / "out"),
        if_exists="skip_identical",
    ).execute(CONTEXT)
    assert all(d["skipped"] for d in again)


def test_upload_glob_and_list_of_sources(container: str, tmp_path: Path) -> None:
    make_tree(tmp_path)
    by_glob = SwiftUploadOperator(
        task_id="g", container=container, source=str(tmp_path / "**" / "*.csv"), prefix="g/"
    ).execute(CONTEXT)
    assert [u["name"] for u in by_glob] == ["g/top.csv"]
    both = SwiftUploadOperator(
        task_id="l",
        container=container,
        source=[str(tmp_path / "top.csv"), str(tmp_path / "deep")],
        prefix="l/",
    ).execute(CONTEXT)
    assert sorted(u["name"] for u in both) == ["l/a/b/c/leaf.bin", "l/top.csv"]
    one = SwiftUploadOperator(
        task_id="n", container=container, source=str(tmp_path / "top.csv"), name="exact.csv"
    ).execute(CONTEXT)
    assert one[0]["name"] == "exact.csv"


def test_upload_retry_skips_identical_files(container: str, tmp_path: Path) -> None:
    make_tree(tmp_path)
    operator = SwiftUploadOperator(
        task_id="u", container=container, source=str(tmp_path), if_exists="skip_identical"
    )
    assert not any(u["skipped"] for u in operator.execute(CONTEXT))
    assert all(u["skipped"] for u in operator.execute(CONTEXT))


def test_upload_refuses_bad_sources(container: str, tmp_path: Path) -> None:
    with pytest.raises(SwiftValidationError, match="not a file"):
        SwiftUploadOperator(task_id="x", container=container, source="/nope").execute(CONTEXT)
    with pytest.raises(SwiftValidationError, match="no files"):
        SwiftUploadOperator(
            task_id="x", container=container, source=str(tmp_path / "*.none")
        ).execute(CONTEXT)


def test_download_refuses_names_escaping_the_destination(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    hook.upload_bytes(container, "in/../../escape.txt", b"evil")
    hook.upload_bytes(container, "in/fine.txt", b"ok")
    with pytest.raises(SwiftPathTraversalError, match="outside"):
        SwiftDownloadOperator(
            task_id="d", container=container, prefix="in/", destination=str(tmp_path / "dest")
        ).execute(CONTEXT)
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "dest" / "fine.txt").exists()  # refused before writing anything


def test_create_object_and_if_exists_fail(hook: SwiftHook, container: str) -> None:
    created = SwiftCreateObjectOperator(
        task_id="c",
        container=container,
        name="note.txt",
        data="héllo",
        if_exists="fail",
        metadata={"by": "airflow"},
    ).execute(CONTEXT)
    assert created["bytes"] == len("héllo".encode())
    with pytest.raises(SwiftPreconditionFailedError):
        SwiftCreateObjectOperator(
            task_id="c",
            container=container,
            name="note.txt",
            data="again",
            if_exists="fail",
        ).execute(CONTEXT)
    assert hook.read_object(container, "note.txt") == "héllo".encode()


def test_copy_move_metadata_expiry_temp_url_delete(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(container, "a", b"payload", metadata={"k": "v"})
    copy = SwiftCopyObjectOperator(
        task_id="cp",
        source_container=container,
        source_name="a",
        dest_container=container,
        dest_name="b",
    ).execute(CONTEXT)
    assert copy["destination"] == f"/{container}/b"
    move = SwiftMoveObjectOperator(
        task_id="mv",
        source_container=container,
        source_name="b",
        dest_container=container,
        dest_name="c",
    )
    move.execute(CONTEXT)
    assert move.execute(CONTEXT)["already_moved"]  # a retry after success succeeds
    assert SwiftUpdateMetadataOperator(
        task_id="md", container=container, name="c", metadata={"x": "1"}, remove=["k"]
    ).execute(CONTEXT) == {"x": "1"}
    assert SwiftUpdateMetadataOperator(
        task_id="cmd", container=container, metadata={"owner": "etl"}
    ).execute(CONTEXT) == {"owner": "etl"}
    when = SwiftExpireObjectOperator(
        task_id="ex", container=container, name="c", delete_after=3600
    ).execute(CONTEXT)
    assert when and (hook.head_object(container, "c") or {})["x-delete-at"] == str(when)
    assert (
        SwiftExpireObjectOperator(task_id="un", container=container, name="c", cancel=True).execute(
            CONTEXT
        )
        is None
    )
    hook.create_container(container, headers={"X-Container-Meta-Temp-URL-Key": "secret-k"})
    url = SwiftTempUrlOperator(task_id="t", container=container, name="c").execute(CONTEXT)
    assert "temp_url_sig=" in url and "secret-k" not in url
    deleted = SwiftDeleteObjectsOperator(task_id="del", container=container, prefix="").execute
    with pytest.raises(SwiftValidationError, match="everything"):
        deleted(CONTEXT)
    result = SwiftDeleteObjectsOperator(
        task_id="del", container=container, names=["a", "c", "zzz"]
    ).execute(CONTEXT)
    assert result == {"deleted": 2, "not_found": 1}


def test_copy_with_an_expiry_of_its_own(hook: SwiftHook, container: str, tmp_path: Path) -> None:
    """The archive pattern: a copy that expires, set as it is created -- segments too."""
    source = tmp_path / "extract.bin"
    source.write_bytes(b"0123456789" * 30_000)
    hook.upload_file(container, "big", str(source), segment_size=100_000)
    hook.upload_bytes(container, "small", b"s")
    for name in ("big", "small"):
        result = SwiftCopyObjectOperator(
            task_id="archive",
            source_container=container,
            source_name=name,
            dest_container=container,
            dest_name=f"archive/{name}",
            delete_after="3600",
        ).execute(CONTEXT)
        copied = hook.head_object(container, f"archive/{name}") or {}
        assert abs(int(copied["x-delete-at"]) - (time.time() + 3600)) < 120
        assert "x-delete-at" not in (hook.head_object(container, name) or {})
        assert result["etag"] == (hook.head_object(container, name) or {})["etag"].strip('"')
    segments = hook.client.segments_of(container, "archive/big") or []
    assert len(segments) == 3
    for segment in segments:
        stored = hook.client.head_object(segment.container, segment.name)
        assert stored["x-delete-at"] == copied_expiry(hook, container)
    with pytest.raises(SwiftValidationError, match="not both"):
        SwiftCopyObjectOperator(
            task_id="bad",
            source_container=container,
            source_name="small",
            dest_container=container,
            dest_name="x",
            delete_at=time.time() + 60,
            delete_after=60,
        ).execute(CONTEXT)


def copied_expiry(hook: SwiftHook, container: str) -> str:
    return (hook.head_object(container, "archive/big") or {})["x-delete-at"]


def test_template_fields_cover_paths_and_connection() -> None:
    for operator, fields in [
        (SwiftUploadOperator, {"container", "source", "name", "prefix", "swift_conn_id"}),
        (SwiftDownloadOperator, {"container", "name", "prefix", "destination"}),
        (
            SwiftCopyObjectOperator,
            {"source_container", "source_name", "dest_container", "dest_name"},
        ),
        (SwiftTempUrlOperator, {"container", "name", "swift_conn_id"}),
    ]:
        assert fields <= set(operator.template_fields)


def test_concurrent_uploads_with_if_exists_fail_have_one_winner(
    hook: SwiftHook, container: str
) -> None:
    """Overlapping uploads all pass Swift's If-None-Match check; the loser is told."""
    import threading

    outcomes: dict[int, str] = {}
    barrier = threading.Barrier(2)

    def upload(i: int) -> None:
        barrier.wait()
        try:
            SwiftCreateObjectOperator(
                task_id=f"w{i}",
                container=container,
                name="race",
                data=f"writer {i}" * 1000,
                if_exists="fail",
            ).execute(CONTEXT)
            outcomes[i] = "won"
        except SwiftPreconditionFailedError as exc:
            outcomes[i] = "lost" if "already exists" in str(exc) else repr(exc)
        except Exception as exc:
            outcomes[i] = repr(exc)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["lost", "won"]
    (winner,) = [i for i, outcome in outcomes.items() if outcome == "won"]
    assert hook.read_object(container, "race") == (f"writer {winner}" * 1000).encode()
