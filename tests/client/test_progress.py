"""Long transfers report progress in the log: a line per tenth, and the last at 100%."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from airflow_provider_swift.client import SwiftClient
from airflow_provider_swift.client.base.progress import Progress


def progress_lines(caplog: pytest.LogCaptureFixture, action: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "airflow_provider_swift.client.base.progress"
        and r.getMessage().startswith(action)
    ]


def test_large_upload_and_download_log_progress(
    swift_client: SwiftClient,
    swift_container: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(20 * 64 * 1024))
    caplog.set_level(logging.INFO, logger="airflow_provider_swift")
    swift_client.upload_file(swift_container, "big.bin", source, segment_size=64 * 1024)
    swift_client.download_object(swift_container, "big.bin", tmp_path / "back.bin")

    for action in ("Uploading", "Downloading"):
        lines = progress_lines(caplog, action)
        assert 1 <= len(lines) <= 10, lines  # a tenth at a time, not one per segment
        assert lines[-1].startswith(f"{action} /{swift_container}/big.bin: 1.2 of 1.2 MiB (100%)")
        assert "20 segments" in lines[-1]


def test_unknown_total_logs_by_time(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="airflow_provider_swift")
    progress = Progress("Uploading", "/c/o", None, interval=0.0)
    progress.advance(3 * 1024 * 1024)
    assert progress_lines(caplog, "Uploading")[0].startswith("Uploading /c/o: 3.0 MiB, 1 segments")
