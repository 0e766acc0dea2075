"""Segment-size rules (pure functions: no server)."""

from __future__ import annotations

import pytest

from airflow_provider_swift.client import SwiftValidationError
from airflow_provider_swift.client.large.segments import (
    DEFAULT_MIN_DERIVED_SEGMENT,
    choose_segment_size,
    composite_etag,
    segment_sizes,
)
from airflow_provider_swift.client.rest.info import Limits

MIB = 1024 * 1024


def test_a_cluster_reporting_a_larger_slo_minimum_is_respected() -> None:
    """Swift 2.38 always reports 1; older clusters could report more."""
    limits = Limits(min_segment_size=MIB)
    with pytest.raises(SwiftValidationError, match="below the cluster's SLO minimum"):
        choose_segment_size(10 * MIB, limits, segment_size=MIB // 2)
    assert choose_segment_size(10 * MIB, limits, segment_size=MIB // 2, kind="dlo") == MIB // 2


def test_derived_segment_size() -> None:
    limits = Limits(max_file_size=5 * 1024 * MIB, max_manifest_segments=1000)
    assert choose_segment_size(4 * 1024 * MIB, limits) is None  # fits in one object
    assert choose_segment_size(6 * 1024 * MIB, limits) == DEFAULT_MIN_DERIVED_SEGMENT
    huge = 1000 * 1024 * MIB
    assert choose_segment_size(huge, limits) == -(-huge // 1000)
    assert choose_segment_size(None, Limits(max_file_size=MIB)) == MIB


def test_segment_sizes_and_composite_etag() -> None:
    assert segment_sizes(10, 4) == [4, 4, 2]
    assert segment_sizes(8, 4) == [4, 4]
    assert composite_etag(['"aa"', "bb"]) == composite_etag(["aa", "bb"])
