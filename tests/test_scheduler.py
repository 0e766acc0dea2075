"""The example DAGs under a real Airflow: api-server, scheduler (LocalExecutor),
dag-processor and triggerer as subprocesses on a temp AIRFLOW_HOME (see
:mod:`tests.airflow_stack`), started once for this module.

- ``example_swift_nightly_etl``: its deferrable sensor ``wait_for_export`` goes
  ``deferred`` without holding a worker slot, and the run succeeds once the export
  changes;
- ``example_swift_event_driven``: an object landing under the watched prefix makes the
  triggerer's AssetWatcher schedule a run, which succeeds.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.testing.pytest_plugin import connection_json
from airflow_provider_swift.testing.server import LocalSwift
from tests.airflow_stack import PARALLELISM, AirflowStack, StackError, airflow_stack
from tests.modules import example

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).parents[1] / "example_dags"
ETL_DAG_ID = "example_swift_nightly_etl"
SENSOR_TASK_ID = "wait_for_export"
EVENTS_DAG_ID = "example_swift_event_driven"
#: Generous: a loaded 2-core CI machine; no assertion is about timing.
RUN_TIMEOUT = 240
#: After an upload under the watched prefix, how long to wait for a run before uploading
#: again: more than the watcher's poke_interval (10 s) plus scheduling.
EVENTS_PATIENCE = 30
FINISHED = {"success", "failed"}
DONE = {"success", "failed", "skipped", "upstream_failed", "removed"}


@pytest.fixture(scope="module")
def stack(
    local_swift: LocalSwift, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AirflowStack]:
    """The running Airflow, its DAGs folder holding only the two example DAGs (so
    nothing else gets scheduled), the connection ``swift_default`` in its environment."""
    dags = tmp_path_factory.mktemp("stack-dags")
    for dag_id in (ETL_DAG_ID, EVENTS_DAG_ID):
        (dags / f"{dag_id}.py").symlink_to(EXAMPLES / f"{dag_id}.py")
    env = {"AIRFLOW_CONN_SWIFT_DEFAULT": connection_json(local_swift)}
    with airflow_stack(dags, env) as running:
        yield running


def remove_containers(hook: SwiftHook, *containers: str) -> None:
    """Delete containers with their objects, and their large objects' segment containers."""
    for container in containers:
        for name in (container, f"{container}_segments"):
            hook.delete_container(name, missing_ok=True, force=True)


def export_csv(orders: int) -> str:
    """An upstream export as the ETL reads it."""
    rows = [f"{i},Customer {i},{i * 12.5:.2f}" for i in range(1, orders + 1)]
    return "\n".join(["order_id,customer,amount", *rows]) + "\n"


class StateRecorder(threading.Thread):
    """Records every distinct state one task instance goes through (polls the DB), and
    the titles of the stack's processes naming the task instance (a worker running it)."""

    def __init__(self, stack: AirflowStack, dag_id: str, run_id: str, task_id: str) -> None:
        super().__init__(daemon=True)
        self.stack, self.key = stack, (dag_id, run_id, task_id)
        self.states: list[str | None] = []
        self.workers_seen: set[str] = set()
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            ti = self.stack.task_instance(*self.key)
            if ti is None and self.states:  # a busy DB: the row, once there, stays
                time.sleep(0.2)
                continue
            state = ti["state"] if ti else None
            if not self.states or self.states[-1] != state:
                self.states.append(state)
            if ti:
                titles = self.stack.process_titles().values()
                self.workers_seen.update(t for t in titles if ti["id"] in t)
            time.sleep(0.2)

    def __enter__(self) -> StateRecorder:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.halt.set()
        self.join()


