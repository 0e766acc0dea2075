"""Triggers: the sensors' waits, polled asynchronously in the triggerer.

Each trigger serializes plain JSON -- a connection id, never a secret -- fetches the
connection with Airflow's async accessor, and polls through one shared
:class:`AsyncSwiftClient` per connection in the triggerer process. The verdicts come from
the same functions the sensors use (:mod:`airflow_provider_swift.conditions`).
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import time
import weakref
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from airflow.triggers.base import BaseEventTrigger, BaseTrigger, TriggerEvent

from airflow_provider_swift import watermark
from airflow_provider_swift.client.base.errors import SwiftError, SwiftNotFoundError
from airflow_provider_swift.client.base.options import OnDelete
from airflow_provider_swift.client.rest.async_client import AsyncSwiftClient
from airflow_provider_swift.client.rest.objects import strip_etag
from airflow_provider_swift.client.wire.transport import Transport
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

log = logging.getLogger(__name__)

#: One async client per connection and event loop in this process (the triggerer
#: runs one loop; tests run several, which must not share loop-bound clients).
_CLIENTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, AsyncSwiftClient]] = (
    weakref.WeakKeyDictionary()
)
_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


async def shared_client(conn_id: str) -> AsyncSwiftClient:
    """The triggerer's shared client for a connection (created on first use)."""
    loop = asyncio.get_running_loop()
    clients = _CLIENTS.setdefault(loop, {})
    async with _LOCKS.setdefault(loop, asyncio.Lock()):
        if conn_id not in clients:
            from asgiref.sync import sync_to_async

            clients[conn_id] = AsyncSwiftClient(await sync_to_async(_transport_for)(conn_id))
        return clients[conn_id]


def _transport_for(conn_id: str) -> Transport:
    """The connection's transport, as the hook builds it (same auth, same masked
    secrets). Called off the event loop: fetching a connection and masking secrets ask
    the triggerer's supervisor synchronously, which Airflow before 3.3.2 cannot do on
    the event loop (asgiref's thread, not a plain one, so those calls can hop back to
    the loop)."""
    from airflow_provider_swift.hooks.swift import SwiftHook

    return SwiftHook(conn_id).get_conn().transport


class _PollingTrigger(BaseTrigger):
    """Polls until a verdict, or until ``end_time`` (Unix time) passes."""

    def __init__(
        self,
        swift_conn_id: str,
        container: str,
        *,
        poke_interval: float = 60.0,
        end_time: float | None = None,
    ) -> None:
        super().__init__()
        self.swift_conn_id = swift_conn_id
        self.container = container
        self.poke_interval = poke_interval
        self.end_time = end_time

    def _common(self) -> dict[str, Any]:
        return {
            "swift_conn_id": self.swift_conn_id,
            "container": self.container,
            "poke_interval": self.poke_interval,
            "end_time": self.end_time,
        }

    async def check(self, client: AsyncSwiftClient) -> dict[str, Any] | None:
        """One poll: an event payload when done, else None."""
        raise NotImplementedError

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            client = await shared_client(self.swift_conn_id)
            while True:
                payload = await self.check(client)
                if payload is not None:
                    yield TriggerEvent({"status": "success", **payload})
                    return
                if self.end_time is not None and time.time() >= self.end_time:
                    yield TriggerEvent({"status": "timeout"})
                    return
                await asyncio.sleep(self.poke_interval)
        except Exception as exc:  # reported to the task, which raises it
            yield TriggerEvent({"status": "error", "message": f"{type(exc).__name__}: {exc}"})


