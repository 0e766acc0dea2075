"""The fault matrix: every fault x every operation, through the fault-injecting proxy.

Each cell either completes with its bytes verified, or raises a typed ``SwiftError``
-- and in both cases leaves no manifest pointing at missing segments, no orphaned
segment and no partial download file. docs/faults.md reports this matrix.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from airflow_provider_swift.client import (
    AuthOptions,
    RetryPolicy,
    SwiftClient,
    SwiftError,
    SwiftNotFoundError,
    TransportOptions,
)
from airflow_provider_swift.client.large.reads import large_object_kind
from airflow_provider_swift.testing.pytest_plugin import SwiftAPIServer, empty_container
from tests.faultproxy import Fault, FaultProxy, auth_url_behind

KIB = 1024
SEGMENT = 128 * KIB
DATA = os.urandom(3 * SEGMENT + 1000)
SMALL = os.urandom(64 * KIB)


@dataclass
class Cell:
    """One operation: where its faults land, how to run it, how to check success."""

    target: tuple[str, str]  # (method, path regex) its main requests match
    run: Callable[[SwiftClient, SwiftClient, str, Path], None]


def small_upload(faulty: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    faulty.put_object(c, "small", SMALL)
    assert clean.get_object(c, "small")[1] == SMALL


def segmented_upload(faulty: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    source = tmp / "source"
    source.write_bytes(DATA)
    faulty.upload_file(c, "big", source, segment_size=SEGMENT, segment_threads=2)
    assert clean.get_object(c, "big")[1] == DATA


def download(faulty: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    source = tmp / "source"
    source.write_bytes(DATA)
    clean.upload_file(c, "big", source, segment_size=SEGMENT)
    out = tmp / "out"
    out.mkdir()
    try:
        faulty.download_object(c, "big", out / "big", segment_threads=2)
    finally:
        leftovers = [p.name for p in out.iterdir()]
        assert leftovers in ([], ["big"]), leftovers  # never a partial or temp file
    assert (out / "big").read_bytes() == DATA


def server_side_copy(faulty: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    source = tmp / "source"
    source.write_bytes(DATA)
    clean.upload_file(c, "big", source, segment_size=SEGMENT)
    faulty.copy_object(c, "big", c, "copy")
    assert clean.get_object(c, "copy")[1] == DATA


def bulk_delete(faulty: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    source = tmp / "source"
    source.write_bytes(DATA)
    clean.upload_file(c, "big", source, segment_size=SEGMENT)
    clean.put_object(c, "small", SMALL)
    faulty.delete_objects_with_segments(c, ["big", "small"]).raise_for_errors()
    assert list(clean.iter_objects(c)) == []


OPERATIONS = {
    "small upload": Cell(("PUT", r"/small$"), small_upload),
    "segmented upload": Cell(("PUT", r"_segments/.*/0000000[12]$"), segmented_upload),
    "download": Cell(("GET", r"_segments/.*/0000000[12]$"), download),
    "server-side copy": Cell(("PUT", r"_segments/copy/.*/0000000[12]$"), server_side_copy),
    "bulk delete": Cell(("POST", r"bulk-delete"), bulk_delete),
}

FAULTS: dict[str, dict[str, object]] = {
    "reset before response": {"reset": True, "times": 2},
    "reset mid request body": {"reset_mid_body": True, "times": 2},
    "reset mid response body": {"truncate": True, "times": 2},
    "503 burst": {"status": 503, "times": 3},
    "498 rate limit": {"status": 498, "times": 2, "headers": {"Retry-After": "0"}},
    "slow beyond read timeout": {"delay": 2.5, "times": 1},
    "401 mid-run": {"status": 401, "times": 1},
    "lost reply (server committed)": {"drop_response": True, "times": 1},
    "persistent 503": {"status": 503, "times": 10_000},
    "500 on manifest PUT": {"status": 500, "times": 10_000},
}


def check_invariants(clean: SwiftClient, container: str) -> None:
    """No manifest points at a missing segment; no segment is unreferenced."""
    referenced: set[tuple[str, str]] = set()
    for entry in clean.iter_objects(container):
        headers = clean.head_object(container, entry["name"])
        if large_object_kind(headers):
            for segment in clean.segments_of(container, entry["name"], headers) or []:
                clean.head_object(segment.container, segment.name)  # raises if missing
                referenced.add((segment.container, segment.name))
    try:
        stored = {
            (f"{container}_segments", e["name"])
            for e in clean.iter_objects(f"{container}_segments")
        }
    except SwiftNotFoundError:
        stored = set()
    assert stored <= referenced, f"orphaned segments: {sorted(stored - referenced)}"


@pytest.mark.slow
@pytest.mark.parametrize("fault_name", list(FAULTS))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_fault_matrix(
    operation: str,
    fault_name: str,
    server: SwiftAPIServer,
    faulty: FaultProxy,
    swift_client: SwiftClient,
    tmp_path: Path,
) -> None:
    cell = OPERATIONS[operation]
    spec = dict(FAULTS[fault_name])
    method, path = cell.target
    if fault_name == "500 on manifest PUT":
        if operation not in ("segmented upload", "server-side copy"):
            pytest.skip("no manifest is written by this operation")
        method, path = "PUT", "multipart-manifest=put"
    container = f"fm-{uuid.uuid4().hex[:8]}"
    swift_client.put_container(container)
    client = SwiftClient.connect(
        AuthOptions(
            auth_url=auth_url_behind(faulty, server.auth_url),
            username=server.user.login,
            password=server.user.key,
        ),
        TransportOptions(
            read_timeout=1.5,
            retry=RetryPolicy(max_attempts=4, backoff_initial=0.01, backoff_max=0.05),
        ),
    )
    client.server_capabilities(container)  # the one-off probe, before the fault
    fault = Fault(method=method, path=path, **spec)  # type: ignore[arg-type]
    planned = fault.times
    faulty.inject(fault)
    try:
        cell.run(client, swift_client, container, tmp_path)
        outcome = "completed"
    except SwiftError as exc:
        outcome = f"typed error {type(exc).__name__}"
    finally:
        check_invariants(swift_client, container)
        empty_container(swift_client, f"{container}_segments")
        empty_container(swift_client, container)
    assert fault.times < planned, "the fault never hit the operation"
    persistent = fault_name in ("persistent 503", "500 on manifest PUT")
    if persistent:
        assert outcome.startswith("typed error"), outcome
    else:
        assert outcome == "completed", outcome
