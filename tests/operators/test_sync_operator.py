"""SwiftSyncOperator and results that scale (summary in XCom, report in Swift)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.operators import (
    SwiftDownloadOperator,
    SwiftListOperator,
    SwiftSyncOperator,
    SwiftUploadOperator,
)

TI = SimpleNamespace(dag_id="lake", run_id="manual__1", task_id="sync", map_index=-1)
CONTEXT: dict[str, Any] = {"ti": TI}


@pytest.fixture
def hook(swift_conn_id: str) -> SwiftHook:
    return SwiftHook(swift_conn_id)


@pytest.fixture
def container(hook: SwiftHook) -> Iterator[str]:
    name = f"sync-{uuid.uuid4().hex[:10]}"
    hook.create_container(name)
    yield name
    for leftover in (name, f"{name}_segments", f"{name}_reports"):
        hook.delete_container(leftover, force=True, missing_ok=True)


def make_tree(root: Path, files: int) -> None:
    for index in range(files):
        path = root / f"d{index % 2}" / f"f{index:02d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"id\n{index}\n")


def read_report(hook: SwiftHook, result: dict[str, Any]) -> dict[str, Any]:
    report = result["report"]
    loaded: dict[str, Any] = json.loads(hook.read_object(report["container"], report["name"]))
    return loaded


def test_sync_up_then_down_round_trips_and_a_rerun_skips(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    make_tree(tmp_path / "in", 6)
    up = SwiftSyncOperator(
        task_id="up", container=container, prefix="landing/", directory=str(tmp_path / "in")
    )
    first = up.execute(CONTEXT)
    assert first["counts"] == {"put": 6} and len(first["objects"]) == 6
    assert up.execute(CONTEXT)["counts"] == {"skip": 6}
    down = SwiftSyncOperator(
        task_id="down",
        container=container,
        prefix="landing/",
        directory=str(tmp_path / "out"),
        direction="down",
    )
    assert down.execute(CONTEXT)["counts"] == {"get": 6}
    assert (tmp_path / "out" / "d1" / "f05.csv").read_text() == "id\n5\n"


def test_sync_dry_run_returns_the_plan_without_touching_anything(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    make_tree(tmp_path, 3)
    plan = SwiftSyncOperator(
        task_id="plan", container=container, directory=str(tmp_path), dry_run=True
    ).execute(CONTEXT)
    assert plan["dry_run"] and plan["counts"] == {"put": 3}
    assert [o["action"] for o in plan["objects"]] == ["put"] * 3
    assert hook.list_objects(container) == []


def test_past_the_threshold_the_sync_returns_a_summary_and_writes_the_report(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    make_tree(tmp_path, 12)
    result = SwiftSyncOperator(
        task_id="sync", container=container, directory=str(tmp_path), report_threshold=5
    ).execute(CONTEXT)
    assert "objects" not in result
    assert result["counts"] == {"put": 12} and len(result["examples"]["put"]) == 5
    assert result["report"] == {
        "container": f"{container}_reports",
        "name": "lake/manual__1/sync.json",
    }
    report = read_report(hook, result)
    assert report["summary"]["counts"] == {"put": 12}
    assert sorted(o["name"] for o in report["objects"]) == sorted(hook.list_objects(container))


def test_upload_download_and_list_operators_scale_their_results_too(
    hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    make_tree(tmp_path / "in", 4)
    up = SwiftUploadOperator(
        task_id="up", container=container, source=str(tmp_path / "in"), report_threshold=3
    ).execute(CONTEXT)
    assert up["counts"] == {"put": 4} and len(read_report(hook, up)["objects"]) == 4
    down = SwiftDownloadOperator(
        task_id="down",
        container=container,
        prefix="",
        destination=str(tmp_path / "out"),
        report_threshold=3,
    ).execute(CONTEXT)
    assert down["counts"] == {"get": 4}
    listed = SwiftListOperator(task_id="ls", container=container, report_threshold=3).execute(
        CONTEXT
    )
    assert listed["count"] == 4 and read_report(hook, listed)["objects"] == hook.list_objects(
        container
    )
    small = SwiftListOperator(task_id="ls", container=container).execute(CONTEXT)
    assert isinstance(small, list) and len(small) == 4
