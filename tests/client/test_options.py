"""The option sets: each option declared once, the sets composed of parts, one
vocabulary for concurrency (``object_threads``, ``segment_threads``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from airflow_provider_swift.client import SwiftValidationError
from airflow_provider_swift.client.base import options as o


def test_sets_are_composed_of_parts() -> None:
    assert set(o.SEGMENT_DEFAULTS) < set(o.OBJECT_DEFAULTS) < set(o.UPLOAD_DEFAULTS)
    assert set(o.SYNC_UP_DEFAULTS) == set(o.SYNC_DEFAULTS) | set(o.OBJECT_DEFAULTS) | {
        "follow_symlinks",
        "outside_links",
    }
    assert set(o.SEGMENT_DEFAULTS) < set(o.TRANSFER_DEFAULTS)
    # the TypedDicts declare exactly the keys their defaults fill in
    for typed, defaults in [
        (o.UploadOptions, o.UPLOAD_DEFAULTS),
        (o.SyncOptions, o.SYNC_DEFAULTS),
        (o.SyncUpOptions, o.SYNC_UP_DEFAULTS),
        (o.CopyOptions, o.COPY_DEFAULTS),
        (o.TransferOptions, o.TRANSFER_DEFAULTS),
    ]:
        assert typed.__optional_keys__ == set(defaults), typed.__name__


def test_one_vocabulary_for_concurrency() -> None:
    every = [o.UPLOAD_DEFAULTS, o.SYNC_UP_DEFAULTS, o.COPY_DEFAULTS, o.TRANSFER_DEFAULTS]
    keys = {k for defaults in every for k in defaults if "thread" in k or "parallel" in k}
    assert keys == {"object_threads", "segment_threads"}


def test_defaults_kept() -> None:
    assert o.UPLOAD_DEFAULTS["segment_threads"] == 4
    assert (o.SYNC_DEFAULTS["object_threads"], o.SYNC_UP_DEFAULTS["segment_threads"]) == (10, 4)
    assert o.TRANSFER_DEFAULTS["object_threads"] == o.TRANSFER_DEFAULTS["segment_threads"] == 4
    assert o.TRANSFER_DEFAULTS["leave_segments"] is True
    assert o.UPLOAD_DEFAULTS["leave_segments"] is False


CHECKS: list[tuple[Callable[[Any], Mapping[str, object]], str]] = [
    (o.upload_options, "segment_threads"),
    (o.copy_options, "segment_threads"),
    (o.sync_options, "object_threads"),
    (o.sync_options, "segment_threads"),
    (o.sync_up_options, "object_threads"),
    (o.sync_up_options, "segment_threads"),
    (o.transfer_options, "object_threads"),
    (o.transfer_options, "segment_threads"),
]


@pytest.mark.parametrize(("check", "key"), CHECKS)
def test_threads_at_least_one(check: Callable[[Any], Mapping[str, object]], key: str) -> None:
    with pytest.raises(SwiftValidationError, match=f"^{key}=0 must be at least 1$"):
        check({key: 0})
    assert check({key: 2})[key] == 2


@pytest.mark.parametrize(
    "check", [o.upload_options, o.sync_up_options, o.copy_options, o.transfer_options]
)
def test_old_names_are_unknown(check: Callable[[Any], Mapping[str, object]]) -> None:
    with pytest.raises(SwiftValidationError, match=r"unknown .* option\(s\) threads; known:"):
        check({"threads": 2})


def test_checks_compose() -> None:
    with pytest.raises(SwiftValidationError, match="large_object='x'"):
        o.sync_up_options({"large_object": "x"})  # type: ignore[typeddict-item]
    with pytest.raises(SwiftValidationError, match="is in the past"):
        o.sync_up_options({"delete_at": int(time.time()) - 10})
    with pytest.raises(SwiftValidationError, match="if_exists='fail'"):
        o.transfer_options({"if_exists": "fail"})  # type: ignore[typeddict-item]
    with pytest.raises(SwiftValidationError, match="compare='x'"):
        o.sync_options({"compare": "x"})  # type: ignore[typeddict-item]


def test_object_part_of_a_sync() -> None:
    sync = o.sync_up_options({"object_threads": 3, "segment_threads": 2, "content_type": "a/b"})
    part = o.object_part(sync)
    assert set(part) == set(o.OBJECT_DEFAULTS)
    assert (part["segment_threads"], part["content_type"]) == (2, "a/b")
    assert o.upload_options(part)["if_exists"] == "replace"
