"""The prefix watcher's watermark: what it has already reported, kept in Swift.

An ``AssetWatcher``'s trigger lists a prefix and reports objects that are new or
changed since its last listing. Kept in the triggerer's memory only, that baseline
dies with the triggerer: objects landing while no triggerer runs are taken into the
next baseline and never reported. So the baseline -- every object's name and ETag --
is also stored as a small JSON object in Swift (the *watermark*) after each change,
and read back when the trigger starts: a restarted triggerer reports what landed
while it was down.

Plain functions over plain data, as :mod:`conditions`: the trigger does the I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from airflow_provider_swift.client.rest.objects import strip_etag

#: Where watermarks live by default: a hidden folder of the watched container.
WATERMARK_FOLDER = ".airflow-watermarks/"
#: Format of the watermark object (a different one is ignored: a fresh baseline).
VERSION = 1
#: At most this many names in one event (the asset event is stored in Airflow's DB);
#: ``count`` says how many changed.
MAX_EVENT_NAMES = 1000


def default_watermark_name(
    swift_conn_id: str, container: str, prefix: str, poke_interval: float
) -> str:
    """A stable name per watcher: a digest of what defines it. Airflow runs one
    trigger for identical watchers, so those rightly share one watermark."""
    key = json.dumps([swift_conn_id, container, prefix, poke_interval])
    return f"{WATERMARK_FOLDER}{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"


def listing_etags(
    entries: Iterable[Mapping[str, Any]], exclude: str | None = None
) -> dict[str, str]:
    """name -> ETag of a listing's objects (an SLO's ``slo_etag``; the watermark
    object itself, ``exclude``, left out)."""
    return {
        str(e["name"]): strip_etag(str(e.get("slo_etag") or e.get("hash") or ""))
        for e in entries
        if "name" in e and e["name"] != exclude
    }


def changed_names(seen: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """Names that are new, or have another ETag, in ``now`` (deletions are not changes)."""
    return sorted(name for name, etag in now.items() if seen.get(name) != etag)


def event_payload(container: str, prefix: str, changed: list[str]) -> dict[str, Any]:
    """One event for one batch of changes: the names (at most :data:`MAX_EVENT_NAMES`)
    and how many there were."""
    payload: dict[str, Any] = {
        "container": container,
        "prefix": prefix,
        "changed": changed[:MAX_EVENT_NAMES],
        "count": len(changed),
    }
    if len(changed) > MAX_EVENT_NAMES:
        payload["truncated"] = True
    return payload


def dump(container: str, prefix: str, objects: Mapping[str, str]) -> bytes:
    """The watermark object's bytes."""
    state = {"version": VERSION, "container": container, "prefix": prefix, "objects": objects}
    return json.dumps(state, sort_keys=True, separators=(",", ":")).encode()


def load(body: bytes | None, container: str, prefix: str) -> dict[str, str] | None:
    """The baseline a watermark holds, or None (absent, unreadable, another format,
    or another container/prefix): then the trigger takes a fresh baseline."""
    if not body:
        return None
    try:
        state = json.loads(body)
    except ValueError:
        return None
    if not isinstance(state, dict) or state.get("version") != VERSION:
        return None
    if state.get("container") != container or state.get("prefix") != prefix:
        return None
    objects = state.get("objects")
    if not isinstance(objects, dict):
        return None
    return {str(k): str(v) for k, v in objects.items()}