def test_etl_sensor_defers_without_holding_a_worker_slot(
    stack: AirflowStack, swift_conn_id: str
) -> None:
    """A triggered run of the nightly ETL: ``wait_for_export`` goes ``deferred``,
    holding no worker slot; the export changes; the run succeeds.

    "No worker slot held" is checked three ways while the sensor is deferred:

    * its task instance is ``deferred`` with a trigger that the triggerer has claimed
      (``trigger.triggerer_id`` set);
    * no process of the stack names the task instance's id: a LocalExecutor worker
      retitles itself ``airflow worker -- LocalExecutor: <ti id>`` while it supervises a
      task, and the task process ``airflow worker -- <ti id>``
      (airflow/executors/local_executor.py, airflow/sdk/execution_time/task_runner.py);
      the LocalExecutor's workers are all ``<idle>``. (The same titles were seen while
      the sensor ran its first poke: the check can see a held slot.)
    * the scheduler's executor, asked with SIGUSR2 (it then logs
      ``executor.queued_tasks (N)`` and ``executor.running (N)``), runs nothing and has
      nothing queued: its open slots equal ``parallelism``.

    The run is triggered (while the DAG is still paused) at the logical date of the
    DAG's next scheduled run: the scheduler then finds that run existing and creates
    no scheduled run of its own when the DAG is unpaused (``_create_dag_runs`` in
    airflow/jobs/scheduler_job_runner.py), so this run is the only one.
    """
    etl = example(ETL_DAG_ID)
    hook = SwiftHook(swift_conn_id)
    remove_containers(hook, etl.SOURCE, etl.STAGING, etl.ARCHIVE)
    hook.create_container(etl.SOURCE)
    first = hook.upload_bytes(etl.SOURCE, etl.EXPORT, export_csv(3))
    # as if last night's run had processed this export: tonight's run waits for a new one
    hook.create_container(etl.ARCHIVE, metadata={etl.PROCESSED: first["etag"]})
    run_id = f"manual__scheduler_test_{int(time.time())}"

    try:
        with stack.report_failures():
            stack.wait_for_dag(ETL_DAG_ID)
            logical_date = stack.next_dagrun(ETL_DAG_ID) or datetime.now(UTC)
            with StateRecorder(stack, ETL_DAG_ID, run_id, SENSOR_TASK_ID) as sensor:
                stack.trigger(ETL_DAG_ID, run_id, {}, logical_date)
                stack.unpause(ETL_DAG_ID)
                ti = wait_until_deferred(stack, run_id)
                assert_no_worker_slot_held(stack, ti)
                still = stack.task_instance(ETL_DAG_ID, run_id, SENSOR_TASK_ID)
                assert still is not None and still["state"] == "deferred", still

                # the export changes: the trigger fires, the sensor resumes, the run succeeds
                second = hook.upload_bytes(etl.SOURCE, etl.EXPORT, export_csv(5))
                assert second["etag"] != first["etag"]
                state = stack.wait_for(
                    lambda: (s := stack.dag_run_state(ETL_DAG_ID, run_id)) in FINISHED and s,
                    RUN_TIMEOUT,
                    f"run {run_id} to finish",
                )
                time.sleep(0.5)  # one more look for the recorder
            print(f"{SENSOR_TASK_ID}: states {sensor.states}, ran in {sensor.workers_seen}")
            assert state == "success"
            assert "deferred" in sensor.states
            assert sensor.states[-1] == "success"
            assert any("LocalExecutor" in title for title in sensor.workers_seen)
            runs = stack.query("SELECT run_id FROM dag_run WHERE dag_id = ?", (ETL_DAG_ID,))
            assert runs == [(run_id,)], runs

            # what the run did: the changed export (5 orders) went through
            extract = f"orders/{logical_date:%Y-%m-%d}.csv"  # named after the logical date
            staged = hook.head_object(etl.STAGING, extract)
            assert staged is not None and staged.get("x-object-meta-rows") == "5", staged
            assert hook.head_object(etl.ARCHIVE, extract) is not None
            archive = hook.head_container(etl.ARCHIVE) or {}
            assert archive.get(f"x-container-meta-{etl.PROCESSED}") == second["etag"], archive
    finally:
        remove_containers(hook, etl.SOURCE, etl.STAGING, etl.ARCHIVE)


def wait_until_deferred(stack: AirflowStack, run_id: str) -> dict[str, Any]:
    """The sensor's task instance, once ``deferred`` (fails early if the sensor ends
    without deferring, or the run ends)."""

    def deferred() -> dict[str, Any] | None:
        ti = stack.task_instance(ETL_DAG_ID, run_id, SENSOR_TASK_ID)
        state = ti and ti["state"]
        assert state not in DONE, f"{SENSOR_TASK_ID} ended {state} without deferring"
        assert stack.dag_run_state(ETL_DAG_ID, run_id) not in FINISHED
        return ti if state == "deferred" else None

    ti = stack.wait_for(deferred, RUN_TIMEOUT, f"{SENSOR_TASK_ID} to be deferred")
    assert ti["trigger_id"] is not None
    return ti


