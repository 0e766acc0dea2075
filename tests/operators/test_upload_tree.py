"""SwiftUploadOperator over trees and globs against the real local Swift: planned from
one listing (no HEAD per file), links left out and reported unless followed, prefixes
are folders; SwiftDownloadOperator makes directory markers directories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airflow_provider_swift.client import SwiftError
from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.operators import (
    SwiftDownloadOperator,
    SwiftUploadOperator,
)

CONTEXT: dict[str, Any] = {}


def tree(root: Path, files: int = 12) -> None:
    for index in range(files):
        path = root / f"d{index % 3}" / f"f{index:02d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{index}\n")


def test_a_tree_upload_and_its_rerun_send_no_head_per_file(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    tree(tmp_path / "in")
    sent = hook.client.transport.sent
    before = dict(sent)
    first = SwiftUploadOperator(
        task_id="up", container=container, source=str(tmp_path / "in"), prefix="landing/day 1"
    ).execute(CONTEXT)
    assert len(first) == 12 and all(r["name"].startswith("landing/day 1/") for r in first)
    assert sent.get("HEAD", 0) == before.get("HEAD", 0)  # one listing instead
    before = dict(sent)
    again = SwiftUploadOperator(
        task_id="up",
        container=container,
        source=str(tmp_path / "in"),
        prefix="landing/day 1",
        if_exists="skip_identical",
    ).execute(CONTEXT)
    assert all(r["skipped"] for r in again)
    assert sent.get("HEAD", 0) == before.get("HEAD", 0) and sent.get("PUT", 0) == before.get(
        "PUT", 0
    )


def test_links_are_left_out_by_default_in_trees_and_globs_and_followed_inside_on_request(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for Swift")
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_text("a")
    (source / "leak.txt").symlink_to(secret)
    (source / "sub" / "up").symlink_to("..")  # a loop
    (source / "alias.txt").symlink_to("a.txt")  # inside the tree

    for given in (str(source), f"{source}/**"):
        done = SwiftUploadOperator(task_id="up", container=container, source=given).execute(CONTEXT)
        assert [r["name"] for r in done] == ["a.txt"]

    with pytest.raises(SwiftError, match=r"2 local files could not be uploaded"):
        SwiftUploadOperator(
            task_id="up",
            container=container,
            source=str(source),
            prefix="f/",
            follow_symlinks=True,
        ).execute(CONTEXT)
    assert sorted(hook.list_objects(container, prefix="f/")) == ["f/a.txt", "f/alias.txt"]


def test_prefix_download_makes_markers_directories(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    client = hook.client
    client.put_object(container, "p/empty", b"", content_type="application/directory")
    client.put_object(container, "p/dir/", b"")
    client.put_object(container, "p/dir/x.txt", b"x")
    done = SwiftDownloadOperator(
        task_id="down", container=container, prefix="p/", destination=str(tmp_path / "out")
    ).execute(CONTEXT)
    assert [r["name"] for r in done] == ["p/dir/x.txt"]
    assert (tmp_path / "out" / "empty").is_dir()
    assert (tmp_path / "out" / "dir" / "x.txt").read_bytes() == b"x"
