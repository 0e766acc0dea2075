"""The hook reports what it read and wrote to Airflow's hook lineage collector, as
``swift://container/object`` assets (the provider's asset factory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_swift.hooks.swift import SwiftHook


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> object:
    """A real collector (Airflow hands out a no-op one unless a lineage reader is
    installed), put where the hook looks for it."""
    from airflow.providers.common.compat.sdk import HookLineageCollector

    real = HookLineageCollector()
    monkeypatch.setattr("airflow_provider_swift.hooks.lineage._collector", lambda: real)
    return real


@pytest.fixture
def container(swift_container: str) -> str:
    """A new container (the plugin's, emptied and removed afterwards)."""
    return swift_container


def uris(items: list[object]) -> list[str]:
    return [item.asset.uri for item in items]  # type: ignore[attr-defined]


def test_reads_and_writes_are_collected(
    swift_conn_id: str, container: str, collector: object, tmp_path: Path
) -> None:
    hook = SwiftHook(swift_conn_id)
    local = tmp_path / "f.csv"
    local.write_text("a,b\n")
    hook.upload_file(container, "in/f.csv", str(local))
    hook.upload_bytes(container, "in/g.csv", b"x")
    hook.copy_object(container, "in/f.csv", container, "copy/f.csv")
    hook.move_object(container, "in/g.csv", container, "moved/g.csv")
    hook.download_file(container, "copy/f.csv", tmp_path / "back.csv")
    hook.read_object(container, "moved/g.csv")

    lineage = collector.collected_assets  # type: ignore[attr-defined]
    base = f"swift://{container}/"
    assert sorted(uris(lineage.outputs)) == sorted(
        base + n for n in ("in/f.csv", "in/g.csv", "copy/f.csv", "moved/g.csv")
    )
    assert sorted(uris(lineage.inputs)) == sorted(
        base + n for n in ("in/f.csv", "in/g.csv", "copy/f.csv", "moved/g.csv")
    )
    assert all(item.context is hook for item in lineage.inputs)


def test_a_broken_collector_never_fails_a_transfer(
    swift_conn_id: str, container: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> object:
        raise RuntimeError("no lineage today")

    monkeypatch.setattr("airflow_provider_swift.hooks.lineage._collector", broken)
    assert SwiftHook(swift_conn_id).upload_bytes(container, "o", b"1")["bytes"] == 1
