"""A flat listing turned into pseudo-directories: pure functions, no server."""

from __future__ import annotations

from typing import Any

from airflow_provider_swift.fs.listing import build_tree, mtime_of, walk_tree


def listed(*names: str, size: int = 1) -> list[dict[str, Any]]:
    return [
        {"name": n, "bytes": size, "hash": "0" * 32, "last_modified": "2026-01-02T03:04:05.000000"}
        for n in names
    ]


def test_every_pseudo_directory_a_name_implies_is_a_directory() -> None:
    tree = build_tree("c/top", "top/", listed("top/a", "top/d/e/f", "top/d/g"))
    assert {e["name"] for e in tree.children["c/top"]} == {"c/top/a", "c/top/d"}
    assert {e["name"] for e in tree.children["c/top/d"]} == {"c/top/d/e", "c/top/d/g"}
    assert [e["type"] for e in tree.children["c/top/d/e"]] == ["file"]
    assert tree.depth("c/top/d/e/f") == 3


def test_a_name_can_be_both_an_object_and_a_directory() -> None:
    tree = build_tree("c", "", listed("a", "a/b"))
    assert sorted((e["name"], e["type"]) for e in tree.children["c"]) == [
        ("c/a", "directory"),
        ("c/a", "file"),
    ]


def test_marker_objects_stand_for_their_directories() -> None:
    tree = build_tree("c/top", "top/", listed("top/", "top/empty/", "top/x/y"))
    assert [(e["name"], e["type"]) for e in tree.children["c/top"]] == [
        ("c/top/empty", "directory"),
        ("c/top/x", "directory"),
    ]
    assert tree.children["c/top/empty"] == []
    assert tree.objects == ["top/", "top/empty/", "top/x/y"]


def test_walk_prunes_and_limits_depth_like_os_walk() -> None:
    tree = build_tree("c", "", listed("f", "a/g", "a/b/h", "z/i"))
    walked = list(walk_tree(tree, "c", None, True, False))
    assert walked == [
        ("c", ["a", "z"], ["f"]),
        ("c/a", ["b"], ["g"]),
        ("c/a/b", [], ["h"]),
        ("c/z", [], ["i"]),
    ]
    shallow = [entry[0] for entry in walk_tree(tree, "c", 2, True, False)]
    assert shallow == ["c", "c/a", "c/z"]
    pruned = []
    for directory, dirs, _files in walk_tree(tree, "c", None, True, False):
        pruned.append(directory)
        if "a" in dirs:
            dirs.remove("a")
    assert pruned == ["c", "c/z"]
    bottom_up = [entry[0] for entry in walk_tree(tree, "c", None, False, False)]
    assert bottom_up == ["c/a/b", "c/a", "c/z", "c"]


def test_listing_times_are_utc() -> None:
    assert mtime_of("1970-01-01T00:01:00.000000") == 60.0
    assert mtime_of(None) is None
