"""DAGs for the reschedule-mode tests (tests/sensors/test_reschedule.py): one
rescheduling sensor each, the container given in the run's conf."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_swift.sensors import (
    SwiftObjectChangedSensor,
    SwiftObjectSensor,
    SwiftPrefixQuiescenceSensor,
)

CONTAINER = "{{ dag_run.conf['container'] }}"

with DAG("test_reschedule_changed", schedule=None, start_date=datetime(2026, 1, 1)) as changed:
    SwiftObjectChangedSensor(
        task_id="changed",
        container=CONTAINER,
        name="report.csv",
        mode="reschedule",
        poke_interval=1,
        timeout=60,
    )

with DAG(
    "test_reschedule_quiescence", schedule=None, start_date=datetime(2026, 1, 1)
) as quiescence:
    SwiftPrefixQuiescenceSensor(
        task_id="quiet",
        container=CONTAINER,
        prefix="upload/",
        inactivity_period=3,
        min_objects=2,
        mode="reschedule",
        poke_interval=1,
        timeout=60,
    )

with DAG("test_reschedule_soft_fail", schedule=None, start_date=datetime(2026, 1, 1)) as soft_fail:
    SwiftObjectSensor(
        task_id="never",
        container=CONTAINER,
        name="never.csv",
        mode="reschedule",
        poke_interval=1,
        timeout=3,
        soft_fail=True,
    )
