"""Sensors: an object (or several) appears and passes a check; an object's ETag
changes; a prefix goes quiet. Their decisions are the plain functions of
:mod:`airflow_provider_swift.conditions`.

State a sensor needs between pokes (a baseline ETag, the quiescence clock) lives on
the sensor in ``mode="poke"``, travels inside the trigger when deferred, and in
``mode="reschedule"`` is kept in Airflow's task state store (``context["task_state_store"]``,
Airflow 3.3+) -- not in XCom, which Airflow clears each time a rescheduled task starts
again. It is a few bytes of JSON under one key, deleted when the sensor succeeds.
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowSensorTimeout,
    AirflowSkipException,
    BaseSensorOperator,
    PokeReturnValue,
)
from airflow.triggers.base import BaseTrigger

from airflow_provider_swift.client import SwiftNotFoundError, SwiftValidationError
from airflow_provider_swift.client.base.options import ON_DELETE, OnDelete, check_choice
from airflow_provider_swift.client.rest.objects import strip_etag
from airflow_provider_swift.conditions import (
    ObjectCheck,
    etag_changed,
    listing_summary,
    object_summary,
    objects_ready,
    prefix_objects,
    quiescence,
)
from airflow_provider_swift.hooks.arguments import glob_prefix
from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.operators.base import is_template
from airflow_provider_swift.triggers.swift import (
    SwiftObjectChangedTrigger,
    SwiftObjectTrigger,
    SwiftPrefixQuiescenceTrigger,
)


def _moment(value: datetime | str | None) -> datetime | None:
    """A timezone-aware moment from a datetime or an ISO 8601 string; None for
    None or ``""`` (a template that rendered to nothing)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise SwiftValidationError(f"since={value!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise SwiftValidationError(f"since={value.isoformat()} needs a timezone")
    return value


def _default_deferrable() -> bool:
    from airflow.configuration import conf

    return conf.getboolean("operators", "default_deferrable", fallback=False)


class _SwiftSensor(BaseSensorOperator):
    """Poke once; if not done and ``deferrable``, hand the wait to a trigger.

    The trigger gets the absolute end of the sensor's ``timeout``, so the overall
    timeout holds however the wait is split; on timeout ``soft_fail`` skips.

    :param container: (templated)
    :param swift_conn_id: the ``swift`` connection to use (templated).
    :param deferrable: hand the wait to a trigger (a switch, not templated; default:
        Airflow's ``[operators] default_deferrable``).
    """

    template_fields: Sequence[str] = ("swift_conn_id", "container")
    ui_color = "#e8f0fb"

    def __init__(
        self,
        *,
        container: str,
        swift_conn_id: str = SwiftHook.default_conn_name,
        deferrable: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.swift_conn_id = swift_conn_id
        self.deferrable = _default_deferrable() if deferrable is None else deferrable
        self._state: Any = None

    #: The key of this sensor's state in the task state store (reschedule mode).
    state_key = "swift_sensor_state"

    def trigger(self, end_time: float) -> BaseTrigger:
        """The trigger that continues this sensor's wait."""
        raise NotImplementedError

    def keeps_state(self) -> bool:
        """Whether a poke needs what earlier pokes saw."""
        return False

    def observe(self, context: Any) -> PokeReturnValue:
        """One look at Swift, using and updating ``self._state``."""
        raise NotImplementedError

    def poke(self, context: Any) -> PokeReturnValue:
        """One look at Swift; in reschedule mode the state comes from, and goes back
        to, the task state store, because each reschedule is a new process."""
        store = self._state_store(context)
        if store is not None:
            self._state = store.get(self.state_key)
        result = self.observe(context)
        if store is not None:
            if result.is_done:
                store.delete(self.state_key)
            else:
                store.set(self.state_key, self._state)
        return result

    def _state_store(self, context: Any) -> Any:
        if self.mode != "reschedule" or self.deferrable or not self.keeps_state():
            return None
        store = context.get("task_state_store")
        if store is None:
            raise SwiftValidationError(
                f"{self.task_id}: mode='reschedule' keeps the sensor's state in Airflow's task "
                "state store (Airflow 3.3+), which this Airflow does not offer; use "
                "deferrable=True, which frees the worker slot too, or mode='poke'"
            )
        return store

    def execute(self, context: Any) -> Any:
        if not self.deferrable:
            return super().execute(context)
        result = self.poke(context)
        if isinstance(result, PokeReturnValue) and result.is_done:
            return result.xcom_value
        end_time = time.time() + float(self.timeout)
        self.defer(trigger=self.trigger(end_time), method_name="execute_complete")

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        """Resume after the trigger fired: its value, or the timeout/error it reported."""
        status = event.get("status")
        if status == "success":
            return event.get("value")
        if status == "timeout":
            message = f"{self.task_id}: the wait timed out after {self.timeout}s"
            if self.soft_fail:
                raise AirflowSkipException(message)
            raise AirflowSensorTimeout(message)
        raise AirflowException(f"{self.task_id}: {event.get('message', event)}")

    @cached_property
    def hook(self) -> SwiftHook:
        return SwiftHook(swift_conn_id=self.swift_conn_id)


class SwiftObjectSensor(_SwiftSensor):
    """Wait until objects exist and pass a declarative check.

    :param container: (templated)
    :param name: an object name, a list of names (all must be there), or with
        ``glob=True`` a shell-style pattern (at least one match) (templated).
    :param glob: ``name`` is a shell-style pattern (a switch, not templated).
    :param check: ``{"min_size", "max_size", "content_type", "metadata"}`` -- every
        given condition must hold for every matched object (templated: its values,
        or the whole check as a JSON string).
    :return: the matched objects: ``name``, ``etag``, ``bytes``, ``last_modified``...
    """

    template_fields: Sequence[str] = ("swift_conn_id", "container", "name", "check")
    template_fields_renderers: ClassVar[dict[str, str]] = {"check": "json"}

    def __init__(
        self,
        *,
        container: str,
        name: str | list[str],
        glob: bool = False,
        check: ObjectCheck | Mapping[str, Any] | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(container=container, **kwargs)
        self.name = name
        self.glob = glob
        if not is_template(check):
            ObjectCheck.from_value(check)  # a mistake fails the DAG file, not a run
        self.check = check

    @property
    def object_check(self) -> ObjectCheck:
        """The check, from the rendered ``check``."""
        return ObjectCheck.from_value(self.check)

    @property
    def names(self) -> list[str] | None:
        """The names that must all be there, or None for a glob."""
        if self.glob:
            return None
        return [self.name] if isinstance(self.name, str) else list(self.name)

    def observe(self, context: Any) -> PokeReturnValue:
        done, passing, reasons = objects_ready(self._candidates(), self.names, self.object_check)
        for reason in reasons:
            self.log.info("Not passing the check yet: %s", reason)
        return PokeReturnValue(is_done=done, xcom_value=passing if done else None)

    def trigger(self, end_time: float) -> BaseTrigger:
        return SwiftObjectTrigger(
            self.swift_conn_id,
            self.container,
            names=self.names,
            pattern=str(self.name) if self.glob else None,
            check=self.object_check.as_dict(),
            poke_interval=float(self.poke_interval),
            end_time=end_time,
        )

    def _candidates(self) -> list[dict[str, Any]]:
        if self.glob:
            if isinstance(self.name, list):
                raise ValueError("glob=True takes one pattern, not a list")
            pattern = self.name
            entries = [
                listing_summary(e)
                for e in self.hook.iter_objects(self.container, prefix=glob_prefix(pattern))
                if "name" in e and fnmatch.fnmatchcase(e["name"], pattern)
            ]
            if self.object_check.needs_head:
                return [s for s in (self._head(e["name"]) for e in entries) if s is not None]
            return entries
        names = [self.name] if isinstance(self.name, str) else list(self.name)
        return [s for s in (self._head(n) for n in names) if s is not None]

    def _head(self, name: str) -> dict[str, Any] | None:
        headers = self.hook.head_object(self.container, name)
        return object_summary(name, headers) if headers is not None else None


class SwiftObjectChangedSensor(_SwiftSensor):
    """Wait until an object changes: its ETag differs from ``etag`` (or from the ETag
    seen at the first poke), or it was modified after ``since``.

    Polls with a conditional ``HEAD`` (``If-None-Match`` on the known ETag, answered
    304 while nothing changed) and ``X-Newest``. Large objects work the same (their
    ETag is the MD5 of their segments' ETags).

    :param container: (templated)
    :param name: (templated)
    :param etag: the ETag to compare with (templated); None: the first one seen;
        ``""``: none known yet (as on a pipeline's first run), so any object counts.
    :param since: succeed if modified after this time: a timezone-aware datetime, or
        an ISO 8601 string with an offset (templated, e.g. ``"{{ data_interval_end }}"``).
    :param on_delete: if the object disappears: ``wait`` (default), ``succeed`` or
        ``fail`` (templated).
    :return: the new ETag (None when succeeding on a delete).
    """

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "container",
        "name",
        "etag",
        "since",
        "on_delete",
    )

    def __init__(
        self,
        *,
        container: str,
        name: str,
        etag: str | None = None,
        since: datetime | str | None = None,
        on_delete: OnDelete = "wait",
        **kwargs: Any,
    ) -> None:
        super().__init__(container=container, **kwargs)
        if not is_template(since):
            _moment(since)  # a mistake fails the DAG file, not a run
        if not is_template(on_delete):
            check_choice("on_delete", on_delete, ON_DELETE)
        self.name = name
        self.etag = etag
        self.since = since
        self.on_delete = on_delete

    @property
    def since_time(self) -> datetime | None:
        """``since`` as a timezone-aware datetime (after rendering)."""
        return _moment(self.since)

    def trigger(self, end_time: float) -> BaseTrigger:
        return SwiftObjectChangedTrigger(
            self.swift_conn_id,
            self.container,
            name=self.name,
            etag=self.etag if self.etag is not None else self._state,
            since=since.isoformat() if (since := self.since_time) else None,
            on_delete=self.on_delete,
            poke_interval=float(self.poke_interval),
            end_time=end_time,
        )

    def keeps_state(self) -> bool:
        return self.etag is None and self.since_time is None

    def observe(self, context: Any) -> PokeReturnValue:
        baseline = self.etag if self.etag is not None else self._state
        headers = {"X-Newest": "true"}
        if baseline:
            headers["If-None-Match"] = baseline
        try:
            reply = self.hook.client.head_object(self.container, self.name, headers=headers)
            current: dict[str, Any] | None = object_summary(self.name, reply)
        except SwiftNotFoundError:
            current = None
        if current is not None and baseline and not current["etag"]:
            current["etag"] = strip_etag(baseline)  # 304 Not Modified: same ETag
        since = self.since_time
        if baseline is None and current is not None and since is None:
            self._state = current["etag"]
            self.log.info("Watching %s/%s from ETag %s", self.container, self.name, current["etag"])
            return PokeReturnValue(is_done=False)
        done, etag = etag_changed(baseline, current, since=since, on_delete=self.on_delete)
        return PokeReturnValue(is_done=done, xcom_value=etag if done else None)


class SwiftPrefixQuiescenceSensor(_SwiftSensor):
    """Wait until the set of objects under a prefix (names, ETags and sizes) has not
    changed for ``inactivity_period`` seconds: an upload session is complete.

    :param container: (templated)
    :param prefix: (templated)
    :param inactivity_period: seconds without any change (templated).
    :param min_objects: at least this many objects must be there (templated).
    :param allow_delete: if False, fail when objects disappear (a switch, not templated).
    :return: the objects under the prefix.
    """

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "container",
        "prefix",
        "inactivity_period",
        "min_objects",
    )

    def __init__(
        self,
        *,
        container: str,
        prefix: str,
        inactivity_period: float | str,
        min_objects: int | str = 1,
        allow_delete: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(container=container, **kwargs)
        self.prefix = prefix
        self.inactivity_period = inactivity_period
        self.min_objects = min_objects
        self.allow_delete = allow_delete

    def trigger(self, end_time: float) -> BaseTrigger:
        return SwiftPrefixQuiescenceTrigger(
            self.swift_conn_id,
            self.container,
            prefix=self.prefix,
            inactivity_period=float(self.inactivity_period),
            min_objects=int(self.min_objects),
            allow_delete=self.allow_delete,
            state=self._state,
            poke_interval=float(self.poke_interval),
            end_time=end_time,
        )

    def keeps_state(self) -> bool:
        return True

    def observe(self, context: Any) -> PokeReturnValue:
        objects = prefix_objects(self.hook.iter_objects(self.container, prefix=self.prefix))
        done, self._state = quiescence(
            self._state,
            objects,
            time.time(),
            inactivity_period=float(self.inactivity_period),
            min_objects=int(self.min_objects),
            allow_delete=self.allow_delete,
        )
        return PokeReturnValue(is_done=done, xcom_value=objects if done else None)
