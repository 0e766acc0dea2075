"""The local side of a sync against the real servers: names that are not UTF-8, links,
colliding object names and other tools' directory markers -- nothing silently dropped,
nothing overwritten, refused before anything is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from airflow_provider_swift.client import (
    SwiftClient,
    SwiftError,
    SwiftLocalNameError,
    SwiftNameCollisionError,
)
from airflow_provider_swift.client.transfers.sync import local_files


def names(client: SwiftClient, container: str, prefix: str = "") -> list[str]:
    return [e["name"] for e in client.iter_objects(container, prefix=prefix)]


def test_a_file_whose_name_is_not_utf8_is_a_counted_failure_not_a_silent_drop(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    (tmp_path / "good.txt").write_bytes(b"good")
    (tmp_path / os.fsdecode(b"bad\xff.txt")).write_bytes(b"bad")
    with pytest.raises(SwiftError, match=r"1 local files cannot take part: bad\\xff\.txt"):
        swift_client.sync_up(tmp_path, swift_container, "in/", dry_run=True)
    with pytest.raises(
        SwiftError, match=r"1 of 2 objects failed: bad\\xff\.txt: .*not valid UTF-8"
    ):
        swift_client.sync_up(tmp_path, swift_container, "in/")
    assert names(swift_client, swift_container) == ["in/good.txt"]  # the others still go


def test_symbolic_links_are_left_out_and_counted_by_default(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not for Swift")
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_bytes(b"a")
    (tree / "leak.txt").symlink_to(secret)
    (tree / "sub" / "up").symlink_to("..")  # a loop, were it followed
    result = swift_client.sync_up(tree, swift_container, "in/")
    assert names(swift_client, swift_container) == ["in/a.txt"]
    skipped = {name: reason for action, name, _, reason, _ in result.records if action == "skip"}
    assert skipped == {
        "leak.txt": "symbolic link (follow_symlinks=False)",
        "sub/up": "symbolic link (follow_symlinks=False)",
    }
    assert result.summary.counts == {"put": 1, "skip": 2}


def test_followed_links_stay_inside_the_tree_and_loops_are_failures(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"x")
    tree = tmp_path / "tree"
    (tree / "data").mkdir(parents=True)
    (tree / "data" / "f.txt").write_bytes(b"f")
    (tree / "alias").symlink_to("data")  # inside: followed
    (tree / "data" / "up").symlink_to("..")  # back to an ancestor: a loop
    (tree / "leak.txt").symlink_to(outside)  # outside: refused
    found = local_files(tree, "", follow_symlinks=True)
    assert [f.name for f in found.files] == ["alias/f.txt", "data/f.txt"]
    failed = {path: str(error) for path, error in found.failed}
    assert set(failed) == {"leak.txt", "data/up", "alias/up"}
    assert "points outside the tree" in failed["leak.txt"]
    assert "loop" in failed["data/up"]
    allowed = local_files(tree, "", follow_symlinks=True, outside_links=True)
    assert "leak.txt" in [f.name for f in allowed.files]


@pytest.mark.parametrize(
    ("objects", "error"),
    [
        (["in/a/b", "in/a//b"], SwiftLocalNameError),
        (["in/./x"], SwiftLocalNameError),
        (["in/a", "in/a/b"], SwiftNameCollisionError),
    ],
)
def test_object_names_without_a_path_of_their_own_are_refused_before_any_write(
    swift_client: SwiftClient,
    swift_container: str,
    tmp_path: Path,
    objects: list[str],
    error: type[Exception],
) -> None:
    for name in objects:
        swift_client.put_object(swift_container, name, name.encode())
    (tmp_path / "kept.txt").write_bytes(b"mine")
    with pytest.raises(error):
        swift_client.sync_down(swift_container, "in/", tmp_path, delete=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]  # nothing written or deleted


def test_directory_markers_of_other_tools_are_directories(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    """What ``swift upload`` stores for empty directories: 0-byte
    ``application/directory`` objects (and pseudo-directories ending in ``/``)."""
    marker = "application/directory"
    swift_client.put_object(swift_container, "in/empty", b"", content_type=marker)
    swift_client.put_object(swift_container, "in/later", b"", content_type=marker)
    swift_client.put_object(swift_container, "in/later/x.txt", b"x")
    swift_client.put_object(swift_container, "in/slash/", b"")
    down = tmp_path / "down"
    swift_client.sync_down(swift_container, "in/", down)
    assert (down / "empty").is_dir() and (down / "slash").is_dir()
    assert (down / "later" / "x.txt").read_bytes() == b"x"
    # a second run agrees, and a sync back up neither uploads nor deletes the markers
    assert swift_client.sync_down(swift_container, "in/", down).summary.counts == {"skip": 1}
    up = swift_client.sync_up(down, swift_container, "in/", delete=True)
    assert up.summary.counts == {"skip": 1}
    assert "in/empty" in names(swift_client, swift_container)


def test_a_prefix_is_a_folder_both_ways(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    """``landing/day 1`` holds the tree (as rclone and ``swift upload --object-name``
    take it); a sync down of ``in`` does not take ``inbox/`` along."""
    (tmp_path / "up").mkdir()
    (tmp_path / "up" / "plain.txt").write_bytes(b"p")
    swift_client.sync_up(tmp_path / "up", swift_container, "landing/day 1")
    assert names(swift_client, swift_container) == ["landing/day 1/plain.txt"]

    swift_client.put_object(swift_container, "in/a.txt", b"a")
    swift_client.put_object(swift_container, "inbox/b.txt", b"b")
    swift_client.sync_down(swift_container, "in", tmp_path / "down")
    assert sorted(p.name for p in (tmp_path / "down").iterdir()) == ["a.txt"]


def test_sync_up_follows_links_inside_the_tree_when_asked(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "f.txt").write_bytes(b"f")
    (tmp_path / "alias").symlink_to("data")
    swift_client.sync_up(tmp_path, swift_container, "in/", follow_symlinks=True)
    assert names(swift_client, swift_container) == ["in/alias/f.txt", "in/data/f.txt"]
