"""What the Swift sensors wait for, as plain functions over plain data.

Each decision -- does this object pass the check? did this ETag change? has this
prefix been quiet long enough? -- lives here once, in functions of JSON-friendly
values, so that a sensor poking from a worker and a trigger polling from the
triggerer reach the same verdict from the same inputs (no sync/async twins that
drift), and so that state can travel in XCom or a serialized trigger.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from airflow_provider_swift.client.base.errors import SwiftValidationError
from airflow_provider_swift.client.base.options import ON_DELETE, OnDelete
from airflow_provider_swift.client.rest.objects import strip_etag


def object_summary(name: str, headers: Mapping[str, str]) -> dict[str, Any]:
    """An object as the sensors report it (XCom-friendly): from HEAD headers."""
    return {
        "name": name,
        "etag": strip_etag(headers.get("etag") or ""),
        "bytes": int(headers.get("content-length", 0)),
        "last_modified": headers.get("last-modified"),
        "content_type": headers.get("content-type"),
        "metadata": {
            key[len("x-object-meta-") :]: value
            for key, value in headers.items()
            if key.startswith("x-object-meta-")
        },
    }


def listing_summary(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An object as the sensors report it: from a listing entry (no metadata there)."""
    return {
        "name": entry["name"],
        "etag": strip_etag(str(entry.get("slo_etag") or entry.get("hash") or "")),
        "bytes": int(entry.get("bytes", 0)),
        "last_modified": entry.get("last_modified"),
        "content_type": entry.get("content_type"),
    }


def _size(value: object) -> int | None:
    """A size given as a number or as the string a template rendered; None if not given."""
    if value is None or value == "":
        return None
    try:
        return int(value) if isinstance(value, int | float) else int(str(value))
    except ValueError:
        raise SwiftValidationError(f"size {value!r} is not a whole number of bytes") from None


@dataclass(frozen=True)
class ObjectCheck:
    """A declarative check an object must pass (all given conditions must hold).

    :param min_size: at least this many bytes.
    :param max_size: at most this many bytes.
    :param content_type: this content type (parameters such as ``charset`` ignored).
    :param metadata: these metadata keys with exactly these values.
    """

    min_size: int | None = None
    max_size: int | None = None
    content_type: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_value(cls, value: ObjectCheck | Mapping[str, Any] | str | None) -> ObjectCheck:
        """The check from a mapping as a DAG gives it, after Airflow rendered its
        templates: sizes may arrive as strings, the whole check as a JSON string
        (``"{{ params.check | tojson }}"``); ``""`` is no check."""
        if value is None or value == "":
            return cls()
        if isinstance(value, ObjectCheck):
            return value
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise SwiftValidationError(f"check={value!r} is not a JSON object") from None
            if not isinstance(value, Mapping):
                raise SwiftValidationError(f"check={value!r} is not a JSON object")
        unknown = set(value) - {"min_size", "max_size", "content_type", "metadata"}
        if unknown:
            raise SwiftValidationError(
                f"unknown check keys {sorted(unknown)}; use min_size, max_size, "
                "content_type, metadata"
            )
        return cls(
            min_size=_size(value.get("min_size")),
            max_size=_size(value.get("max_size")),
            content_type=value.get("content_type") or None,
            metadata={str(k).lower(): str(v) for k, v in (value.get("metadata") or {}).items()},
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "min_size": self.min_size,
            "max_size": self.max_size,
            "content_type": self.content_type,
            "metadata": dict(self.metadata),
        }

    @property
    def needs_head(self) -> bool:
        """Whether a listing entry cannot decide the check and a HEAD must: metadata
        and content type are not listed, and a listing's ``bytes`` is not a large
        object's size (a DLO lists as 0 bytes; on Ceph RGW an SLO as its manifest's
        size), while HEAD's ``Content-Length`` is."""
        return bool(
            self.metadata
            or self.content_type is not None
            or self.min_size is not None
            or self.max_size is not None
        )

    def failures(self, summary: Mapping[str, Any]) -> list[str]:
        """Why an object does not pass (empty: it passes)."""
        reasons = []
        size = int(summary.get("bytes", 0))
        if self.min_size is not None and size < self.min_size:
            reasons.append(f"{size} bytes < min_size {self.min_size}")
        if self.max_size is not None and size > self.max_size:
            reasons.append(f"{size} bytes > max_size {self.max_size}")
        if self.content_type is not None:
            actual = str(summary.get("content_type") or "").split(";")[0].strip()
            if actual != self.content_type:
                reasons.append(f"content type {actual!r} is not {self.content_type!r}")
        stored = summary.get("metadata") or {}
        for key, value in self.metadata.items():
            if stored.get(key) != value:
                reasons.append(f"metadata {key}={stored.get(key)!r}, wanted {value!r}")
        return reasons


