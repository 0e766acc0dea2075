"""Operators take every option of the set they pass on as an explicit keyword (for
templating and the UI) and build the option dict from the declared keys."""

from __future__ import annotations

import inspect
from collections.abc import Mapping

import pytest

from airflow_provider_swift.client.base import options as o
from airflow_provider_swift.operators import (
    SwiftCopyObjectOperator,
    SwiftCreateObjectOperator,
    SwiftDownloadOperator,
    SwiftSyncOperator,
    SwiftToSwiftOperator,
    SwiftUploadOperator,
)


def keywords(cls: type) -> set[str]:
    return {
        p
        for klass in cls.__mro__
        if "__init__" in vars(klass)
        for p in inspect.signature(klass.__init__).parameters
    }


@pytest.mark.parametrize(
    ("operator", "defaults"),
    [
        (SwiftUploadOperator, o.UPLOAD_DEFAULTS),
        (SwiftCreateObjectOperator, o.UPLOAD_DEFAULTS),
        (SwiftSyncOperator, o.SYNC_UP_DEFAULTS),
        (SwiftCopyObjectOperator, o.COPY_DEFAULTS),
        (SwiftToSwiftOperator, o.TRANSFER_DEFAULTS),
    ],
)
def test_operator_takes_every_option(operator: type, defaults: Mapping[str, object]) -> None:
    assert set(defaults) <= keywords(operator)


def test_concurrency_keywords() -> None:
    for operator in (
        SwiftUploadOperator,
        SwiftDownloadOperator,
        SwiftSyncOperator,
        SwiftToSwiftOperator,
    ):
        assert {"object_threads", "segment_threads"} <= keywords(operator), operator
        assert not {"threads", "parallel"} & keywords(operator), operator
    assert "segment_threads" in keywords(SwiftCopyObjectOperator)


def test_option_dicts() -> None:
    up = SwiftUploadOperator(
        task_id="u",
        container="c",
        source="/x",
        object_threads=2,
        segment_threads=3,
        delete_at="2000000000",
        segment_size="10",
    )
    options = up.upload_options()
    assert set(options) == set(o.UPLOAD_DEFAULTS)
    assert (options["segment_threads"], options["delete_at"], options["segment_size"]) == (
        3,
        2000000000,
        10,
    )
    copy = SwiftCopyObjectOperator(
        task_id="c",
        source_container="a",
        source_name="b",
        dest_container="c",
        dest_name="d",
        segment_threads=2,
    )
    assert copy.copy_options() == {**o.COPY_DEFAULTS, "segment_threads": 2}
    moved = SwiftToSwiftOperator(
        task_id="t",
        dest_swift_conn_id="x",
        source_container="a",
        dest_container="b",
        source_prefix="",
        object_threads=7,
    )
    assert moved.transfer_options() == {**o.TRANSFER_DEFAULTS, "object_threads": 7}