class SwiftObjectTrigger(_PollingTrigger):
    """Waits for objects that exist and pass a check (see ``SwiftObjectSensor``)."""

    def __init__(
        self,
        swift_conn_id: str,
        container: str,
        *,
        names: list[str] | None = None,
        pattern: str | None = None,
        check: dict[str, Any] | None = None,
        poke_interval: float = 60.0,
        end_time: float | None = None,
    ) -> None:
        super().__init__(swift_conn_id, container, poke_interval=poke_interval, end_time=end_time)
        self.names = names
        self.pattern = pattern
        self.check_spec = ObjectCheck.from_value(check)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{__name__}.SwiftObjectTrigger",
            {
                **self._common(),
                "names": self.names,
                "pattern": self.pattern,
                "check": self.check_spec.as_dict(),
            },
        )

    async def check(self, client: AsyncSwiftClient) -> dict[str, Any] | None:
        if self.pattern is not None:
            entries = await client.list_objects(self.container, glob_prefix(self.pattern))
            found = [
                listing_summary(e)
                for e in entries
                if "name" in e and fnmatch.fnmatchcase(e["name"], self.pattern)
            ]
            if self.check_spec.needs_head:
                found = await self._heads([f["name"] for f in found], client)
        else:
            found = await self._heads(self.names or [], client)
        done, passing, _ = objects_ready(found, self.names, self.check_spec)
        return {"value": passing} if done else None

    async def _heads(self, names: list[str], client: AsyncSwiftClient) -> list[dict[str, Any]]:
        heads = await asyncio.gather(*(client.head_object(self.container, n) for n in names))
        return [object_summary(n, h) for n, h in zip(names, heads, strict=True) if h is not None]


class SwiftObjectChangedTrigger(_PollingTrigger):
    """Waits for an object's ETag to change (see ``SwiftObjectChangedSensor``)."""

    def __init__(
        self,
        swift_conn_id: str,
        container: str,
        *,
        name: str,
        etag: str | None = None,
        since: str | None = None,
        on_delete: OnDelete = "wait",
        poke_interval: float = 60.0,
        end_time: float | None = None,
    ) -> None:
        super().__init__(swift_conn_id, container, poke_interval=poke_interval, end_time=end_time)
        self.name = name
        self.etag = etag
        self.since = since
        self.on_delete = on_delete

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{__name__}.SwiftObjectChangedTrigger",
            {
                **self._common(),
                "name": self.name,
                "etag": self.etag,
                "since": self.since,
                "on_delete": self.on_delete,
            },
        )

    async def check(self, client: AsyncSwiftClient) -> dict[str, Any] | None:
        headers = {"X-Newest": "true"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        found = await client.head_object(self.container, self.name, headers)
        current = object_summary(self.name, found) if found is not None else None
        if current is not None and self.etag and not current["etag"]:
            current["etag"] = strip_etag(self.etag)  # 304 Not Modified
        if self.etag is None and current is not None and self.since is None:
            self.etag = current["etag"]  # the baseline, as the sensor's first poke
            return None
        since = datetime.fromisoformat(self.since) if self.since else None
        done, etag = etag_changed(self.etag, current, since=since, on_delete=self.on_delete)
        return {"value": etag} if done else None


class SwiftPrefixQuiescenceTrigger(_PollingTrigger):
    """Waits for a prefix to go quiet (see ``SwiftPrefixQuiescenceSensor``)."""

    def __init__(
        self,
        swift_conn_id: str,
        container: str,
        *,
        prefix: str,
        inactivity_period: float,
        min_objects: int = 1,
        allow_delete: bool = True,
        state: dict[str, Any] | None = None,
        poke_interval: float = 60.0,
        end_time: float | None = None,
    ) -> None:
        super().__init__(swift_conn_id, container, poke_interval=poke_interval, end_time=end_time)
        self.prefix = prefix
        self.inactivity_period = inactivity_period
        self.min_objects = min_objects
        self.allow_delete = allow_delete
        self.state = state

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{__name__}.SwiftPrefixQuiescenceTrigger",
            {
                **self._common(),
                "prefix": self.prefix,
                "inactivity_period": self.inactivity_period,
                "min_objects": self.min_objects,
                "allow_delete": self.allow_delete,
                "state": self.state,
            },
        )

    async def check(self, client: AsyncSwiftClient) -> dict[str, Any] | None:
        objects = prefix_objects(await client.list_objects(self.container, self.prefix))
        done, self.state = quiescence(
            self.state,
            objects,
            time.time(),
            inactivity_period=self.inactivity_period,
            min_objects=self.min_objects,
            allow_delete=self.allow_delete,
        )
        return {"value": objects} if done else None


