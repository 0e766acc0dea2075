"""Large-object arithmetic: segment sizes, segment names, manifests, composite ETags.

Pure functions only (no requests), so the rules that decide how a file is cut and
how a manifest is checked can be read and tested on their own.

* A static large object (SLO) is a JSON manifest listing ``{path, etag, size_bytes}``
  per segment; its ETag is the MD5 of the concatenated segment ETags (quoted).
* A dynamic large object (DLO) is a zero-byte object whose ``X-Object-Manifest:
  container/prefix`` joins every object under the prefix, in name order; its ETag
  is likewise the MD5 of the concatenated ETags of those segments.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from airflow_provider_swift.client.base.errors import SwiftValidationError
from airflow_provider_swift.client.base.options import LARGE_OBJECT_KINDS, check_choice
from airflow_provider_swift.client.rest.info import (
    Limits,
)
from airflow_provider_swift.client.rest.objects import strip_etag

#: Segments are at least this big when the size is derived rather than given: fewer,
#: larger segments amortise per-request costs, and 100 MiB still spreads a
#: multi-gigabyte file over enough segments to keep every upload thread busy.
DEFAULT_MIN_DERIVED_SEGMENT = 100 * 1024**2


@dataclass(frozen=True)
class Segment:
    """One segment of a large object: where it lives, its MD5 and size."""

    container: str
    name: str
    etag: str
    size: int
    #: a nested SLO manifest (``sub_slo``) rather than a data segment
    nested: bool = False

    @property
    def path(self) -> str:
        """``/container/name``, unencoded, as SLO manifests want it."""
        return f"/{self.container}/{self.name}"


def choose_segment_size(
    size: int | None, limits: Limits, *, segment_size: int | None = None, kind: str = "slo"
) -> int | None:
    """The segment size to cut ``size`` bytes into, or None for a single PUT.

    With an explicit ``segment_size`` anything larger becomes a large object; it must
    lie within the cluster's limits. Otherwise only what exceeds ``max_file_size``
    is segmented, in segments of at least 100 MiB, few enough for the manifest.
    ``size=None`` is a stream of unknown length.
    """
    check_choice("large_object", kind, LARGE_OBJECT_KINDS)
    if segment_size is not None:
        if segment_size <= 0:
            raise SwiftValidationError(f"segment_size={segment_size} must be positive")
        if kind == "slo" and segment_size < limits.min_segment_size:
            raise SwiftValidationError(
                f"segment_size={segment_size} is below the cluster's SLO minimum of "
                f"{limits.min_segment_size} bytes"
            )
        if segment_size > limits.max_file_size:
            raise SwiftValidationError(
                f"segment_size={segment_size} exceeds the cluster's max_file_size "
                f"({limits.max_file_size} bytes)"
            )
        if size is not None and size <= segment_size:
            return None
        chosen = segment_size
    else:
        if size is not None and size <= limits.max_file_size:
            return None
        wanted = math.ceil(size / limits.max_manifest_segments) if size else 0
        chosen = min(
            limits.max_file_size,
            max(wanted, limits.min_segment_size, DEFAULT_MIN_DERIVED_SEGMENT),
        )
    if kind == "slo" and size is not None:
        count = math.ceil(size / chosen)
        if count > limits.max_manifest_segments:
            raise SwiftValidationError(
                f"{size} bytes in segments of {chosen} make {count} segments; the cluster "
                f"allows {limits.max_manifest_segments} per manifest: use a segment_size "
                f"of at least {math.ceil(size / limits.max_manifest_segments)}"
            )
    return chosen


def segment_sizes(size: int, segment_size: int) -> list[int]:
    """Sizes of the consecutive segments of ``size`` bytes (the last may be shorter)."""
    full, rest = divmod(size, segment_size)
    return [segment_size] * full + ([rest] if rest else [])


def segment_prefix(name: str, kind: str, upload_id: str) -> str:
    """Where one upload's segments live: unique per upload, stable for a resumed one."""
    return f"{name}/{kind}/{upload_id}/"


def segment_name(prefix: str, index: int) -> str:
    """Segment names sort in upload order (DLOs join segments in name order)."""
    return f"{prefix}{index:08d}"


def composite_etag(etags: Iterable[str]) -> str:
    """The ETag Swift gives a large object: MD5 of its segments' ETags, concatenated."""
    digest = hashlib.md5(usedforsecurity=False)
    for etag in etags:
        digest.update(strip_etag(etag).encode("ascii"))
    return digest.hexdigest()


def slo_manifest(segments: Iterable[Segment]) -> list[dict[str, Any]]:
    """The body of ``PUT ?multipart-manifest=put`` (paths are NOT URL-encoded)."""
    return [{"path": s.path, "etag": s.etag, "size_bytes": s.size} for s in segments]


def parse_slo_manifest(entries: Iterable[Mapping[str, Any]]) -> list[Segment]:
    """Segments from ``GET ?multipart-manifest=get``: Swift's ``name``/``hash``/``bytes``
    entries, or ``path``/``etag``/``size_bytes`` as Ceph RGW's pending fix answers
    (the path is ``/container/object`` in both).

    Nested manifests (``sub_slo``) are marked ``nested``; the caller expands them.
    Manifests that use a byte ``range`` of a segment are refused.
    """
    segments = []
    for entry in entries:
        if entry.get("range"):
            raise SwiftValidationError(
                "this SLO uses byte ranges of segments, which are not supported"
            )
        swift = "name" in entry
        path = entry["name"] if swift else entry["path"]
        container, _, name = str(path).lstrip("/").partition("/")
        segments.append(
            Segment(
                container,
                name,
                strip_etag(str(entry["hash"] if swift else entry["etag"])),
                int(entry["bytes"] if swift else entry["size_bytes"]),
                nested=bool(entry.get("sub_slo")),
            )
        )
    return segments


def own_slo_segments(
    segment_container: str, entries: Iterable[Mapping[str, Any]], etag: str
) -> list[Segment] | None:
    """An SLO's segments found by this client's own naming, when the server cannot say.

    ``entries`` is the listing of ``<name>/slo/`` in the segment container: one group
    of segments per upload (or copy), named ``<name>/slo/<upload id>/<index>``. The
    group whose composite ETag is the object's ETag is its segment list -- the ETag is
    the MD5 of exactly those segment MD5s, in that order, so a match identifies it.
    None when no group matches, or when groups that differ match (they cannot be told
    apart, and a caller deleting "the others" must not guess).
    """
    groups: dict[str, list[Segment]] = {}
    for entry in entries:
        if "name" not in entry:
            continue
        upload, _, _index = str(entry["name"]).rpartition("/")
        groups.setdefault(upload, []).append(
            Segment(segment_container, str(entry["name"]), str(entry["hash"]), int(entry["bytes"]))
        )
    wanted = strip_etag(etag)
    matching = [
        group for group in groups.values() if composite_etag(s.etag for s in group) == wanted
    ]
    return matching[0] if len(matching) == 1 else None


def dlo_manifest_header(container: str, prefix: str) -> str:
    """``X-Object-Manifest`` value: ``container/prefix``, URL-encoded."""
    return f"{quote(container, safe='')}/{quote(prefix, safe='/')}"


def parse_dlo_manifest_header(value: str) -> tuple[str, str]:
    """(container, prefix) of an ``X-Object-Manifest`` value."""
    container, _, prefix = unquote(value).partition("/")
    return container, prefix
