"""What ``swift://`` does beyond fsspec's suite: which requests it sends (the client's
verified, segmented and bulk paths), its directory cache, and create-only writes.
Against the real local Swift."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_swift.client import SwiftClient, SwiftLocalNameError, SwiftNameCollisionError
from airflow_provider_swift.fs.swift import SwiftFileSystem
from airflow_provider_swift.testing.pytest_plugin import empty_container

MIB = 1024 * 1024


@pytest.fixture
def container(swift_client: SwiftClient) -> Iterator[str]:
    name = f"fs-{uuid.uuid4().hex[:12]}"
    swift_client.put_container(name)
    yield name
    for leftover in (name, f"{name}_segments"):
        empty_container(swift_client, leftover)


@pytest.fixture
def fs(swift_client: SwiftClient) -> SwiftFileSystem:
    swift_client.capabilities()  # /info is read once; keep it out of the counts below
    return SwiftFileSystem(swift_client, segment_size=MIB)


def sent(fs: SwiftFileSystem) -> dict[str, int]:
    return dict(fs.client.transport.sent)


def since(before: dict[str, int], fs: SwiftFileSystem) -> dict[str, int]:
    after = sent(fs)
    return {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def data_of(size: int, seed: bytes = b"seed") -> bytes:
    return (hashlib.sha512(seed).digest() * (size // 64 + 1))[:size]


@pytest.fixture
def tree(container: str, swift_client: SwiftClient) -> str:
    for name in ("top/a.csv", "top/b.txt", "top/d/c.csv", "top/d/e/f.csv", "top/g/h.csv"):
        swift_client.put_object(container, name, b"x" * 3)
    return f"{container}/top"


def test_find_walk_glob_and_du_each_read_one_flat_listing(fs: SwiftFileSystem, tree: str) -> None:
    before = sent(fs)
    assert len(fs.find(tree)) == 5
    assert since(before, fs) == {"GET": 1}
    for read in (
        lambda: list(fs.walk(tree)),
        lambda: fs.glob(f"{tree}/**/*.csv"),
        lambda: fs.du(tree),
    ):
        before = sent(fs)
        read()
        assert since(before, fs) == {"GET": 1}
    assert fs.du(tree) == 15
    assert fs.glob(f"{tree}/**/*.csv") == [
        f"{tree}/a.csv",
        f"{tree}/d/c.csv",
        f"{tree}/d/e/f.csv",
        f"{tree}/g/h.csv",
    ]


def test_info_isdir_and_ls_after_a_find_send_nothing(fs: SwiftFileSystem, tree: str) -> None:
    found = fs.find(tree, withdirs=True, detail=True)
    before = sent(fs)
    for name, entry in found.items():
        assert fs.info(name)["type"] == entry["type"]
        assert fs.isdir(name) == (entry["type"] == "directory")
    assert fs.ls(f"{tree}/d", detail=False) == [f"{tree}/d/c.csv", f"{tree}/d/e"]
    assert not fs.exists(f"{tree}/nothing")
    assert since(before, fs) == {}


def test_own_writes_invalidate_the_cache_and_other_writers_need_refresh(
    fs: SwiftFileSystem, tree: str, swift_client: SwiftClient
) -> None:
    assert fs.ls(f"{tree}/d", detail=False) == [f"{tree}/d/c.csv", f"{tree}/d/e"]
    fs.pipe_file(f"{tree}/d/new/n.csv", b"n")
    assert f"{tree}/d/new" in fs.ls(f"{tree}/d", detail=False)
    fs.rm(f"{tree}/d/new", recursive=True)
    assert f"{tree}/d/new" not in fs.ls(f"{tree}/d", detail=False)
    container = tree.split("/", maxsplit=1)[0]
    swift_client.put_object(container, "top/d/other.csv", b"o")
    assert f"{tree}/d/other.csv" not in fs.ls(f"{tree}/d", detail=False)
    assert f"{tree}/d/other.csv" in fs.ls(f"{tree}/d", detail=False, refresh=True)


def test_open_xb_refuses_an_existing_object_when_opened(
    fs: SwiftFileSystem, container: str
) -> None:
    fs.pipe_file(f"{container}/taken", b"first")
    with pytest.raises(FileExistsError):
        fs.open(f"{container}/taken", "xb")
    assert fs.cat_file(f"{container}/taken") == b"first"


def test_open_xb_refuses_an_object_created_while_it_was_open(
    fs: SwiftFileSystem, container: str, swift_client: SwiftClient
) -> None:
    handle = fs.open(f"{container}/raced", "xb")
    handle.write(b"mine")
    swift_client.put_object(container, "raced", b"theirs")
    with pytest.raises(FileExistsError):
        handle.close()
    assert swift_client.get_object(container, "raced")[1] == b"theirs"


def test_pipe_file_create_mode_is_one_create_only_put(fs: SwiftFileSystem, container: str) -> None:
    before = sent(fs)
    fs.pipe_file(f"{container}/once", b"data", mode="create")
    assert since(before, fs)["PUT"] == 1  # (and HEADs: before, and after to confirm)
    with pytest.raises(FileExistsError):
        fs.pipe_file(f"{container}/once", b"again", mode="create")
    assert fs.cat_file(f"{container}/once") == b"data"


def test_a_failed_with_block_stores_nothing(fs: SwiftFileSystem, container: str) -> None:
    with pytest.raises(RuntimeError), fs.open(f"{container}/half", "wb") as handle:
        handle.write(b"half of it")
        raise RuntimeError("the task failed")
    assert not fs.exists(f"{container}/half")


def test_appending_is_refused(fs: SwiftFileSystem, container: str) -> None:
    with pytest.raises(NotImplementedError):
        fs.open(f"{container}/log", "ab")


def test_put_file_past_the_segment_size_is_a_large_object(
    fs: SwiftFileSystem, container: str, tmp_path: Path, swift_client: SwiftClient
) -> None:
    local = tmp_path / "big.bin"
    local.write_bytes(data_of(5 * MIB // 2))
    fs.put(str(local), f"{container}/big.bin")
    headers = swift_client.head_object(container, "big.bin")
    assert headers["x-static-large-object"] == "True"
    assert len(list(swift_client.iter_objects(f"{container}_segments"))) == 3
    assert fs.info(f"{container}/big.bin")["size"] == 5 * MIB // 2


def test_writing_a_large_file_spools_it_once_and_uploads_segments(
    fs: SwiftFileSystem, container: str, swift_client: SwiftClient
) -> None:
    payload = data_of(3 * MIB)
    with fs.open(f"{container}/w.bin", "wb") as handle:
        for start in range(0, len(payload), 100_000):
            handle.write(payload[start : start + 100_000])
    assert swift_client.head_object(container, "w.bin")["x-static-large-object"] == "True"
    assert fs.cat_file(f"{container}/w.bin") == payload


def test_get_file_is_a_verified_download_renamed_on_success(
    fs: SwiftFileSystem, container: str, tmp_path: Path
) -> None:
    payload = data_of(5 * MIB // 2)
    fs.pipe_file(f"{container}/dl/big.bin", payload)  # a large object: 3 segments
    target = tmp_path / "out" / "big.bin"
    fs.get(f"{container}/dl/big.bin", str(target))
    assert target.read_bytes() == payload
    with pytest.raises(FileNotFoundError):
        fs.get_file(f"{container}/dl/missing.bin", str(tmp_path / "out" / "missing.bin"))
    assert sorted(os.listdir(tmp_path / "out")) == ["big.bin"]  # no temporary file left


def test_cat_file_reads_ranges_with_one_request(fs: SwiftFileSystem, container: str) -> None:
    fs.pipe_file(f"{container}/r", b"0123456789")
    before = sent(fs)
    assert fs.cat_file(f"{container}/r", 2, 5) == b"234"
    assert since(before, fs) == {"GET": 1}
    assert fs.cat_file(f"{container}/r", -3) == b"789"
    assert fs.cat_file(f"{container}/r", 1, -7) == b"12"


def test_recursive_rm_is_a_bulk_delete_that_takes_segments_along(
    fs: SwiftFileSystem, container: str, swift_client: SwiftClient
) -> None:
    fs.pipe_file(f"{container}/gone/big.bin", data_of(5 * MIB // 2))
    for index in range(20):
        fs.pipe_file(f"{container}/gone/{index % 3}/f{index}", b"x")
    before = sent(fs)
    fs.rm(f"{container}/gone", recursive=True)
    counts = since(before, fs)
    assert counts.get("DELETE", 0) == 0 and counts["POST"] <= 2  # bulk deletes only
    assert list(swift_client.iter_objects(container)) == []
    assert list(swift_client.iter_objects(f"{container}_segments")) == []


def test_recursive_rm_of_a_container_deletes_it(
    fs: SwiftFileSystem, swift_client: SwiftClient
) -> None:
    name = f"fs-{uuid.uuid4().hex[:12]}"
    fs.mkdir(name)
    fs.pipe_file(f"{name}/a/b", b"x")
    fs.rm(name, recursive=True)
    assert name not in fs.ls("", detail=False, refresh=True)


def test_moving_one_object_is_server_side(fs: SwiftFileSystem, container: str) -> None:
    fs.pipe_file(f"{container}/from.bin", b"m" * 1000)
    before = sent(fs)
    fs.mv(f"{container}/from.bin", f"{container}/to/to.bin")
    assert since(before, fs).get("GET", 0) <= 1  # at most a listing: no object read
    assert not fs.exists(f"{container}/from.bin")
    assert fs.cat_file(f"{container}/to/to.bin") == b"m" * 1000


def test_a_dynamic_large_object_has_its_real_size(
    fs: SwiftFileSystem, container: str, tmp_path: Path, swift_client: SwiftClient
) -> None:
    local = tmp_path / "dlo.bin"
    local.write_bytes(data_of(5 * MIB // 2))
    swift_client.upload_file(container, "dlo.bin", local, segment_size=MIB, large_object="dlo")
    assert fs.find(container, detail=True)[f"{container}/dlo.bin"]["size"] == 0  # as listed
    assert fs.info(f"{container}/dlo.bin")["size"] == 5 * MIB // 2
    assert fs.cat_file(f"{container}/dlo.bin") == local.read_bytes()


def test_reading_a_whole_file_is_one_verified_get(fs: SwiftFileSystem, container: str) -> None:
    fs.pipe_file(f"{container}/whole.txt", b"line 1\nline 2\n")
    before = sent(fs)
    with fs.open(f"{container}/whole.txt", "r") as handle:
        assert handle.read() == "line 1\nline 2\n"
    assert since(before, fs) == {"HEAD": 1, "GET": 1}  # the size on open, then the bytes
    with fs.open(f"{container}/whole.txt", "rb") as handle:
        assert handle.read(4) == b"line"
        assert handle.read() == b" 1\nline 2\n"


def test_other_tools_directory_markers_are_directories(
    fs: SwiftFileSystem, container: str, swift_client: SwiftClient, tmp_path: Path
) -> None:
    """``swift upload`` stores an empty directory as a zero-byte
    ``application/directory`` object: ``swift://`` shows a directory there, also when
    files were later added under it, and ``get`` makes a directory of it."""
    marker = "application/directory"
    swift_client.put_object(container, "m/empty", b"", content_type=marker)
    swift_client.put_object(container, "m/later", b"", content_type=marker)
    swift_client.put_object(container, "m/later/x.txt", b"x")
    assert fs.info(f"{container}/m/empty")["type"] == "directory"
    listed = {entry["name"]: entry["type"] for entry in fs.ls(f"{container}/m")}
    assert listed == {f"{container}/m/empty": "directory", f"{container}/m/later": "directory"}
    assert fs.find(f"{container}/m") == [f"{container}/m/later/x.txt"]
    fs.invalidate_cache()
    assert fs.isdir(f"{container}/m/later") and fs.isdir(f"{container}/m/empty")
    fs.get(f"{container}/m/", str(tmp_path / "m"), recursive=True)
    assert (tmp_path / "m" / "later" / "x.txt").read_bytes() == b"x"


def test_put_leaves_links_out_unless_followed_inside_the_tree(
    fs: SwiftFileSystem, container: str, swift_client: SwiftClient, tmp_path: Path
) -> None:
    """The rule of sync_up and SwiftUploadOperator, for ``swift://`` put as well."""
    secret = tmp_path / "secret.txt"
    secret.write_text("not for Swift")
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_text("a")
    (tree / "leak.txt").symlink_to(secret)
    (tree / "alias.txt").symlink_to("a.txt")
    (tree / "sub" / "up").symlink_to("..")  # a loop
    fs.put(str(tree), f"{container}/p/", recursive=True)
    listed = [e["name"] for e in swift_client.iter_objects(container)]
    assert listed == ["p/tree/a.txt"]

    following = SwiftFileSystem(swift_client, follow_symlinks=True)
    with pytest.raises(SwiftLocalNameError, match=r"leak\.txt"):
        following.put(str(tree), f"{container}/q/", recursive=True)
    listed = [e["name"] for e in swift_client.iter_objects(container, prefix="q/")]
    assert listed == ["q/tree/a.txt", "q/tree/alias.txt"]


@pytest.mark.parametrize(
    ("names", "error"),
    [
        (["g/a/b", "g/a//b"], SwiftLocalNameError),
        (["g/a", "g/a/b"], SwiftNameCollisionError),
    ],
)
def test_get_refuses_names_without_a_path_of_their_own_before_writing(
    fs: SwiftFileSystem,
    container: str,
    swift_client: SwiftClient,
    tmp_path: Path,
    names: list[str],
    error: type[Exception],
) -> None:
    for name in names:
        swift_client.put_object(container, name, name.encode())
    with pytest.raises(error):
        fs.get(f"{container}/g/", str(tmp_path / "out") + "/", recursive=True)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.*"))
