"""A local file that changes while it is uploaded is refused, never stored as a mix of
two versions (against the real servers): rewritten, truncated, replaced."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_swift.client import SwiftClient, SwiftSourceChangedError
from airflow_provider_swift.client.large.pieces import SourceWindow

MIB = 1024 * 1024


def after_first_segment(
    client: SwiftClient, monkeypatch: pytest.MonkeyPatch, change: Callable[[], None]
) -> None:
    """Run ``change`` once, right after the first segment PUT has been answered."""
    real = client.transport.request
    done = False

    def request(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal done
        reply = real(method, path, *args, **kwargs)
        if method == "PUT" and "/slo/" in path and not done:
            done = True
            change()
        return reply

    monkeypatch.setattr(client.transport, "request", request)


def leftovers(client: SwiftClient, container: str) -> list[str]:
    try:
        return [e["name"] for e in client.iter_objects(f"{container}_segments")]
    except Exception:
        return []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: p.write_bytes(os.urandom(3 * MIB)), id="rewritten"),
        pytest.param(lambda p: os.truncate(p, MIB + MIB // 2), id="truncated"),
        pytest.param(
            lambda p: (
                p.with_name("new").write_bytes(os.urandom(3 * MIB)),
                os.replace(p.with_name("new"), p),
            ),
            id="replaced",
        ),
    ],
)
def test_a_file_changed_during_a_segmented_upload_is_refused_and_nothing_is_left(
    swift_client: SwiftClient,
    swift_container: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[Path], object],
) -> None:
    source = tmp_path / "data.bin"
    source.write_bytes(os.urandom(3 * MIB))
    after_first_segment(swift_client, monkeypatch, lambda: change(source))

    with pytest.raises(SwiftSourceChangedError, match=r"data\.bin"):
        swift_client.upload_file(
            swift_container, "data.bin", source, segment_size=MIB, segment_threads=1
        )

    assert swift_client.head_or_none(swift_container, "data.bin") is None
    assert leftovers(swift_client, swift_container) == []


def test_an_unchanged_file_still_uploads_and_resumes(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path
) -> None:
    source = tmp_path / "data.bin"
    data = os.urandom(3 * MIB)
    source.write_bytes(data)
    first = swift_client.upload_file(swift_container, "d", source, segment_size=MIB)
    assert first.segments == 3
    assert swift_client.get_object(swift_container, "d")[1] == data


def test_a_window_of_a_file_truncated_while_it_is_read_fails_at_once(tmp_path: Path) -> None:
    """Not a body shorter than its Content-Length, which a server waits on."""
    source = tmp_path / "data.bin"
    source.write_bytes(b"x" * 1000)
    with source.open("rb", buffering=0) as handle:  # no read-ahead hides the truncation
        window = SourceWindow(handle, 1000, str(source))
        assert window.read(400) == b"x" * 400
        os.truncate(source, 600)
        with pytest.raises(SwiftSourceChangedError, match="ended 400 bytes early"):
            window.read()