def assert_no_worker_slot_held(stack: AirflowStack, ti: dict[str, Any]) -> None:
    # the triggerer holds the wait
    stack.wait_for(
        lambda: stack.query(
            "SELECT triggerer_id FROM trigger WHERE id = ? AND triggerer_id IS NOT NULL",
            (ti["trigger_id"],),
        ),
        60,
        "the triggerer to claim the sensor's trigger",
    )

    # no process runs the task instance: the LocalExecutor workers are idle (a wait: a
    # worker's supervisor takes a few seconds to notice its task process has exited)
    def idle_workers() -> list[str] | None:
        titles = list(stack.process_titles().values())
        workers = [t for t in titles if t.startswith("airflow worker -- LocalExecutor")]
        busy = [t for t in titles if ti["id"] in t or (t in workers and "<idle>" not in t)]
        return workers if workers and not busy else None

    stack.wait_for(idle_workers, 60, f"no process running task instance {ti['id']}")

    # the scheduler's executor runs nothing and has nothing queued: its open slots
    # (parallelism - running - queued, BaseExecutor.slots_available) are all of them
    def idle_executor() -> dict[str, int] | None:
        dump = stack.executor_dump()
        return dump if dump["running"] == dump["queued_tasks"] == 0 else None

    stack.wait_for(idle_executor, 60, f"the executor to have its {PARALLELISM} slots open")


def watch_started(stack: AirflowStack) -> int:
    """Unpause the event-driven DAG and wait until the triggerer runs its watcher's
    trigger; the trigger's id."""
    stack.wait_for_dag(EVENTS_DAG_ID)
    stack.unpause(EVENTS_DAG_ID)
    # the dag processor registers the watcher's trigger once the DAG is unpaused (at
    # its next parse); the triggerer claims it and starts it. The watcher-trigger link
    # table: asset_trigger (Airflow 3.0, 3.1), asset_watcher (3.3)
    (link,) = stack.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name IN ('asset_watcher', 'asset_trigger')"
    )[0]
    trigger_id: int = stack.wait_for(
        lambda: stack.query(
            f"SELECT t.id FROM trigger t JOIN {link} w ON w.trigger_id = t.id "
            "WHERE t.triggerer_id IS NOT NULL"
        ),
        120,
        "the triggerer to claim the asset watcher's trigger",
    )[0][0]
    stack.wait_for(
        lambda: f"trigger ID {trigger_id} starting" in stack.log_text("triggerer"),
        60,
        f"the triggerer to start trigger {trigger_id}",
    )
    return trigger_id


def test_asset_watcher_schedules_the_event_driven_dag(
    stack: AirflowStack, swift_conn_id: str
) -> None:
    """An object landing under the watched prefix: the AssetWatcher (in the triggerer)
    emits an asset event, a run of the asset-scheduled DAG follows and succeeds, and the
    object is ingested (moved to ``processed/``)."""
    events = example(EVENTS_DAG_ID)
    hook = SwiftHook(swift_conn_id)
    remove_containers(hook, events.LANDING)
    hook.create_container(events.LANDING)  # the watcher lists it from its first poll
    landed = f"{events.INCOMING}batch.csv"

    def runs() -> list[tuple[Any, ...]]:
        return stack.query(
            "SELECT run_id, run_type, state FROM dag_run WHERE dag_id = ?", (EVENTS_DAG_ID,)
        )

    try:
        with stack.report_failures():
            watch_started(stack)
            # The watcher's first poll is its baseline: an upload made before it is part
            # of the baseline. So upload (new content each time) until a run appears.
            uploads = 0
            while not runs():
                uploads += 1
                assert uploads <= 6, f"no run of {EVENTS_DAG_ID} after {uploads - 1} uploads"
                time.sleep(2)
                hook.upload_bytes(events.LANDING, landed, export_csv(uploads))
                with contextlib.suppress(StackError):
                    stack.wait_for(runs, EVENTS_PATIENCE, f"a run of {EVENTS_DAG_ID}")
                stack.check_alive()

            finished = stack.wait_for(
                lambda: (r := runs()) and all(s in FINISHED for *_, s in r) and r,
                RUN_TIMEOUT,
                f"the runs of {EVENTS_DAG_ID} to finish",
            )
            print(f"{uploads} upload(s); runs of {EVENTS_DAG_ID}: {finished}")
            assert {run_type for _, run_type, _ in finished} == {"asset_triggered"}
            assert all(state == "success" for *_, state in finished), finished
            # the asset events carry the trigger's payload: what changed under the prefix
            payloads = [
                json.loads(extra)["payload"]
                for (extra,) in stack.query("SELECT extra FROM asset_event")
            ]
            assert payloads, "no asset event recorded"
            assert {name for p in payloads for name in p["changed"]} == {landed}, payloads
            # and the run ingested the object
            assert hook.list_objects(events.LANDING, prefix=events.INCOMING) == []
            processed = f"{events.PROCESSED}{landed[len(events.INCOMING) :]}"
            assert hook.list_objects(events.LANDING, prefix=events.PROCESSED) == [processed]
    finally:
        # the objects go, the container stays: the watcher's trigger runs on, and its
        # watermark (in the container) is the next test's starting point
        empty_prefixes(hook, events.LANDING, events.INCOMING, events.PROCESSED)


