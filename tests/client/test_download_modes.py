"""Downloaded files get the mode ``open()`` would give them, whatever path wrote them
(against the real local Swift): a new file ``0o666 & ~umask``, a replaced file its own
mode -- not the 0600 of a temporary file renamed into place."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_swift.client import SwiftClient


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask_022")
def test_a_new_download_gets_0644_and_a_replaced_file_keeps_its_mode(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    swift_client.put_object(swift_container, "a.txt", b"new bytes")
    fresh = tmp_path / "fresh.txt"
    swift_client.download_object(swift_container, "a.txt", fresh)
    assert mode(fresh) == 0o644

    kept = tmp_path / "kept.txt"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    swift_client.download_object(swift_container, "a.txt", kept)
    assert kept.read_bytes() == b"new bytes" and mode(kept) == 0o640


@pytest.mark.usefixtures("umask_022")
def test_a_large_object_and_a_sync_down_get_the_same_modes(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024))
    swift_client.upload_file(swift_container, "in/big.bin", source, segment_size=1024 * 1024)
    swift_client.put_object(swift_container, "in/small.txt", b"small")
    existing = tmp_path / "down" / "small.txt"
    existing.parent.mkdir()
    existing.write_bytes(b"stale")
    existing.chmod(0o600)

    swift_client.sync_down(swift_container, "in/", tmp_path / "down")

    assert mode(tmp_path / "down" / "big.bin") == 0o644
    assert existing.read_bytes() == b"small" and mode(existing) == 0o600