class SwiftPrefixChangedEventTrigger(BaseEventTrigger):
    """For ``AssetWatcher``: fires when objects appear or change under a prefix.

    Every change of the set of (name, ETag) under the prefix fires one event for the
    batch: the objects new or changed since the last listing (``changed``, at most
    1,000 names, and ``count``). Deleted objects fire nothing.

    The baseline -- what has been seen -- is also kept in Swift, as a small JSON
    object (the *watermark*, see :mod:`airflow_provider_swift.watermark`), written
    after each event and read when the trigger starts. So objects that land while no
    triggerer runs are reported when one starts again. Only the very first start
    (no watermark yet) takes the listing as its baseline without an event. The
    watermark is written after the event is handed to the triggerer: a triggerer
    that dies in between reports the batch again (never not at all).

    :param watermark: keep the baseline in Swift (default); False keeps it in memory.
    :param watermark_container: where the watermark lives (default: ``container``).
    :param watermark_name: its name (default: ``.airflow-watermarks/<digest>.json``,
        a digest of the connection, container, prefix and interval). Watchers that
        differ in anything else need names of their own.
    """

    def __init__(
        self,
        swift_conn_id: str,
        container: str,
        prefix: str = "",
        poke_interval: float = 60.0,
        *,
        watermark: bool = True,
        watermark_container: str | None = None,
        watermark_name: str | None = None,
    ) -> None:
        super().__init__()
        self.swift_conn_id = swift_conn_id
        self.container = container
        self.prefix = prefix
        self.poke_interval = poke_interval
        self.watermark = watermark
        self.watermark_container = watermark_container
        self.watermark_name = watermark_name

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{__name__}.SwiftPrefixChangedEventTrigger",
            {
                "swift_conn_id": self.swift_conn_id,
                "container": self.container,
                "prefix": self.prefix,
                "poke_interval": self.poke_interval,
                "watermark": self.watermark,
                "watermark_container": self.watermark_container,
                "watermark_name": self.watermark_name,
            },
        )

    @property
    def watermark_location(self) -> tuple[str, str]:
        """(container, name) of the watermark object."""
        name = self.watermark_name or watermark.default_watermark_name(
            self.swift_conn_id, self.container, self.prefix, self.poke_interval
        )
        return self.watermark_container or self.container, name

    async def run(self) -> AsyncIterator[TriggerEvent]:
        client = await shared_client(self.swift_conn_id)
        where, name = self.watermark_location
        own = name if where == self.container else None  # never report the watermark
        seen = await self._load(client) if self.watermark else None
        while True:
            try:
                entries = await client.list_objects(self.container, self.prefix)
            except SwiftNotFoundError:  # no container (yet, or any more): no objects
                entries = []
            now = watermark.listing_etags(entries, exclude=own)
            if seen is None:
                log.info("Baseline of /%s/%s: %d objects", self.container, self.prefix, len(now))
            else:
                changed = watermark.changed_names(seen, now)
                if changed:
                    yield TriggerEvent(
                        watermark.event_payload(self.container, self.prefix, changed)
                    )
            if now != seen and self.watermark:
                await self._save(client, now)
            seen = now
            await asyncio.sleep(self.poke_interval)

    async def _load(self, client: AsyncSwiftClient) -> dict[str, str] | None:
        where, name = self.watermark_location
        try:
            body = await client.get_object(where, name)
        except SwiftError as exc:
            log.warning(
                "Cannot read the watermark /%s/%s (%s): starting from a new baseline",
                where,
                name,
                exc,
            )
            return None
        seen = watermark.load(body, self.container, self.prefix)
        if seen is not None:
            log.info("Watermark /%s/%s: %d objects seen before", where, name, len(seen))
        return seen

    async def _save(self, client: AsyncSwiftClient, objects: dict[str, str]) -> None:
        where, name = self.watermark_location
        body = watermark.dump(self.container, self.prefix, objects)
        try:
            await client.put_object(where, name, body)
        except SwiftError as exc:  # the watcher goes on, with its baseline in memory
            log.warning(
                "Cannot write the watermark /%s/%s (%s): what lands while no "
                "triggerer runs may go unreported",
                where,
                name,
                exc,
            )