def empty_prefixes(hook: SwiftHook, container: str, *prefixes: str) -> None:
    for prefix in prefixes:
        hook.delete_objects_with_segments(container, hook.list_objects(container, prefix=prefix))


def test_objects_landing_while_the_triggerer_is_down_still_run_the_dag(
    stack: AirflowStack, swift_conn_id: str
) -> None:
    """The watcher's baseline survives a triggerer restart: with the triggerer
    stopped, an object lands; once a triggerer starts again, the trigger reads its
    watermark from Swift, reports the object, and the DAG runs and ingests it. (Held
    in memory only, the baseline of the restarted trigger would include the object,
    and no run would follow.)"""
    events = example(EVENTS_DAG_ID)
    hook = SwiftHook(swift_conn_id)
    hook.create_container(events.LANDING)
    landed = f"{events.INCOMING}while-down.csv"
    where, watermark = events.incoming.watchers[0].trigger.watermark_location

    def runs() -> list[tuple[Any, ...]]:
        return stack.query(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id", (EVENTS_DAG_ID,)
        )

    try:
        with stack.report_failures():
            trigger_id = watch_started(stack)
            stack.wait_for(
                lambda: hook.head_object(where, watermark), 60, "the watcher's watermark in Swift"
            )
            before = stack.wait_for(
                lambda: (r := runs()) is not None and all(s in FINISHED for _, s in r) and [r],
                RUN_TIMEOUT,
                "earlier runs to finish",
            )[0]
            starts = stack.log_text("triggerer").count(f"trigger ID {trigger_id} starting")

            stack.stop_component("triggerer")
            hook.upload_bytes(events.LANDING, landed, export_csv(2))
            stack.start_component("triggerer")

            stack.wait_for(
                lambda: (
                    stack.log_text("triggerer").count(f"trigger ID {trigger_id} starting") > starts
                ),
                120,
                f"the restarted triggerer to start trigger {trigger_id}",
            )
            finished = stack.wait_for(
                lambda: len(r := runs()) > len(before) and all(s in FINISHED for _, s in r) and r,
                RUN_TIMEOUT,
                f"a run of {EVENTS_DAG_ID} after the restart",
            )
            print(f"runs of {EVENTS_DAG_ID}: {finished}")
            new_runs = finished[len(before) :]
            assert [state for _, state in new_runs] == ["success"], new_runs
            payloads = [
                json.loads(extra)["payload"]
                for (extra,) in stack.query("SELECT extra FROM asset_event ORDER BY id")
            ]
            assert payloads[-1]["changed"] == [landed], payloads
            assert hook.list_objects(events.LANDING, prefix=events.INCOMING) == []
            processed = f"{events.PROCESSED}{landed[len(events.INCOMING) :]}"
            assert processed in hook.list_objects(events.LANDING, prefix=events.PROCESSED)
    finally:
        empty_prefixes(hook, events.LANDING, events.INCOMING, events.PROCESSED)
