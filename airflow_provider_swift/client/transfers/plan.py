"""Plans for many-file operations, decided from one listing: PUT, GET, skip or delete.

One paged listing of a prefix already says, for every object, its name, size, MD5
(``hash``) and whether it is a static large object (``slo_etag``). Set beside the
local files (name, size, mtime; an MD5 only where the sizes agree) it decides each
object's fate with no request per object. A HEAD is left only where the listing
cannot tell (a :data:`CHECK` step):

* a zero-byte entry: an empty object, or a DLO manifest whose listing shows 0 bytes
  whatever its segments hold;
* an SLO of the right size whose ETag differs from the local file's composite ETag
  at the upload's segment size: it may have been cut at another size, so only the
  per-segment rule (``Reads.matches_file``) can say.

Everything here is pure (no requests, no file reads): :mod:`sync` lists, hashes and
executes. Memory stays flat in the number of objects: the listing is streamed and
merged with the local files, both in name order (Swift sorts names by their UTF-8
bytes, which is the order of Python's ``str`` comparison), and a listing entry is
reduced to a small :class:`Stored` as it arrives.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from airflow_provider_swift.client.base.options import Compare
from airflow_provider_swift.client.rest.objects import strip_etag
from airflow_provider_swift.client.transfers.local_names import is_directory_marker

#: What a step does: send the file, fetch the object, leave both alone, remove the
#: extraneous copy, or HEAD first because the listing cannot tell.
Action = Literal["put", "get", "skip", "delete", "check"]
PUT: Action = "put"
GET: Action = "get"
SKIP: Action = "skip"
DELETE: Action = "delete"
CHECK: Action = "check"

#: The MD5 of an empty body: what a DLO manifest's listing entry shows.
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A local file as a plan sees it: its object name, path, size and mtime."""

    name: str
    path: str
    size: int
    mtime: float


@dataclass(frozen=True, slots=True)
class Stored:
    """An object as its listing entry describes it.

    ``etag`` is the object's ETag as HEAD would return it (unquoted): the ``hash`` of
    a plain object, the ``slo_etag`` of a static large object.
    """

    name: str
    size: int
    etag: str
    slo: bool
    last_modified: float
    #: a directory marker (:func:`~.local_names.is_directory_marker`), not a file
    directory: bool = False

    @classmethod
    def from_listing(cls, entry: Mapping[str, Any]) -> Stored:
        slo_etag = entry.get("slo_etag")
        name, size = str(entry["name"]), int(entry.get("bytes", 0))
        return cls(
            name=name,
            size=size,
            etag=strip_etag(str(slo_etag or entry.get("hash", ""))),
            slo=slo_etag is not None,
            last_modified=listing_time(str(entry.get("last_modified", ""))),
            directory=is_directory_marker(name, size, entry.get("content_type")),
        )

    @property
    def ambiguous(self) -> bool:
        """Only a HEAD can say what this is: a zero-byte entry may be a DLO manifest,
        and an entry of some bytes whose hash is the MD5 of nothing is a large-object
        manifest listed without ``slo_etag`` (RGW lists SLOs so: docs/compatibility.md)."""
        return not self.slo and (self.size == 0 or self.etag == EMPTY_MD5)

    def headers(self) -> dict[str, str]:
        """What a HEAD would say about identity and kind, from the listing alone (not
        for an :attr:`ambiguous` entry): lets an upload replace the object without
        asking again, and retire an SLO's old segments."""
        headers = {"etag": self.etag, "content-length": str(self.size)}
        if self.slo:
            headers["x-static-large-object"] = "true"
        return headers


@dataclass(frozen=True, slots=True)
class Step:
    """One object's part in a plan.

    :param reason: why, in words: ``new``, ``changed``, ``identical``, ``extraneous``,
        ``maybe-large-object``, ``slo-segments``...
    :param path: the local file (None when only the object exists and is deleted).
    :param size: bytes the step moves or concerns (the local size for a PUT, the
        object's for a GET or a remote delete).
    """

    action: Action
    name: str
    path: str | None
    size: int
    reason: str
    stored: Stored | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "name": self.name,
            "path": self.path,
            "bytes": self.size,
            "reason": self.reason,
        }


def listing_time(value: str) -> float:
    """A listing's ``last_modified`` (UTC, ISO 8601 without a zone) as a Unix time."""
    if not value:
        return 0.0
    return datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp()


