"""Server-side copy and move, expiry changes -- large objects included, nothing shared.

A plain object is copied by Swift itself (``PUT`` + ``X-Copy-From``), conditioned on
the source ETag seen (``If-Match``). A large object is copied segment by segment,
each segment server-side into the destination's own segment names, then a new
manifest is written: there is no 5 GiB limit (each segment is within
``max_file_size``), no byte goes through the client, and the copy shares no segment
with its source -- so deleting or overwriting either never breaks the other.

A move is a verified copy, then a delete of the source only if it is still exactly
what was copied (same ETag and timestamp); Swift has no compare-and-swap, so a
writer racing the final DELETE itself is the one window left.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Unpack

from airflow_provider_swift.client.base.errors import (
    SwiftChecksumError,
    SwiftConflictError,
    SwiftNotFoundError,
    SwiftPreconditionFailedError,
    SwiftValidationError,
)
from airflow_provider_swift.client.base.options import CopyOptions, copy_options
from airflow_provider_swift.client.base.parallel import map_ordered
from airflow_provider_swift.client.large.large_objects import LargeObjects
from airflow_provider_swift.client.large.pieces import CopiedSegment
from airflow_provider_swift.client.large.reads import Reads, large_object_kind
from airflow_provider_swift.client.large.segmented import SegmentedWrite, Target, WritePolicy
from airflow_provider_swift.client.large.segments import (
    Segment,
    composite_etag,
)
from airflow_provider_swift.client.rest.info import Info
from airflow_provider_swift.client.rest.objects import POST_PRESERVED_HEADERS, Objects, strip_etag
from airflow_provider_swift.client.rest.server_copy import server_side_copy
from airflow_provider_swift.client.wire.core import AfterRetry
from airflow_provider_swift.client.wire.metadata import (
    metadata_from_headers,
    metadata_headers,
    validate_metadata,
)
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Transport

log = logging.getLogger(__name__)

#: Object headers a copy carries over (besides user metadata), unless fresh.
COPIED_HEADERS = tuple(
    h for h in POST_PRESERVED_HEADERS if h not in ("x-delete-at", "x-object-manifest")
)


@dataclass(frozen=True)
class CopyResult:
    """What a copy (or move) produced."""

    source: str
    destination: str
    etag: str
    bytes: int
    large_object: str | None = None
    segments: int = 0
    #: a retried move found the source gone and the destination present: an earlier
    #: attempt had moved it, and nothing was done this time
    already_moved: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Copies:
    """Server-side copies, moves and expiry."""

    def __init__(
        self,
        transport: Transport,
        info: Info,
        objects: Objects,
        reads: Reads,
        large_objects: LargeObjects,
        segmented: SegmentedWrite,
    ) -> None:
        self.transport = transport
        self.info = info
        self.objects = objects
        self.reads = reads
        self.large_objects = large_objects
        self.segmented = segmented

    def _head(self, container: str, name: str, account: str | None) -> dict[str, str]:
        path, shown = object_path(container, name)
        return self.transport.request("HEAD", path, display=shown, account=account).headers

    def copy_object(
        self,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        *,
        if_match: str | None = None,
        **options: Unpack[CopyOptions],
    ) -> CopyResult:
        """Copy an object server-side; large objects get segments of their own.

        :param if_match: copy only if the source still has this ETag (else 412).
        :param options: see :class:`CopyOptions`.
        """
        opts = copy_options(options)
        source_account, dest_account = opts["source_account"], opts["dest_account"]
        source = self._head(source_container, source_name, source_account)
        etag = strip_etag(source.get("etag")) or ""
        if if_match is not None and strip_etag(if_match) != etag:
            raise SwiftPreconditionFailedError(
                "the source no longer has the expected ETag",
                status=412,
                method="COPY",
                path=f"/{source_container}/{source_name}",
            )
        headers = self._copied_headers(
            source, opts["fresh_metadata"], opts["metadata"], opts["keep_expiry"]
        )
        if opts["delete_at"] is not None:
            headers["X-Delete-At"] = str(int(opts["delete_at"]))
        kind = large_object_kind(source)
        shown_source = f"/{source_container}/{source_name}"
        shown_dest = f"/{dest_container}/{dest_name}"
        if kind is None:
            server_side_copy(
                self.transport,
                source_container,
                source_name,
                dest_container,
                dest_name,
                etag,
                headers,
                source_account=source_account,
                dest_account=dest_account,
            )
            size = int(source.get("content-length", 0))
            return CopyResult(shown_source, shown_dest, etag, size)
        if source_account or dest_account:
            raise SwiftValidationError(
                "copying a large object between accounts is not supported; copy within one account"
            )
        return self._copy_large(
            source_container,
            source_name,
            dest_container,
            dest_name,
            source,
            kind,
            headers,
            opts["segment_threads"],
        )

    def _copied_headers(
        self,
        source: Mapping[str, str],
        fresh: bool,
        metadata: Mapping[str, object] | None,
        keep_expiry: bool,
    ) -> dict[str, Any]:
        headers: dict[str, Any] = {}
        if "content-type" in source:
            headers["Content-Type"] = source["content-type"]
        merged: dict[str, object] = {}
        if not fresh:
            headers.update({k: source[k] for k in COPIED_HEADERS if k in source})
            merged.update(metadata_from_headers(source, "object"))
        merged.update({k.lower(): v for k, v in (metadata or {}).items()})
        if merged:
            valid = validate_metadata(merged, self.info.metadata_limits())
            headers.update(metadata_headers(valid, "object"))
        if keep_expiry and "x-delete-at" in source:
            headers["X-Delete-At"] = source["x-delete-at"]
        return headers

    def _copy_large(
        self,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        source: Mapping[str, str],
        kind: str,
        headers: dict[str, Any],
        segment_threads: int,
    ) -> CopyResult:
        etag = strip_etag(source.get("etag")) or ""
        segments = self.reads.segments_of(source_container, source_name, source) or []
        if composite_etag(s.etag for s in segments) != etag:
            raise SwiftConflictError(
                "the source changed while its segment list was read; try again",
                method="COPY",
                path=f"/{source_container}/{source_name}",
            )
        current = self.objects.head_or_none(dest_container, dest_name)
        target = Target(
            dest_container,
            dest_name,
            kind,
            f"{dest_container}_segments",
            f"copy-{uuid.uuid4().hex}",
            headers,
            current,
            expected_etag=etag,
            delete_at=int(headers["X-Delete-At"]) if "X-Delete-At" in headers else None,
        )
        sources = [CopiedSegment(index, segment) for index, segment in enumerate(segments)]
        done = self.segmented.write(
            target, sources, WritePolicy(segment_threads, False, False, "copy")
        )
        return CopyResult(
            f"/{source_container}/{source_name}",
            f"/{dest_container}/{dest_name}",
            done.etag,
            done.bytes,
            kind,
            len(done.segments),
        )

    def move_object(
        self,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        **options: Unpack[CopyOptions],
    ) -> CopyResult:
        """ "Rename": a verified server-side copy, then delete the source -- only if it is
        still exactly the version copied. If it changed in between, raise
        :class:`SwiftConflictError` and delete nothing (the copy holds the earlier version).

        Retries are safe: when the source is gone and the destination exists, an
        earlier attempt completed the move; that is logged and the result says
        ``already_moved``.

        :param options: see :class:`CopyOptions`.
        """
        opts = copy_options(options)
        source_account, dest_account = opts["source_account"], opts["dest_account"]
        try:
            source = self._head(source_container, source_name, source_account)
            etag = strip_etag(source.get("etag")) or ""
            result = self.copy_object(
                source_container, source_name, dest_container, dest_name, if_match=etag, **opts
            )
        except SwiftNotFoundError:
            moved = self._already_moved(
                source_container, source_name, dest_container, dest_name, opts
            )
            if moved is None:
                raise
            return moved
        copied = self._head(dest_container, dest_name, dest_account)
        if strip_etag(copied.get("etag")) != etag:
            raise SwiftChecksumError(
                f"the copy's ETag {copied.get('etag')} differs from the source's {etag}; "
                "the source was not deleted",
                method="COPY",
                path=result.destination,
            )
        try:
            now = self._head(source_container, source_name, source_account)
        except SwiftNotFoundError:
            now = {}
        if strip_etag(now.get("etag")) != etag or now.get("x-timestamp") != source.get(
            "x-timestamp"
        ):
            raise SwiftConflictError(
                "the source changed (or vanished) while it was being moved; nothing was "
                f"deleted, and {result.destination} holds the version that was copied",
                method="DELETE",
                path=result.source,
            )
        if source_account:
            path, shown = object_path(source_container, source_name)
            self.transport.request(
                "DELETE", path, display=shown, account=source_account, after_retry=AfterRetry.DELETE
            )
        else:
            self.large_objects.delete_object_with_segments(
                source_container, source_name, missing_ok=True
            )
        return result

    def _already_moved(
        self,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        opts: CopyOptions,
    ) -> CopyResult | None:
        """The result of an earlier attempt's move when the source is gone and the
        destination exists, else None (the 404 stands)."""
        try:
            self._head(source_container, source_name, opts["source_account"])
            return None  # the source exists: the 404 was something else
        except SwiftNotFoundError:
            pass
        try:
            dest = self._head(dest_container, dest_name, opts["dest_account"])
        except SwiftNotFoundError:
            return None
        shown_source = f"/{source_container}/{source_name}"
        shown_dest = f"/{dest_container}/{dest_name}"
        log.warning(
            "Source %s is gone and %s exists: an earlier attempt moved it",
            shown_source,
            shown_dest,
        )
        kind = large_object_kind(dest)
        return CopyResult(
            shown_source,
            shown_dest,
            strip_etag(dest.get("etag")) or "",
            int(dest.get("content-length", 0)),
            kind,
            already_moved=True,
        )

    def set_expiry(
        self, container: str, name: str, delete_at: int | None, *, segment_threads: int = 4
    ) -> dict[str, str]:
        """Set (``delete_at``) or cancel (None) an object's expiry, keeping its metadata,
        a DLO's manifest and everything else; a large object's segments follow,
        ``segment_threads`` at once.

        :return: the object's headers afterwards.
        """
        if delete_at is not None and delete_at <= time.time():
            raise SwiftValidationError(f"delete_at={delete_at} is in the past")
        current = self.objects.head_object(container, name)
        segments = self.reads.segments_of(container, name, current) or []
        change: dict[str, Any] = (
            {"headers": {"X-Delete-At": str(int(delete_at))}}
            if delete_at is not None
            else {"remove_headers": ["x-delete-at"]}
        )

        def one(segment: Segment) -> None:
            self.objects.update_object_metadata(segment.container, segment.name, **change)

        # segments first: an object never expires before (or without) its segments
        map_ordered(one, segments, max(1, segment_threads), name="swift-expiry")
        self.objects.update_object_metadata(container, name, **change)
        return self.objects.head_object(container, name)
