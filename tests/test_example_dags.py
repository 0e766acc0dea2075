"""The example DAGs run end to end against the local Swift through ``dag.test()``."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from airflow_provider_swift.hooks.swift import SwiftHook
from tests.modules import ROOT, example, load_module


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_quickstart_dag_runs(swift_conn_id: str) -> None:
    module = example("example_swift_quickstart")
    run = module.example_swift_quickstart().test()
    assert run.state == "success"
    hook = SwiftHook(swift_conn_id)
    assert hook.list_objects("quickstart", prefix="daily/") == ["daily/extract.csv"]


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
@pytest.mark.server_limitation("rgw", "tempurl-container-key")  # the DAG signs with one
def test_data_lake_dag_runs(swift_conn_id: str) -> None:
    module = example("example_swift_data_lake")
    run = module.example_swift_data_lake().test()
    assert run.state == "success"
    hook = SwiftHook(swift_conn_id)
    assert hook.head_container("lake-landing") is None  # cleaned up at the end


def seed_export(rows: int, seed: int = 0) -> dict[str, Any]:
    result: dict[str, Any] = load_module(ROOT / "scripts" / "seed_export.py").seed_export(
        rows, seed
    )
    return result


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_nightly_etl_dag_runs(swift_conn_id: str) -> None:
    """A new export: transformed, uploaded as an SLO, archived with an expiry, recorded.
    Triggered without a logical date (Airflow 3's default for manual runs): the
    extract is named after the run's ``run_after``."""
    hook = SwiftHook(swift_conn_id)
    export = seed_export(60_000)
    module = example("example_swift_nightly_etl")
    try:
        run = module.example_swift_nightly_etl().test(
            logical_date=None, run_conf={"segment_mib": 1}
        )
        assert run.state == "success"
        uploaded = run.get_task_instance("transform_and_upload").xcom_pull(
            task_ids="transform_and_upload"
        )
        assert uploaded["large_object"] == "slo" and uploaded["segments"] > 1
        assert uploaded["name"] == f"orders/{run.run_after:%Y-%m-%d}.csv"
        extract = hook.head_object("etl-staging", uploaded["name"]) or {}
        assert extract["x-object-meta-rows"] == str(60_000 - 60)  # rows without an id dropped
        assert extract["x-object-meta-source-etag"] == export["etag"]
        archived = hook.head_object("etl-archive", uploaded["name"]) or {}
        assert archived["etag"] == extract["etag"]
        assert abs(int(archived["x-delete-at"]) - (time.time() + 30 * 86400)) < 3600
        processed = hook.head_container("etl-archive") or {}
        assert processed["x-container-meta-last-export-etag"] == export["etag"]
    finally:
        for container in ("etl-source", "etl-staging", "etl-archive"):
            for name in (container, f"{container}_segments"):
                hook.delete_container(name, force=True, missing_ok=True)


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_event_driven_dag_gets_its_event_and_ingests(swift_conn_id: str) -> None:
    """The DAG's own watcher trigger, driven here against the real Swift, fires on an
    upload; then a run of the DAG moves what landed. (The scheduler test runs the
    watcher in a real triggerer.)"""
    hook = SwiftHook(swift_conn_id)
    module = example("example_swift_event_driven")
    watcher = module.incoming.watchers[0].trigger
    _, kwargs = watcher.serialize()
    trigger = type(watcher)(**{**kwargs, "poke_interval": 0.2})
    hook.create_container(module.LANDING)

    async def event_after_upload() -> dict[str, Any]:
        events = trigger.run()
        first = asyncio.ensure_future(events.__anext__())
        # new bytes each round until the event comes: an upload that lands before the
        # trigger's baseline listing is part of the baseline, the next one is a change
        # (no guess at how long the baseline takes on a loaded machine)
        for round_ in range(60):
            body = b"{}" if round_ == 0 else b'{"round": %d}' % round_
            await asyncio.to_thread(hook.upload_bytes, module.LANDING, "incoming/a.json", body)
            done, _ = await asyncio.wait({first}, timeout=1)
            if done:
                break
        return dict((await asyncio.wait_for(first, 30)).payload)

    try:
        event = asyncio.run(event_after_upload())
        assert event["changed"] == ["incoming/a.json"]
        hook.upload_bytes(module.LANDING, "incoming/b.json", b"[]")
        run = module.example_swift_event_driven().test()
        assert run.state == "success"
        assert hook.list_objects(module.LANDING, prefix="incoming/") == []
        processed = hook.list_objects(module.LANDING, prefix="processed/")
        assert processed == ["processed/a.json", "processed/b.json"]
    finally:
        hook.delete_container(module.LANDING, force=True, missing_ok=True)


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_mapped_ingestion_dag_runs(swift_conn_id: str) -> None:
    """Seven landed objects in batches of three: three mapped tasks, merged. (The
    CeleryExecutor run with two workers is tests/test_celery.py.)"""
    hook = SwiftHook(swift_conn_id)
    module = example("example_swift_ingest_mapped")
    names = [f"{module.INCOMING}{i}.csv" for i in range(7)]
    hook.create_container(module.LANDING)
    for name in names:
        hook.upload_bytes(module.LANDING, name, name.encode())
    try:
        run = module.example_swift_ingest_mapped().test(run_conf={"batch_size": 3})
        assert run.state == "success"
        report = run.get_task_instance("report").xcom_pull(task_ids="report")
        assert (report["batches"], report["copied"], report["skipped"]) == (3, 7, 0)
        assert hook.list_objects(module.LAKE) == names
        assert hook.list_objects(module.LANDING, prefix=module.INCOMING) == []
    finally:
        for container in (module.LANDING, module.LAKE):
            hook.delete_container(container, force=True, missing_ok=True)
