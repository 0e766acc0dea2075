"""Stateful sensors in ``mode="reschedule"``: each poke is a new task run, so the
baseline ETag and the quiescence clock must survive it (Airflow's task state store).
Driven through ``dag.test()`` (DAGs in tests/dags/reschedule_sensors.py) with a writer
thread changing Swift while the sensor waits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_swift.hooks.swift import SwiftHook
from tests.modules import load_module

DAGS = Path(__file__).parents[1] / "dags" / "reschedule_sensors.py"
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("airflow_db", "swift_conn_id")]


def _airflow_at_least(version: str) -> bool:
    from airflow import __version__
    from packaging.version import Version

    return Version(Version(__version__).base_version) >= Version(version)


#: The task state store that carries a stateful sensor across reschedules.
needs_task_state_store = pytest.mark.skipif(
    not _airflow_at_least("3.3"), reason="the task state store is Airflow 3.3+"
)


@pytest.fixture
def hook(swift_conn_id: str) -> SwiftHook:
    return SwiftHook(swift_conn_id)


@pytest.fixture
def container(swift_container: str) -> str:
    """A new container (the plugin's, emptied and removed afterwards)."""
    return swift_container


def run_with_writer(dag_id: str, container: str, writes: Callable[[], None]) -> Any:
    """``dag.test()`` the DAG while ``writes`` changes Swift from a thread."""
    module = load_module(DAGS)
    dag = {d.dag_id: d for d in (module.changed, module.quiescence, module.soft_fail)}[dag_id]
    writer = threading.Thread(target=after_first_poke(dag_id, writes), daemon=True)
    writer.start()
    run = dag.test(run_conf={"container": container})
    writer.join(timeout=30)
    return run


def after_first_poke(dag_id: str, writes: Callable[[], None]) -> Callable[[], None]:
    """``writes``, started once the sensor has poked and been rescheduled."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.taskreschedule import TaskReschedule
    from airflow.utils.session import create_session
    from sqlalchemy import select

    def poked() -> bool:
        with create_session() as session:
            query = (
                select(TaskReschedule.id)
                .join(TaskInstance, TaskInstance.id == TaskReschedule.ti_id)
                .where(TaskInstance.dag_id == dag_id)
            )
            return session.scalars(query).first() is not None

    # The same DAG ran already against the other server: forget its reschedules.
    from sqlalchemy import delete

    with create_session() as session:
        earlier = select(TaskInstance.id).where(TaskInstance.dag_id == dag_id)
        session.execute(delete(TaskReschedule).where(TaskReschedule.ti_id.in_(earlier)))
    # One query here first: Airflow imports its models lazily on first use, and two
    # threads doing that at once deadlock on the import lock.
    assert not poked()

    def run() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if poked():
                writes()
                return
            time.sleep(0.2)
        raise TimeoutError(f"{dag_id}: the sensor never poked")

    return run


def reschedules(run: Any, task_id: str) -> int:
    from airflow.models.taskreschedule import TaskReschedule
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    ti = run.get_task_instance(task_id)
    with create_session() as session:
        return int(
            session.scalar(
                select(func.count(TaskReschedule.id)).where(TaskReschedule.ti_id == ti.id)
            )
            or 0
        )


@needs_task_state_store
def test_changed_sensor_keeps_its_first_etag_across_reschedules(
    hook: SwiftHook, container: str
) -> None:
    hook.upload_bytes(container, "report.csv", b"v1")

    def writes() -> None:
        time.sleep(3)
        hook.upload_bytes(container, "report.csv", b"v1")  # identical bytes: no change
        time.sleep(3)
        hook.upload_bytes(container, "report.csv", b"v2")

    run = run_with_writer("test_reschedule_changed", container, writes)
    assert run.state == "success"
    assert reschedules(run, "changed") >= 3  # it did wait, as separate task runs
    new_etag = hook.head_object(container, "report.csv")["etag"]
    assert run.get_task_instance("changed").xcom_pull(task_ids="changed") == new_etag


@needs_task_state_store
def test_quiescence_clock_survives_reschedules(hook: SwiftHook, container: str) -> None:
    def writes() -> None:
        for i in range(4):
            hook.upload_bytes(container, f"upload/{i}", b"x" * i)
            time.sleep(1)

    started = time.monotonic()
    run = run_with_writer("test_reschedule_quiescence", container, writes)
    assert run.state == "success"
    assert time.monotonic() - started >= 3 + 3  # the uploads, then a quiet period
    assert reschedules(run, "quiet") >= 3
    objects = run.get_task_instance("quiet").xcom_pull(task_ids="quiet")
    assert [o["name"] for o in objects] == [f"upload/{i}" for i in range(4)]


@pytest.mark.skipif(
    not _airflow_at_least("3.1.4"),
    reason="dag.test() hands a rescheduled sensor its first reschedule date as a string "
    "before Airflow 3.1.4 (task SDK 1.1.4)",
)
def test_timeout_with_soft_fail_skips(container: str) -> None:
    run = run_with_writer("test_reschedule_soft_fail", container, lambda: None)
    assert run.get_task_instance("never").state == "skipped"
