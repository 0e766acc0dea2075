"""The large-object paths that differ between Swift and Ceph RGW, on both servers.

The acceptance of the issue that brought RGW into the test matrix: an SLO of 30 MB in
5 MiB segments round-trips verified (or says it could not); bulk delete and a forced
container delete leave no segment behind; cancelling an expiry cancels it; a TempURL
is signed with a digest the server checks. Each test runs as ``[swift]`` and ``[rgw]``.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from airflow_provider_swift.client import SwiftClient, SwiftUnverifiedError, SwiftValidationError
from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.testing.pytest_plugin import empty_container

MIB = 1024 * 1024


@pytest.fixture
def box(swift_client: SwiftClient) -> Iterator[str]:
    """A fresh container; it and its segment container are removed afterwards."""
    name = f"both-{uuid.uuid4().hex[:10]}"
    swift_client.put_container(name)
    yield name
    for container in (name, f"{name}_segments"):
        empty_container(swift_client, container)


def segments_left(client: SwiftClient, container: str) -> list[str]:
    try:
        return [e["name"] for e in client.iter_objects(f"{container}_segments")]
    except Exception:
        return []


@pytest.fixture(scope="module")
def thirty_mb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "thirty.bin"
    path.write_bytes(os.urandom(30 * 1000 * 1000))
    return path


def test_thirty_mb_slo_in_5_mib_segments_round_trips_verified(
    swift_client: SwiftClient, box: str, thirty_mb: Path, tmp_path: Path
) -> None:
    result = swift_client.upload_file(box, "big.bin", thirty_mb, segment_size=5 * MIB)
    assert (result.large_object, result.segments) == ("slo", 6)
    for threads in (1, 4):  # one verified stream, or the segments fetched directly
        target = tmp_path / f"out-{threads}"
        download = swift_client.download_object(
            box, "big.bin", target, segment_threads=threads, verify="required"
        )
        assert download.verified == "segments"
        assert target.read_bytes() == thirty_mb.read_bytes()


def test_slo_whose_segments_cannot_be_found_says_it_could_not_verify(
    swift_client: SwiftClient, box: str, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    source.write_bytes(os.urandom(3 * MIB))
    swift_client.upload_file(box, "slo", source, segment_size=MIB, segment_container=f"{box}-own")
    try:
        listed = swift_client.server_capabilities(box).manifest_get_format != "empty"
        if listed:  # the manifest names the segments wherever they are
            result = swift_client.download_object(box, "slo", tmp_path / "out", verify="required")
            assert result.verified == "segments"
        else:  # RGW: not under this client's own segment names, so no segment list
            with pytest.raises(SwiftUnverifiedError, match="cannot verify"):
                swift_client.download_object(box, "slo", tmp_path / "out", verify="required")
            assert not (tmp_path / "out").exists()
            result = swift_client.download_object(box, "slo", tmp_path / "out")
            assert result.verified is None and "ETag" in (result.unverified or "")
        assert (tmp_path / "out").read_bytes() == source.read_bytes()
    finally:
        swift_client.delete_object_with_segments(box, "slo")
        empty_container(swift_client, f"{box}-own")


def test_bulk_delete_leaves_no_segment(swift_client: SwiftClient, box: str, tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.write_bytes(os.urandom(3 * MIB))
    for name in ("a", "b"):
        swift_client.upload_file(box, name, source, segment_size=MIB)
    swift_client.upload_file(box, "d", source, segment_size=MIB, large_object="dlo")
    swift_client.put_object(box, "plain", b"plain")
    assert len(segments_left(swift_client, box)) == 9
    result = swift_client.delete_objects_with_segments(box, ["a", "b", "d", "plain", "never-was"])
    assert (result.deleted, result.not_found, result.errors) == (4 + 9, 1, [])  # segments too
    assert list(swift_client.iter_objects(box)) == []
    assert segments_left(swift_client, box) == []


def test_forced_container_delete_leaves_no_segment(
    swift_conn_id: str, swift_client: SwiftClient, tmp_path: Path
) -> None:
    hook = SwiftHook(swift_conn_id)
    container = f"force-{uuid.uuid4().hex[:10]}"
    hook.create_container(container)
    source = tmp_path / "src"
    source.write_bytes(os.urandom(2 * MIB))
    for index in range(3):
        hook.upload_file(container, f"slo-{index}", str(source), segment_size=MIB)
    hook.upload_bytes(container, "plain", b"x")
    assert hook.delete_container(container, force=True)
    assert hook.head_container(container) is None
    assert segments_left(swift_client, container) == []
    empty_container(swift_client, f"{container}_segments")


def test_expire_object_cancel_cancels(swift_conn_id: str, box: str, tmp_path: Path) -> None:
    hook = SwiftHook(swift_conn_id)
    hook.upload_bytes(box, "plain", b"x")
    source = tmp_path / "src"
    source.write_bytes(os.urandom(2 * MIB))
    hook.upload_file(box, "slo", str(source), segment_size=MIB)
    for name in ("plain", "slo"):
        assert hook.expire_object(box, name, delete_after=3600) is not None
        assert hook.expire_object(box, name, cancel=True) is None
        assert "x-delete-at" not in (hook.head_object(box, name) or {})
    for segment in hook.client.segments_of(box, "slo") or []:
        assert "x-delete-at" not in hook.client.head_object(segment.container, segment.name)


def test_temp_url_default_digest_is_one_the_server_checks(
    swift_conn_id: str, box: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = SwiftHook(swift_conn_id)
    hook.upload_bytes(box, "shared", b"shared bytes")
    key = f"k-{uuid.uuid4().hex}"
    hook.client.post_account(headers={"X-Account-Meta-Temp-URL-Key": key})
    try:
        url = hook.generate_temp_url(box, "shared", expires_in=600)
        assert requests.get(url, timeout=30).content == b"shared bytes"
        allowed = hook.client.tempurl_digests()
        for digest in {"sha1", "sha256", "sha512"} - allowed:
            with pytest.raises(SwiftValidationError, match="checks TempURL signatures"):
                hook.generate_temp_url(box, "shared", digest=digest)
    finally:
        hook.client.post_account(headers={"X-Remove-Account-Meta-Temp-URL-Key": "x"})


def test_sensor_size_check_uses_the_real_size_of_large_objects(
    swift_conn_id: str, box: str, tmp_path: Path
) -> None:
    from airflow_provider_swift.sensors.swift import SwiftObjectSensor

    hook = SwiftHook(swift_conn_id)
    source = tmp_path / "src"
    source.write_bytes(os.urandom(2 * MIB + 5))
    hook.upload_file(box, "in/slo", str(source), segment_size=MIB)
    hook.upload_file(box, "in/dlo", str(source), segment_size=MIB, large_object="dlo")
    for name in ("in/slo", "in/dlo"):
        sensor = SwiftObjectSensor(
            task_id=f"t{time.monotonic_ns()}",
            swift_conn_id=swift_conn_id,
            container=box,
            name=name.replace("in/", "in/*"),
            glob=True,
            check={"min_size": 2 * MIB},
        )
        assert sensor.poke({}).is_done
        too_big = SwiftObjectSensor(
            task_id=f"t{time.monotonic_ns()}",
            swift_conn_id=swift_conn_id,
            container=box,
            name=name.replace("in/", "in/*"),
            glob=True,
            check={"min_size": 2 * MIB + 6},
        )
        assert not too_big.poke({}).is_done