def objects_ready(
    found: Iterable[Mapping[str, Any]], names: list[str] | None, check: ObjectCheck
) -> tuple[bool, list[dict[str, Any]], list[str]]:
    """Whether the objects found satisfy the sensor: (done, passing objects, why not).

    With ``names``, every name must be found and pass; without (a glob), one passing
    match is enough.
    """
    passing, reasons = [], []
    for summary in found:
        failures = check.failures(summary)
        if failures:
            reasons.append(f"{summary['name']}: {'; '.join(failures)}")
        else:
            passing.append(dict(summary))
    done = len(passing) == len(names) if names is not None else bool(passing)
    return done, passing, reasons


def etag_changed(
    baseline: str | None,
    current: Mapping[str, Any] | None,
    *,
    since: datetime | None = None,
    on_delete: OnDelete = "wait",
) -> tuple[bool, str | None]:
    """Whether an object changed: (done, new ETag).

    ``current`` is the object's summary, or None if it does not exist. Raises
    :class:`SwiftValidationError` when it was deleted and ``on_delete="fail"``.
    """
    if on_delete not in ON_DELETE:
        raise SwiftValidationError(f"on_delete={on_delete!r}; expected wait, succeed or fail")
    if current is None:
        if not baseline:
            return False, None  # never existed yet: keep waiting for it
        if on_delete == "fail":
            raise SwiftValidationError("the watched object was deleted")
        return on_delete == "succeed", None
    etag = str(current.get("etag") or "")
    if baseline is not None and etag != strip_etag(baseline):
        return True, etag
    if since is not None and current.get("last_modified"):
        modified = parsedate_to_datetime(str(current["last_modified"]))
        if modified > since:
            return True, etag
    return False, etag


def snapshot_digest(objects: Iterable[Mapping[str, Any]]) -> tuple[str, int]:
    """A fingerprint of a set of objects (name, ETag, size), and how many there are."""
    rows = sorted((str(o["name"]), str(o.get("etag")), int(o.get("bytes", 0))) for o in objects)
    digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()
    return digest, len(rows)


def prefix_objects(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The objects of a listing page set (subdirectory entries left out), summarised."""
    return [listing_summary(e) for e in entries if "name" in e]


def quiescence(
    state: Mapping[str, Any] | None,
    objects: Iterable[Mapping[str, Any]],
    now: float,
    *,
    inactivity_period: float,
    min_objects: int = 1,
    allow_delete: bool = True,
) -> tuple[bool, dict[str, Any]]:
    """Whether a prefix has been quiet for ``inactivity_period``: (done, new state).

    ``objects`` are what the prefix holds now (see :func:`prefix_objects`). The state
    (``digest``, ``count``, ``since``) is plain JSON, kept between pokes.
    """
    digest, count = snapshot_digest(objects)
    if state is None or state.get("digest") != digest:
        if state is not None and not allow_delete and count < int(state.get("count", 0)):
            raise SwiftValidationError(
                f"objects were deleted under the prefix ({state.get('count')} -> {count}) "
                "and allow_delete=False"
            )
        return False, {"digest": digest, "count": count, "since": now}
    quiet_for = now - float(state["since"])
    done = count >= min_objects and quiet_for >= inactivity_period
    return done, dict(state)
