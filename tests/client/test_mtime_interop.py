"""Modification times the way python-swiftclient and rclone keep them
(``X-Object-Meta-Mtime``), so that every tool agrees an unchanged tree is unchanged --
checked with the real rclone against the real servers."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from airflow_provider_swift.client import SwiftClient
from airflow_provider_swift.client.wire.metadata import mtime_value, parse_mtime
from airflow_provider_swift.testing.pytest_plugin import SwiftAPIServer

MIB = 1024 * 1024


def test_mtime_values_are_exact_and_read_back() -> None:
    assert mtime_value(1_733_616_000_123_456_789) == "1733616000.123456789"
    assert parse_mtime("1733616000.123456789") == 1_733_616_000_123_456_789
    assert parse_mtime("1733616000.123456") == 1_733_616_000_123_456_000  # swiftclient's
    assert parse_mtime("1733616000") == 1_733_616_000 * 10**9
    assert parse_mtime("soon") is None and parse_mtime(None) is None


def make_tree(root: Path) -> None:
    (root / "d").mkdir(parents=True)
    (root / "small.txt").write_bytes(b"small")
    (root / "d" / "other.csv").write_bytes(b"a,b\n1,2\n")
    (root / "big.bin").write_bytes(os.urandom(3 * MIB))
    os.utime(root / "small.txt", ns=(1_700_000_000_123_456_789,) * 2)


def test_uploads_keep_the_mtime_and_downloads_restore_it(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    make_tree(tmp_path / "up")
    swift_client.sync_up(tmp_path / "up", swift_container, "in/", segment_size=MIB)
    headers = swift_client.head_object(swift_container, "in/small.txt")
    assert headers["x-object-meta-mtime"] == "1700000000.123456789"
    big = swift_client.head_object(swift_container, "in/big.bin")
    assert (
        parse_mtime(big["x-object-meta-mtime"]) == (tmp_path / "up" / "big.bin").stat().st_mtime_ns
    )

    swift_client.sync_down(swift_container, "in/", tmp_path / "down")
    for name in ("small.txt", "big.bin", "d/other.csv"):
        assert (tmp_path / "down" / name).stat().st_mtime_ns == (
            tmp_path / "up" / name
        ).stat().st_mtime_ns


@pytest.mark.skipif(shutil.which("rclone") is None, reason="rclone is not installed")
@pytest.mark.server_limitation("rgw", "F3-listing-bytes")  # rclone sees an SLO's manifest size
def test_rclone_finds_nothing_to_do_after_a_sync_and_so_does_the_sync_after_rclone(
    server: SwiftAPIServer, swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "RCLONE_CONFIG_T_TYPE": "swift",
        "RCLONE_CONFIG_T_AUTH": server.auth_url,
        "RCLONE_CONFIG_T_USER": server.user.login,
        "RCLONE_CONFIG_T_KEY": server.user.key,
        "RCLONE_CONFIG_T_AUTH_VERSION": "1",
    }

    def rclone(*args: str) -> str:
        done = subprocess.run(
            ["rclone", "--config", "/dev/null", "-v", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return done.stderr

    tree = tmp_path / "tree"
    make_tree(tree)
    swift_client.sync_up(tree, swift_container, "in/", segment_size=MIB)
    said = rclone("copy", "--dry-run", str(tree), f"t:{swift_container}/in")
    assert "Skipped" not in said, said  # no copy, no "update modification time"

    rclone("copy", "--swift-chunk-size", "1Mi", str(tree), f"t:{swift_container}/by-rclone")
    again = swift_client.sync_up(tree, swift_container, "by-rclone/", segment_size=MIB)
    assert set(again.summary.counts) == {"skip"}, again.summary.counts
