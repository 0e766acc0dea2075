"""Local paths <-> object names: the mapping is total, round-trips, and refuses what it
cannot map (pure: random names from a seeded generator, no server)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from airflow_provider_swift.client import (
    SwiftLocalNameError,
    SwiftNameCollisionError,
    SwiftPathTraversalError,
)
from airflow_provider_swift.client.transfers.local_names import (
    Entry,
    check_layout,
    name_of,
    relative_parts,
    target_of,
)
from airflow_provider_swift.client.transfers.sync import local_files

#: characters names are drawn from: ASCII, separators, dots, spaces, non-ASCII
ALPHABET = "ab/._- é€日\u0301"


def random_name(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12)))


@pytest.mark.parametrize("seed", range(20))
def test_every_name_maps_to_one_path_or_is_refused_and_round_trips(
    seed: int, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        name = random_name(rng)
        try:
            target = target_of(tmp_path, name)
        except (SwiftLocalNameError, SwiftPathTraversalError) as refused:
            assert repr(name) in str(refused)  # the error names it
            parts = (name[:-1] if name.endswith("/") else name).split("/")
            assert any(p in ("", ".", "..") for p in parts)
            continue
        relative = target.relative_to(tmp_path.resolve()).as_posix()
        assert relative == name.removesuffix("/")  # a marker's trailing / is dropped
        assert name_of(relative) == name.removesuffix("/")  # and back


@pytest.mark.parametrize("seed", range(10))
def test_a_random_tree_maps_up_to_names_that_map_back_down(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    up = tmp_path / "up"
    written: set[str] = set()
    for _ in range(40):
        parts = [rng.choice(["a", "b", "é", "日 x", "-.z"]) for _ in range(rng.randint(1, 3))]
        path = up.joinpath(*parts)
        if any(p in written for p in (path.as_posix(), *(q.as_posix() for q in path.parents))):
            continue  # a path already a file, or a file already a directory
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            continue
        path.write_bytes(b"x")
        written.add(path.as_posix())
    tree = local_files(up, "p/")
    assert not tree.failed and not tree.skipped
    names = [f.name for f in tree.files]
    assert names == sorted(names) and len(set(names)) == len(names)
    check_layout(Entry(n.removeprefix("p/")) for n in names)
    for file in tree.files:
        assert target_of(up, file.name.removeprefix("p/")) == Path(file.path).resolve()


def test_names_that_are_not_utf8_are_refused_naming_the_file(tmp_path: Path) -> None:
    bad = os.fsdecode(b"bad\xff.txt")
    with pytest.raises(SwiftLocalNameError, match=r"bad\\xff\.txt"):
        name_of(bad)


def test_a_file_and_a_directory_at_one_path_is_a_collision_naming_both() -> None:
    with pytest.raises(SwiftNameCollisionError, match=r"'a' for objects 'a' and 'a/b'"):
        check_layout([Entry("a"), Entry("a/b")])
    # a marker and files under it agree: both say directory
    check_layout([Entry("a/", directory=True), Entry("a/b"), Entry("c", directory=True)])


def test_empty_and_dot_parts_are_refused() -> None:
    for name in ("a//b", "/a", "./x", "a/./b", "a\0b"):
        with pytest.raises(SwiftLocalNameError):
            relative_parts(name)
    assert relative_parts("a/b/") == ("a", "b")
