"""Sensors against the real local Swift, each test in poke mode and in reschedule mode
(a new sensor per poke, state only in a task state store). Deferrable mode:
test_triggers.py; reschedule mode with Airflow's own store: test_reschedule.py."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_swift.client import SwiftValidationError
from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.sensors import (
    SwiftObjectChangedSensor,
    SwiftObjectSensor,
    SwiftPrefixQuiescenceSensor,
)

CONTEXT: dict[str, Any] = {}


class TaskStateStore:
    """Airflow's task state store, reduced to the three calls the sensors make, kept
    in a dict (tests/sensors/test_reschedule.py runs the real one, via dag.test())."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any, **_: Any) -> None:
        self.values[key] = json.loads(json.dumps(value))  # JSON, as the real store keeps

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


class Rescheduled:
    """A sensor in ``mode="reschedule"``: every poke is a new instance (a new task
    run); only the task state store carries anything from one poke to the next."""

    def __init__(self, cls: type, kwargs: dict[str, Any]) -> None:
        self.cls, self.kwargs, self.store = cls, kwargs, TaskStateStore()

    def poke(self, context: Any) -> Any:
        sensor = self.cls(mode="reschedule", **self.kwargs)
        result = sensor.poke({**context, "task_state_store": self.store})
        if result.is_done:
            assert self.store.values == {}  # cleaned up on success
        return result


Make = Callable[..., Any]


@pytest.fixture(params=["poke", "reschedule"])
def make(request: pytest.FixtureRequest) -> Make:
    """Build a sensor for one of the two ways of waiting in a worker."""

    def build(cls: type, **kwargs: Any) -> Any:
        return cls(**kwargs) if request.param == "poke" else Rescheduled(cls, kwargs)

    return build


@pytest.fixture
def hook(swift_conn_id: str) -> SwiftHook:
    return SwiftHook(swift_conn_id)


@pytest.fixture
def container(hook: SwiftHook) -> Iterator[str]:
    name = f"sn-{uuid.uuid4().hex[:8]}"
    hook.create_container(name)
    yield name
    for leftover in (name, f"{name}_segments"):
        hook.delete_container(leftover, force=True, missing_ok=True)


def test_object_sensor_waits_then_succeeds_with_the_objects(
    make: Make, hook: SwiftHook, container: str
) -> None:
    sensor = make(SwiftObjectSensor, task_id="s", container=container, name=["a.csv", "b.csv"])
    assert not sensor.poke(CONTEXT).is_done
    hook.upload_bytes(container, "a.csv", b"1")
    assert not sensor.poke(CONTEXT).is_done  # all names must be there
    hook.upload_bytes(container, "b.csv", b"22")
    result = sensor.poke(CONTEXT)
    assert result.is_done
    assert [(o["name"], o["bytes"]) for o in result.xcom_value] == [("a.csv", 1), ("b.csv", 2)]


def test_declarative_check_rejects_then_accepts(
    make: Make, hook: SwiftHook, container: str
) -> None:
    sensor = make(
        SwiftObjectSensor,
        task_id="s",
        container=container,
        name="data.csv",
        check={"min_size": 100, "content_type": "text/csv", "metadata": {"state": "done"}},
    )
    hook.upload_bytes(container, "data.csv", b"short", content_type="text/csv")
    assert not sensor.poke(CONTEXT).is_done
    hook.upload_bytes(
        container, "data.csv", b"x" * 200, content_type="text/csv", metadata={"state": "done"}
    )
    assert sensor.poke(CONTEXT).is_done


def test_glob_needs_one_passing_match(make: Make, hook: SwiftHook, container: str) -> None:
    sensor = make(
        SwiftObjectSensor,
        task_id="s",
        container=container,
        name="in/*/part-*.parquet",
        glob=True,
        check={"min_size": 3},
    )
    hook.upload_bytes(container, "in/2026/part-0.parquet", b"1")
    assert not sensor.poke(CONTEXT).is_done
    hook.upload_bytes(container, "in/2026/part-1.parquet", b"123")
    result = sensor.poke(CONTEXT)
    assert result.is_done and [o["name"] for o in result.xcom_value] == ["in/2026/part-1.parquet"]


def test_changed_sensor_ignores_identical_bytes_and_fires_on_new_ones(
    make: Make, hook: SwiftHook, container: str
) -> None:
    hook.upload_bytes(container, "o", b"version 1")
    sensor = make(SwiftObjectChangedSensor, task_id="c", container=container, name="o")
    assert not sensor.poke(CONTEXT).is_done  # records the baseline ETag
    hook.upload_bytes(container, "o", b"version 1")  # same bytes: same ETag
    assert not sensor.poke(CONTEXT).is_done
    new = hook.upload_bytes(container, "o", b"version 2")
    result = sensor.poke(CONTEXT)
    assert result.is_done and result.xcom_value == new["etag"]


