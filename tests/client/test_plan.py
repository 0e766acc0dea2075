"""Listing-based plans: pure decisions over listing entries and local file facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_swift.client import SwiftLocalNameError, SwiftPathTraversalError
from airflow_provider_swift.client.transfers.local_names import target_of
from airflow_provider_swift.client.transfers.plan import (
    LocalFile,
    PlanSummary,
    Step,
    Stored,
    decide_download,
    decide_upload,
    digest_needed,
    pair_up,
    selected,
)

MD5 = "0cc175b9c0f1b6a831c399e269772661"


def stored(
    name: str = "a", size: int = 1, etag: str = MD5, *, slo: bool = False, when: float = 100.0
) -> Stored:
    return Stored(name, size, etag, slo, when)


def local(name: str = "a", size: int = 1, mtime: float = 50.0) -> LocalFile:
    return LocalFile(name, f"/tmp/{name}", size, mtime)


def act(step: Step | None) -> str:
    assert step is not None
    return step.action


def test_listing_entry_of_an_slo_carries_its_unquoted_slo_etag_and_total_size() -> None:
    entry = {
        "name": "big",
        "bytes": 3145728,
        "hash": "manifest-md5",
        "last_modified": "2026-12-02T00:11:53.149950",
        "slo_etag": '"abc"',
    }
    obj = Stored.from_listing(entry)
    assert (obj.etag, obj.size, obj.slo) == ("abc", 3145728, True)
    assert obj.headers()["x-static-large-object"] == "true"
    assert obj.last_modified == pytest.approx(1796170313.14995)


def test_pair_up_merges_name_ordered_streams_once_per_name() -> None:
    pairs = list(pair_up([local("a"), local("c"), local("é")], [stored("b"), stored("c")]))
    assert [(f.name if f else None, o.name if o else None) for f, o in pairs] == [
        ("a", None),
        (None, "b"),
        ("c", "c"),
        ("é", None),
    ]


def test_a_new_file_is_put_without_asking_swift() -> None:
    step = decide_upload(local(), None)
    assert step is not None and (step.action, step.reason) == ("put", "new")


def test_an_identical_file_is_skipped_and_a_changed_one_put() -> None:
    assert digest_needed(local(), stored(), "md5", None) == "md5"
    assert act(decide_upload(local(), stored(), digest=MD5)) == "skip"
    assert act(decide_upload(local(), stored(), digest="other")) == "put"


def test_a_size_difference_decides_without_hashing() -> None:
    assert digest_needed(local(size=2), stored(), "md5", None) is None
    step = decide_upload(local(size=2), stored())
    assert step is not None and (step.action, step.reason) == ("put", "changed")


def test_zero_byte_entries_need_a_head_they_may_be_dlo_manifests() -> None:
    empty = stored(size=0, etag="d41d8cd98f00b204e9800998ecf8427e")
    assert digest_needed(local(size=10), empty, "md5", None) is None
    assert act(decide_upload(local(size=10), empty)) == "check"
    assert act(decide_download(local(size=10), empty)) == "check"


def test_an_slo_compares_by_composite_etag_else_needs_the_segment_rule() -> None:
    slo = stored(size=10, etag="composite", slo=True)
    assert digest_needed(local(size=10), slo, "md5", 4) == "composite"
    assert act(decide_upload(local(size=10), slo, digest="composite")) == "skip"
    assert act(decide_upload(local(size=10), slo, digest="other")) == "check"
    assert act(decide_upload(local(size=11), slo)) == "put"


def test_extraneous_objects_and_files_are_deleted_only_when_asked() -> None:
    assert decide_upload(None, stored()) is None
    assert act(decide_upload(None, stored(), delete=True)) == "delete"
    assert decide_download(local(), None) is None
    assert act(decide_download(local(), None, delete=True)) == "delete"


def test_size_and_mtime_compare_trusts_the_newer_copy() -> None:
    newer_object = stored(when=100.0)
    assert act(decide_upload(local(mtime=50.0), newer_object, compare="size_mtime")) == "skip"
    assert act(decide_upload(local(mtime=150.0), newer_object, compare="size_mtime")) == "put"
    assert act(decide_download(local(mtime=150.0), newer_object, compare="size_mtime")) == "skip"
    assert digest_needed(local(), newer_object, "size_mtime", None) is None


def test_filters_include_then_exclude_with_star_crossing_slashes() -> None:
    assert selected("a/b.csv", ["*.csv"], [])
    assert not selected("a/b.json", ["*.csv"], [])
    assert not selected("tmp/b.csv", ["*.csv"], ["tmp/*"])
    assert selected("anything")


def test_target_of_refuses_names_that_escape(tmp_path: Path) -> None:
    assert target_of(tmp_path, "a/b") == (tmp_path / "a" / "b").resolve()
    for bad in ("../x", "a/../../x"):
        with pytest.raises(SwiftPathTraversalError):
            target_of(tmp_path, bad)
    for bad in ("", "a//b", "./x", "a/./b"):
        with pytest.raises(SwiftLocalNameError):
            target_of(tmp_path, bad)


def test_summary_counts_bytes_and_keeps_a_few_examples() -> None:
    steps = [decide_upload(local(f"n{i}", 3), None) for i in range(8)]
    summary = PlanSummary.of([s for s in steps if s is not None], examples=2)
    assert summary.as_dict() == {
        "counts": {"put": 8},
        "bytes": {"put": 24},
        "examples": {"put": ["n0", "n1"]},
    }