def selected(relative: str, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> bool:
    """Whether a relative name passes the filters: it matches one ``include`` glob (any
    name when there are none) and no ``exclude`` glob. ``*`` also matches ``/``."""
    if include and not any(fnmatch.fnmatchcase(relative, p) for p in include):
        return False
    return not any(fnmatch.fnmatchcase(relative, p) for p in exclude)


def pair_up(
    local: Iterable[LocalFile], stored: Iterable[Stored]
) -> Iterator[tuple[LocalFile | None, Stored | None]]:
    """Merge two name-ordered streams: each name once, with its file, object or both."""
    files, objects = iter(local), iter(stored)
    file, obj = next(files, None), next(objects, None)
    while file is not None or obj is not None:
        if obj is None or (file is not None and file.name < obj.name):
            assert file is not None
            yield file, None
            file = next(files, None)
        elif file is None or obj.name < file.name:
            yield None, obj
            obj = next(objects, None)
        else:
            yield file, obj
            file, obj = next(files, None), next(objects, None)


DigestKind = Literal["md5", "composite"]


def digest_needed(
    file: LocalFile | None,
    obj: Stored | None,
    compare: Compare,
    segment_size: int | None,
) -> DigestKind | None:
    """Which digest of the local file the decision needs, if any: only when both
    exist, are compared by MD5, and have the same size. An SLO is compared by its
    composite ETag at ``segment_size`` (the size an upload would cut the file into)."""
    if file is None or obj is None or compare != "md5" or obj.ambiguous:
        return None
    if file.size != obj.size:
        return None
    if obj.slo:
        return "composite" if segment_size else None
    return "md5"


def decide_upload(
    file: LocalFile | None,
    obj: Stored | None,
    *,
    compare: Compare = "md5",
    digest: str | None = None,
    delete: bool = False,
) -> Step | None:
    """What a local -> Swift sync does with one name (None: nothing, not even a skip).

    :param digest: the local file's MD5 (or composite ETag, for an SLO) when
        :func:`digest_needed` asked for one.
    """
    if file is None:
        assert obj is not None
        if delete:
            return Step(DELETE, obj.name, None, obj.size, "extraneous", obj)
        return None
    if obj is None:
        return Step(PUT, file.name, file.path, file.size, "new")
    if compare == "size_mtime":
        if obj.size == file.size and obj.last_modified >= file.mtime and not obj.ambiguous:
            return Step(SKIP, file.name, file.path, file.size, "same size, stored later", obj)
        if obj.ambiguous:
            return Step(CHECK, file.name, file.path, file.size, "maybe-large-object", obj)
        return Step(PUT, file.name, file.path, file.size, "changed", obj)
    if obj.ambiguous:
        return Step(CHECK, file.name, file.path, file.size, "maybe-large-object", obj)
    if file.size == obj.size and digest == obj.etag:
        return Step(SKIP, file.name, file.path, file.size, "identical", obj)
    if file.size == obj.size and obj.slo:
        return Step(CHECK, file.name, file.path, file.size, "slo-segments", obj)
    return Step(PUT, file.name, file.path, file.size, "changed", obj)


def decide_download(
    file: LocalFile | None,
    obj: Stored | None,
    *,
    compare: Compare = "md5",
    digest: str | None = None,
    delete: bool = False,
) -> Step | None:
    """What a Swift -> local sync does with one name (None: nothing)."""
    if obj is None:
        assert file is not None
        if delete:
            return Step(DELETE, file.name, file.path, file.size, "extraneous")
        return None
    path = file.path if file is not None else None
    if file is None:
        return Step(GET, obj.name, path, obj.size, "new", obj)
    if compare == "size_mtime":
        if obj.size == file.size and file.mtime >= obj.last_modified and not obj.ambiguous:
            return Step(SKIP, obj.name, path, obj.size, "same size, local later", obj)
        if obj.ambiguous:
            return Step(CHECK, obj.name, path, obj.size, "maybe-large-object", obj)
        return Step(GET, obj.name, path, obj.size, "changed", obj)
    if obj.ambiguous:
        return Step(CHECK, obj.name, path, obj.size, "maybe-large-object", obj)
    if file.size == obj.size and digest == obj.etag:
        return Step(SKIP, obj.name, path, obj.size, "identical", obj)
    if file.size == obj.size and obj.slo:
        return Step(CHECK, obj.name, path, obj.size, "slo-segments", obj)
    return Step(GET, obj.name, path, obj.size, "changed", obj)


@dataclass
class PlanSummary:
    """Counts and bytes per action, and the first few steps of each as examples."""

    counts: dict[str, int]
    bytes: dict[str, int]
    examples: dict[str, list[str]]

    @classmethod
    def of(cls, steps: Iterable[Step], examples: int = 5) -> PlanSummary:
        summary = cls({}, {}, {})
        for step in steps:
            summary.add(step.action, step.name, step.size, examples)
        return summary

    def add(self, action: str, name: str, size: int, examples: int = 5) -> None:
        self.counts[action] = self.counts.get(action, 0) + 1
        self.bytes[action] = self.bytes.get(action, 0) + size
        shown = self.examples.setdefault(action, [])
        if len(shown) < examples:
            shown.append(name)

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "bytes": self.bytes, "examples": self.examples}