def test_changed_sensor_with_an_empty_etag_fires_once_the_object_exists(
    make: Make, hook: SwiftHook, container: str
) -> None:
    """``etag=""``: nothing processed yet (a pipeline's first run), so any object counts."""
    sensor = make(
        SwiftObjectChangedSensor,
        task_id="c",
        container=container,
        name="first",
        etag="",
        on_delete="fail",
    )
    assert not sensor.poke(CONTEXT).is_done  # absent: not a deletion, keep waiting
    hook.upload_bytes(container, "first", b"x")
    result = sensor.poke(CONTEXT)
    assert result.is_done and result.xcom_value == hook.head_object(container, "first")["etag"]


def test_changed_sensor_with_an_slo(
    make: Make, hook: SwiftHook, container: str, tmp_path: Path
) -> None:
    source = tmp_path / "big"
    source.write_bytes(b"a" * 300 * 1024)
    first = hook.upload_file(container, "big", source, segment_size=128 * 1024)
    sensor = make(
        SwiftObjectChangedSensor, task_id="c", container=container, name="big", etag=first["etag"]
    )
    assert not sensor.poke(CONTEXT).is_done
    source.write_bytes(b"b" * 300 * 1024)
    second = hook.upload_file(container, "big", source, segment_size=128 * 1024)
    result = sensor.poke(CONTEXT)
    assert result.is_done and result.xcom_value == second["etag"] != first["etag"]


@pytest.mark.parametrize(("on_delete", "outcome"), [("wait", False), ("succeed", True)])
def test_changed_sensor_on_delete(
    make: Make, hook: SwiftHook, container: str, on_delete: str, outcome: bool
) -> None:
    hook.upload_bytes(container, "gone", b"x")
    sensor = make(
        SwiftObjectChangedSensor, task_id="c", container=container, name="gone", on_delete=on_delete
    )
    sensor.poke(CONTEXT)
    hook.delete_object_with_segments(container, "gone")
    assert sensor.poke(CONTEXT).is_done is outcome


def test_changed_sensor_fails_on_delete_when_asked(
    make: Make, hook: SwiftHook, container: str
) -> None:
    hook.upload_bytes(container, "gone", b"x")
    sensor = make(
        SwiftObjectChangedSensor, task_id="c", container=container, name="gone", on_delete="fail"
    )
    sensor.poke(CONTEXT)
    hook.delete_object_with_segments(container, "gone")
    with pytest.raises(SwiftValidationError, match="deleted"):
        sensor.poke(CONTEXT)


def test_changed_since(make: Make, hook: SwiftHook, container: str) -> None:
    sensor = make(
        SwiftObjectChangedSensor,
        task_id="c",
        container=container,
        name="t",
        since=datetime.now(UTC) - timedelta(hours=1),
    )
    hook.upload_bytes(container, "t", b"x")
    assert sensor.poke(CONTEXT).is_done


def test_quiescence_waits_while_objects_arrive_then_fires(
    make: Make, hook: SwiftHook, container: str
) -> None:
    sensor = make(
        SwiftPrefixQuiescenceSensor,
        task_id="q",
        container=container,
        prefix="upload/",
        inactivity_period=1,
        min_objects=2,
    )
    hook.upload_bytes(container, "upload/1", b"1")
    assert not sensor.poke(CONTEXT).is_done
    time.sleep(1.1)
    assert not sensor.poke(CONTEXT).is_done  # quiet, but fewer than min_objects
    hook.upload_bytes(container, "upload/2", b"2")
    assert not sensor.poke(CONTEXT).is_done  # a change restarts the clock
    hook.upload_bytes(container, "upload/2", b"22")
    assert not sensor.poke(CONTEXT).is_done  # same names, new bytes: still a change
    time.sleep(1.1)
    result = sensor.poke(CONTEXT)
    assert result.is_done and len(result.xcom_value) == 2


def test_timeout_with_soft_fail_skips(container: str) -> None:
    from airflow.providers.common.compat.sdk import AirflowSkipException

    sensor = SwiftObjectSensor(
        task_id="s",
        container=container,
        name="never",
        poke_interval=0.1,
        timeout=0.5,
        soft_fail=True,
    )
    with pytest.raises(AirflowSkipException):
        sensor.execute(CONTEXT)


def test_reschedule_mode_without_a_task_state_store_is_a_clear_error(container: str) -> None:
    """Before Airflow 3.3 there is no task state store to keep a baseline in."""
    sensor = SwiftPrefixQuiescenceSensor(
        task_id="q", container=container, prefix="p/", inactivity_period=5, mode="reschedule"
    )
    with pytest.raises(SwiftValidationError, match="task state store"):
        sensor.poke(CONTEXT)
    # nothing to remember: no store needed
    SwiftObjectChangedSensor(
        task_id="c", container=container, name="o", etag="abc", mode="reschedule"
    ).poke(CONTEXT)
    SwiftObjectSensor(task_id="s", container=container, name="o", mode="reschedule").poke(CONTEXT)
