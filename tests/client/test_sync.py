"""Directory <-> prefix sync against the real local Swift: requests counted."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from airflow_provider_swift.client import SwiftClient, SwiftError, SwiftPathTraversalError
from airflow_provider_swift.client.large.reads import large_object_kind

KIB = 1024


def tree(root: Path, files: int = 30) -> dict[str, bytes]:
    content = {}
    for index in range(files):
        relative = f"d{index % 3}/f{index:03d}.csv"
        data = os.urandom(100 + index)
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
        content[relative] = data
    return content


def sent(client: SwiftClient) -> dict[str, int]:
    return dict(client.transport.sent)


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def test_first_sync_puts_every_file_without_a_head(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    content = tree(tmp_path)
    before = sent(swift_client)
    result = swift_client.sync_up(tmp_path, swift_container, "in/")
    requests = delta(before, sent(swift_client))
    assert result.summary.counts == {"put": 30}
    assert requests.get("HEAD", 0) == 0 and requests["PUT"] == 30
    for relative, data in content.items():
        assert swift_client.get_object(swift_container, f"in/{relative}")[1] == data


def test_unchanged_resync_is_one_listing(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    tree(tmp_path)
    swift_client.sync_up(tmp_path, swift_container, "in/")
    before = sent(swift_client)
    result = swift_client.sync_up(tmp_path, swift_container, "in/")
    assert result.summary.counts == {"skip": 30}
    assert delta(before, sent(swift_client)) == {"GET": 2}  # a page, then the empty page


def test_changed_files_are_sent_and_extraneous_objects_deleted_only_when_asked(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    tree(tmp_path)
    swift_client.sync_up(tmp_path, swift_container)
    (tmp_path / "d0" / "f000.csv").write_bytes(b"changed")
    (tmp_path / "d1" / "f001.csv").unlink()
    kept = swift_client.sync_up(tmp_path, swift_container)
    assert kept.summary.counts == {"put": 1, "skip": 28}
    deleted = swift_client.sync_up(tmp_path, swift_container, delete=True)
    assert deleted.summary.counts == {"skip": 29, "delete": 1}
    names = [e["name"] for e in swift_client.iter_objects(swift_container)]
    assert "d1/f001.csv" not in names and len(names) == 29
    assert swift_client.get_object(swift_container, "d0/f000.csv")[1] == b"changed"


def test_dry_run_returns_the_plan_and_changes_nothing(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    tree(tmp_path, 5)
    swift_client.put_object(swift_container, "extra", b"x")
    before = sent(swift_client)
    plan = swift_client.sync_up(tmp_path, swift_container, dry_run=True, delete=True)
    assert plan.dry_run and plan.summary.counts == {"put": 5, "delete": 1}
    assert delta(before, sent(swift_client)).keys() == {"GET"}
    assert [e["name"] for e in swift_client.iter_objects(swift_container)] == ["extra"]


def test_include_and_exclude_select_what_takes_part(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    tree(tmp_path, 6)
    (tmp_path / "notes.txt").write_text("n")
    swift_client.put_object(swift_container, "keep.txt", b"not selected: never deleted")
    result = swift_client.sync_up(
        tmp_path, swift_container, include=["*.csv"], exclude=["d2/*"], delete=True
    )
    assert result.summary.counts == {"put": 4}
    names = {e["name"] for e in swift_client.iter_objects(swift_container)}
    assert names == {"keep.txt", "d0/f000.csv", "d0/f003.csv", "d1/f001.csv", "d1/f004.csv"}


def test_large_files_become_slos_and_an_unchanged_one_is_skipped_without_a_head(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    (tmp_path / "big.bin").write_bytes(os.urandom(300 * KIB))
    swift_client.sync_up(tmp_path, swift_container, segment_size=128 * KIB)
    assert large_object_kind(swift_client.head_object(swift_container, "big.bin")) == "slo"
    before = sent(swift_client)
    again = swift_client.sync_up(tmp_path, swift_container, segment_size=128 * KIB)
    assert again.summary.counts == {"skip": 1}
    listed = next(iter(swift_client.iter_objects(swift_container, prefix="big.bin")))
    if "slo_etag" in listed:  # where listings mark SLOs (not RGW's), no HEAD at all
        assert "HEAD" not in delta(before, sent(swift_client))
    # another segment size: the listing cannot tell, the per-segment rule can
    other = swift_client.sync_up(tmp_path, swift_container, segment_size=64 * KIB)
    assert other.summary.counts == {"skip": 1}


def test_a_retry_after_a_partial_run_sends_only_what_is_missing(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    tree(tmp_path, 12)
    swift_client.sync_up(tmp_path, swift_container, include=["d0/*"])  # "the first try"
    retry = swift_client.sync_up(tmp_path, swift_container)
    assert retry.summary.counts == {"skip": 4, "put": 8}


def test_sync_down_downloads_verified_skips_identical_and_deletes_extraneous(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    content = tree(tmp_path / "src")
    swift_client.sync_up(tmp_path / "src", swift_container, "p/")
    out = tmp_path / "out"
    first = swift_client.sync_down(swift_container, "p/", out)
    assert first.summary.counts == {"get": 30}
    for relative, data in content.items():
        assert (out / relative).read_bytes() == data
    (out / "stray.txt").write_text("x")
    (out / "d0" / "f000.csv").write_bytes(b"local edit")
    before = sent(swift_client)
    second = swift_client.sync_down(swift_container, "p/", out, delete=True)
    assert second.summary.counts == {"get": 1, "skip": 29, "delete": 1}
    assert delta(before, sent(swift_client)) == {"GET": 3}  # two listing pages, one object
    assert not (out / "stray.txt").exists()
    assert (out / "d0" / "f000.csv").read_bytes() == content["d0/f000.csv"]


def test_sync_down_refuses_names_escaping_the_directory_before_writing(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    swift_client.put_object(swift_container, "p/a", b"a")
    swift_client.put_object(swift_container, "p/../../evil", b"e")
    with pytest.raises(SwiftPathTraversalError):
        swift_client.sync_down(swift_container, "p/", tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_sync_down_of_a_large_object_is_verified_per_segment(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    data = os.urandom(300 * KIB)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "big").write_bytes(data)
    swift_client.sync_up(tmp_path / "src", swift_container, segment_size=128 * KIB)
    out = tmp_path / "out"
    assert swift_client.sync_down(swift_container, "", out).summary.counts == {"get": 1}
    assert hashlib.md5((out / "big").read_bytes()).hexdigest() == hashlib.md5(data).hexdigest()
    assert swift_client.sync_down(swift_container, "", out).summary.counts == {"skip": 1}


def test_an_error_of_any_type_in_a_worker_is_a_counted_failure_not_lost(
    swift_client: SwiftClient,
    swift_container: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker's exception that is neither Swift's nor the OS's (a bug) still fails
    the sync, counted with the others; the other files are sent."""
    tree(tmp_path, files=6)
    real = swift_client.uploads.upload_planned

    def flaky(container: str, name: str, *args: object, **kwargs: object) -> object:
        if name.endswith("f004.csv"):
            raise KeyError("a bug in a worker")
        return real(container, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(swift_client.uploads, "upload_planned", flaky)
    with pytest.raises(SwiftError, match=r"1 of 6 objects failed: in/d1/f004.csv: KeyError"):
        swift_client.sync_up(tmp_path, swift_container, "in/")
    stored = {e["name"] for e in swift_client.iter_objects(swift_container, prefix="in/")}
    assert len(stored) == 5 and "in/d1/f004.csv" not in stored
