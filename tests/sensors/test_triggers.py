"""Triggers and deferrable sensors, with the triggers driven by the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.sensors import (
    SwiftObjectChangedSensor,
    SwiftObjectSensor,
    SwiftPrefixQuiescenceSensor,
)
from airflow_provider_swift.testing.server import LocalSwift
from airflow_provider_swift.triggers.swift import (
    SwiftObjectChangedTrigger,
    SwiftObjectTrigger,
    SwiftPrefixChangedEventTrigger,
    SwiftPrefixQuiescenceTrigger,
    shared_client,
)


@pytest.fixture
def hook(swift_conn_id: str) -> SwiftHook:
    return SwiftHook(swift_conn_id)


@pytest.fixture
def container(hook: SwiftHook) -> Iterator[str]:
    name = f"tr-{uuid.uuid4().hex[:8]}"
    hook.create_container(name)
    yield name
    for leftover in (name, f"{name}_segments"):
        hook.delete_container(leftover, force=True, missing_ok=True)


async def first_event(trigger: Any, timeout: float = 30) -> dict[str, Any]:
    async def take() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("the trigger ended without an event")

    return await asyncio.wait_for(take(), timeout)


def later(seconds: float, action: Any) -> threading.Thread:
    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_serialized_triggers_carry_no_secret(local_swift: LocalSwift, container: str) -> None:
    triggers = [
        SwiftObjectTrigger("swift_default", container, names=["a"], check={"min_size": 1}),
        SwiftObjectChangedTrigger("swift_default", container, name="a", etag="abc"),
        SwiftPrefixQuiescenceTrigger("swift_default", container, prefix="p/", inactivity_period=5),
        SwiftPrefixChangedEventTrigger("swift_default", container, prefix="p/"),
    ]
    for trigger in triggers:
        classpath, kwargs = trigger.serialize()
        text = json.dumps(kwargs)  # plain JSON
        assert local_swift.user.key not in text and "password" not in text
        module, _, name = classpath.rpartition(".")
        rebuilt = getattr(__import__(module, fromlist=[name]), name)(**kwargs)
        assert rebuilt.serialize() == (classpath, kwargs)


def test_object_trigger_fires_once_the_object_is_uploaded(hook: SwiftHook, container: str) -> None:
    trigger = SwiftObjectTrigger(
        "swift_default", container, names=["late.csv"], check={"min_size": 3}, poke_interval=0.2
    )
    thread = later(0.6, lambda: hook.upload_bytes(container, "late.csv", b"abc"))
    event = asyncio.run(first_event(trigger))
    thread.join()
    assert event["status"] == "success"
    assert [o["name"] for o in event["value"]] == ["late.csv"]


def test_changed_trigger_same_verdicts_as_the_sensor(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(container, "o", b"one")

    async def scenario() -> list[Any]:
        client = await shared_client("swift_default")
        trigger = SwiftObjectChangedTrigger("swift_default", container, name="o")
        verdicts = [await trigger.check(client)]  # baseline
        await asyncio.to_thread(hook.upload_bytes, container, "o", b"one")  # identical bytes
        verdicts.append(await trigger.check(client))
        new = await asyncio.to_thread(hook.upload_bytes, container, "o", b"two")
        verdicts.append(await trigger.check(client))
        verdicts.append(new["etag"])
        return verdicts

    baseline, identical, changed, new_etag = asyncio.run(scenario())
    assert baseline is None and identical is None
    assert changed == {"value": new_etag}


def test_quiescence_trigger(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(container, "up/1", b"1")
    trigger = SwiftPrefixQuiescenceTrigger(
        "swift_default", container, prefix="up/", inactivity_period=0.8, poke_interval=0.2
    )
    thread = later(0.3, lambda: hook.upload_bytes(container, "up/2", b"2"))
    started = time.monotonic()
    event = asyncio.run(first_event(trigger))
    thread.join()
    assert event["status"] == "success" and len(event["value"]) == 2
    assert time.monotonic() - started >= 0.8 + 0.3 - 0.05  # the clock restarted on the change


def test_trigger_reports_timeout(container: str, swift_conn_id: str) -> None:
    trigger = SwiftObjectTrigger(
        swift_conn_id, container, names=["never"], poke_interval=0.1, end_time=time.time() + 0.3
    )
    assert asyncio.run(first_event(trigger))["status"] == "timeout"


def test_trigger_handles_awkward_names(hook: SwiftHook, container: str) -> None:
    name = "dir/../odd %2F name?#;.csv"
    hook.upload_bytes(container, name, b"x")
    trigger = SwiftObjectTrigger("swift_default", container, names=[name], poke_interval=0.1)
    event = asyncio.run(first_event(trigger))
    assert event["value"][0]["name"] == name


def test_event_trigger_fires_on_change_under_the_prefix(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(container, "in/old", b"x")
    trigger = SwiftPrefixChangedEventTrigger("swift_default", container, "in/", poke_interval=0.2)
    # a new object every half second until the event: one that lands before the
    # trigger's first listing (a loaded machine) is its baseline, and a later one fires
    done = threading.Event()

    def land() -> None:
        for i in range(120):
            if done.wait(0.5):
                return
            hook.upload_bytes(container, f"in/new-{i:03d}", b"y")

    thread = threading.Thread(target=land)
    thread.start()
    try:
        event = asyncio.run(first_event(trigger, timeout=60))
    finally:
        done.set()
        thread.join()
    assert event["changed"] and all(name.startswith("in/new-") for name in event["changed"])
    assert "in/old" not in event["changed"]


# -- the deferrable sensors --------------------------------------------------------------


def deferred_trigger(sensor: Any) -> Any:
    from airflow.providers.common.compat.sdk import TaskDeferred

    with pytest.raises(TaskDeferred) as info:
        sensor.execute({})
    return info.value.trigger


def test_deferrable_object_sensor(hook: SwiftHook, container: str) -> None:
    sensor = SwiftObjectSensor(
        task_id="s", container=container, name="d.csv", deferrable=True, poke_interval=0.2
    )
    trigger = deferred_trigger(sensor)
    assert trigger.end_time is not None  # the sensor's overall timeout travels along
    thread = later(0.4, lambda: hook.upload_bytes(container, "d.csv", b"x"))
    event = asyncio.run(first_event(trigger))
    thread.join()
    assert sensor.execute_complete({}, event)[0]["name"] == "d.csv"


def test_deferrable_sensor_returns_at_once_if_already_satisfied(
    hook: SwiftHook, container: str
) -> None:
    hook.upload_bytes(container, "ready", b"x")
    sensor = SwiftObjectSensor(task_id="s", container=container, name="ready", deferrable=True)
    assert sensor.execute({})[0]["name"] == "ready"  # poked once, never deferred


def test_deferrable_changed_and_quiescence_sensors(hook: SwiftHook, container: str) -> None:
    hook.upload_bytes(container, "c", b"1")
    changed = SwiftObjectChangedSensor(
        task_id="c", container=container, name="c", deferrable=True, poke_interval=0.2
    )
    trigger = deferred_trigger(changed)
    assert trigger.etag  # the baseline seen by the first poke
    thread = later(0.4, lambda: hook.upload_bytes(container, "c", b"2"))
    event = asyncio.run(first_event(trigger))
    thread.join()
    assert changed.execute_complete({}, event) == (hook.head_object(container, "c") or {})[
        "etag"
    ].strip('"')
    hook.upload_bytes(container, "q/1", b"1")
    quiet = SwiftPrefixQuiescenceSensor(
        task_id="q",
        container=container,
        prefix="q/",
        inactivity_period=0.5,
        deferrable=True,
        poke_interval=0.2,
    )
    event = asyncio.run(first_event(deferred_trigger(quiet)))
    assert [o["name"] for o in quiet.execute_complete({}, event)] == ["q/1"]


def test_deferred_timeout_with_soft_fail_skips(container: str) -> None:
    from airflow.providers.common.compat.sdk import AirflowSensorTimeout, AirflowSkipException

    soft = SwiftObjectSensor(
        task_id="s",
        container=container,
        name="never",
        deferrable=True,
        timeout=0.3,
        poke_interval=0.1,
        soft_fail=True,
    )
    event = asyncio.run(first_event(deferred_trigger(soft)))
    assert event["status"] == "timeout"
    with pytest.raises(AirflowSkipException):
        soft.execute_complete({}, event)
    hard = SwiftObjectSensor(task_id="h", container=container, name="never", deferrable=True)
    with pytest.raises(AirflowSensorTimeout):
        hard.execute_complete({}, {"status": "timeout"})


@pytest.mark.parametrize(
    "module", ["airflow_provider_swift.triggers.swift", "airflow_provider_swift.sensors"]
)
def test_modules_import_on_their_own(module: str) -> None:
    """The triggerer imports a trigger's module first, without the sensors."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_event_trigger_reports_what_landed_while_no_triggerer_ran(
    hook: SwiftHook, container: str
) -> None:
    """The first trigger takes its baseline and keeps it in Swift; it stops (the
    triggerer is down); objects land and one changes; a new trigger with the same
    arguments (the triggerer is back) reports exactly those, in one event."""
    hook.upload_bytes(container, "in/old", b"x")
    hook.upload_bytes(container, "in/kept", b"k")

    def watcher() -> SwiftPrefixChangedEventTrigger:
        return SwiftPrefixChangedEventTrigger("swift_default", container, "in/", poke_interval=0.2)

    async def baseline_then_stop() -> None:
        run = watcher().run()
        task = asyncio.ensure_future(run.__anext__())
        where, name = watcher().watermark_location
        for _ in range(100):  # until the baseline is stored
            if await asyncio.to_thread(hook.head_object, where, name):
                break
            await asyncio.sleep(0.1)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(baseline_then_stop())
    hook.upload_bytes(container, "in/new", b"y")
    hook.upload_bytes(container, "in/old", b"x2")
    event = asyncio.run(first_event(watcher()))
    assert event == {
        "container": container,
        "prefix": "in/",
        "changed": ["in/new", "in/old"],
        "count": 2,
    }


def test_event_trigger_watching_a_whole_container_never_reports_its_watermark(
    hook: SwiftHook, container: str
) -> None:
    trigger = SwiftPrefixChangedEventTrigger("swift_default", container, "", poke_interval=0.2)
    thread = later(0.8, lambda: hook.upload_bytes(container, "first", b"1"))
    event = asyncio.run(first_event(trigger))
    thread.join()
    assert event["changed"] == ["first"]
    assert trigger.watermark_location[1] in hook.list_objects(container)


def test_event_trigger_without_write_access_keeps_watching_in_memory(
    hook: SwiftHook, container: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A watermark that cannot be written (here: its container does not exist) is
    logged, and the trigger still reports changes."""
    trigger = SwiftPrefixChangedEventTrigger(
        "swift_default", container, "in/", poke_interval=0.2, watermark_container="nope-404"
    )
    thread = later(0.8, lambda: hook.upload_bytes(container, "in/a", b"1"))
    event = asyncio.run(first_event(trigger))
    thread.join()
    assert event["changed"] == ["in/a"]
    assert "Cannot write the watermark" in caplog.text
