"""Uploads: one PUT, or a large object written by the segmented write.

A file or stream bigger than the segment size (see :mod:`..large.segments` for the
sizes) is cut into sources -- windows of the file, or spooled chunks of the stream --
that :class:`~..large.segmented.SegmentedWrite` sends in parallel, each checked by MD5,
the manifest last (see there for what happens on failure and to replaced segments).
A file's segment names depend on its mtime, size and the segment size, so a retried
upload of the same unchanged file re-sends only the segments missing or different.
"""

from __future__ import annotations

import io
import logging
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import IO, Any, Unpack, cast

from airflow_provider_swift.client.base.errors import (
    SwiftValidationError,
)
from airflow_provider_swift.client.base.options import UploadOptions, upload_options
from airflow_provider_swift.client.base.progress import Progress
from airflow_provider_swift.client.large.large_objects import LargeObjects
from airflow_provider_swift.client.large.pieces import (
    FileVersion,
    Piece,
    Spooler,
    file_window,
    spool_window,
)
from airflow_provider_swift.client.large.reads import Reads, large_object_kind
from airflow_provider_swift.client.large.segmented import SegmentedWrite, Target, WritePolicy
from airflow_provider_swift.client.large.segments import (
    choose_segment_size,
    segment_sizes,
)
from airflow_provider_swift.client.rest.containers import Containers
from airflow_provider_swift.client.rest.create_only import (
    already_exists,
    confirm_sole_writer,
    refuse_existing,
)
from airflow_provider_swift.client.rest.info import Info
from airflow_provider_swift.client.rest.objects import Objects, strip_etag
from airflow_provider_swift.client.rest.server import ServerFacts
from airflow_provider_swift.client.wire.metadata import (
    metadata_headers,
    validate_metadata,
    with_mtime,
)
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Transport

log = logging.getLogger(__name__)


class _Head:
    """The stored state is not known: HEAD the object before deciding."""


_HEAD = _Head()


@dataclass(frozen=True)
class UploadResult:
    """What an upload did. ``etag`` is the object's ETag as HEAD returns it (unquoted)."""

    container: str
    name: str
    etag: str
    bytes: int
    large_object: str | None = None
    segments: int = 0
    segments_uploaded: int = 0
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Uploads:
    """Uploads of any size."""

    def __init__(
        self,
        transport: Transport,
        info: Info,
        server: ServerFacts,
        containers: Containers,
        objects: Objects,
        reads: Reads,
        large_objects: LargeObjects,
        segmented: SegmentedWrite,
    ) -> None:
        self.transport = transport
        self.info = info
        self.server = server
        self.containers = containers
        self.objects = objects
        self.reads = reads
        self.large_objects = large_objects
        self.segmented = segmented

    def upload_file(
        self,
        container: str,
        name: str,
        path: str | os.PathLike[str],
        **options: Unpack[UploadOptions],
    ) -> UploadResult:
        """Upload a local file: one PUT, or a large object when it is bigger than the
        segment size (explicit, else derived from the cluster's ``/info``).

        :param options: see :class:`UploadOptions`. ``if_exists="skip_identical"``
            leaves an identical object alone (per-segment MD5s for large objects).
        """
        return self._upload_file(container, name, path, _HEAD, upload_options(options))

    def upload_planned(
        self,
        container: str,
        name: str,
        path: str | os.PathLike[str],
        current: Mapping[str, str] | None,
        **options: Unpack[UploadOptions],
    ) -> UploadResult:
        """:meth:`upload_file` for an object whose state a listing already told: no HEAD.

        A many-file plan (:mod:`plan`) knows from one listing whether each object
        exists and whether it is an SLO, so asking again per file would double the
        requests. The guarantees stay: a create-only PUT still sends
        ``If-None-Match: *``, a failure still discards only segments no stored
        manifest references, and a replaced SLO's old segments are still retired.

        :param current: the object's headers as known (``Stored.headers()`` from a
            listing entry, or a HEAD's), or None when the listing says it is absent.
        """
        return self._upload_file(container, name, path, current, upload_options(options))

    def _upload_file(
        self,
        container: str,
        name: str,
        path: str | os.PathLike[str],
        known: Mapping[str, str] | _Head | None,
        opts: UploadOptions,
    ) -> UploadResult:
        source = os.fspath(path)
        try:
            stat = os.stat(source)
        except FileNotFoundError:
            raise SwiftValidationError(f"local file {source!r} does not exist") from None
        except OSError as exc:
            raise SwiftValidationError(
                f"cannot read local file {source!r}: {exc.strerror}"
            ) from None
        if not os.path.isfile(source) or not os.access(source, os.R_OK):
            raise SwiftValidationError(f"local file {source!r} is not a readable file")
        size = stat.st_size
        opts = {**opts, "metadata": with_mtime(opts["metadata"], stat.st_mtime_ns)}
        chosen = choose_segment_size(
            size,
            self.info.large_object_limits(),
            segment_size=opts["segment_size"],
            kind=opts["large_object"],
        )
        object_path(container, name)
        current = self.objects.head_or_none(container, name) if isinstance(known, _Head) else known
        if opts["if_exists"] == "fail":
            refuse_existing(container, name, current)
        sizes = segment_sizes(size, chosen) if chosen else [size]
        if (
            current is not None
            and opts["if_exists"] == "skip_identical"
            and self.reads.matches_file(container, name, source, current)
        ):
            kind = large_object_kind(current)
            log.info("Skipping /%s/%s: identical object already stored", container, name)
            return UploadResult(
                container,
                name,
                strip_etag(current.get("etag")) or "",
                size,
                kind,
                len(sizes) if kind else 0,
                skipped=True,
            )
        version = FileVersion.of(stat)
        if chosen is None:
            with file_window(source, 0, size, version)() as window:
                body = cast(IO[bytes], window)
                return self._upload_whole(
                    container, name, body, size, current, opts, content_length=size
                )

        def pieces() -> Iterator[Piece]:
            offset = 0
            for index, piece_size in enumerate(sizes):
                yield Piece(index, piece_size, file_window(source, offset, piece_size, version))
                offset += piece_size

        upload_id = f"{stat.st_mtime_ns}/{size}/{chosen}"
        return self._upload_large(
            container, name, pieces(), upload_id, current, opts, resume=True, size=size
        )

    def upload_stream(
        self,
        container: str,
        name: str,
        stream: IO[bytes] | Iterable[bytes],
        **options: Unpack[UploadOptions],
    ) -> UploadResult:
        """Upload a stream of unknown length (a binary file object or an iterable of
        bytes): one PUT if it fits in one segment, else a large object.

        Each segment is spooled to a temporary file (in memory up to 8 MiB) so it can
        be re-sent on a retry; at most ``segment_threads + 1`` segments are spooled at once.
        ``if_exists="skip_identical"`` is not available: the data is known only once read.

        :param options: see :class:`UploadOptions`.
        """
        opts = upload_options(options)
        if opts["if_exists"] == "skip_identical":
            raise SwiftValidationError("if_exists='skip_identical' needs a file, not a stream")
        chosen = choose_segment_size(
            None,
            self.info.large_object_limits(),
            segment_size=opts["segment_size"],
            kind=opts["large_object"],
        )
        assert chosen is not None
        object_path(container, name)
        current = self.objects.head_or_none(container, name)
        if opts["if_exists"] == "fail":
            refuse_existing(container, name, current)
        spooler = Spooler(stream, chosen)
        first, first_size = spooler.next_segment()
        if spooler.exhausted():
            with first:
                first.seek(0)
                return self._upload_whole(
                    container, name, first, first_size, current, opts, content_length=first_size
                )

        def pieces() -> Iterator[Piece]:
            spool, spool_size, index = first, first_size, 0
            while True:
                yield Piece(index, spool_size, spool_window(spool, spool_size), spool.close)
                if spooler.exhausted():
                    return
                spool, spool_size = spooler.next_segment()
                index += 1

        return self._upload_large(
            container, name, pieces(), uuid.uuid4().hex, current, opts, resume=False
        )

    def upload_bytes(
        self,
        container: str,
        name: str,
        data: bytes,
        **options: Unpack[UploadOptions],
    ) -> UploadResult:
        """Upload bytes held in memory: one PUT if they fit in one segment, else a
        large object (as :meth:`upload_stream`).

        :param options: see :class:`UploadOptions`. ``if_exists="skip_identical"``
            leaves an object that already holds these bytes alone (its MD5, or its
            MD5 per segment for a large object) and says ``skipped``.
        """
        opts = upload_options(options)
        if opts["if_exists"] == "skip_identical":
            current = self.objects.head_or_none(container, name)
            if current is not None and self.reads.matches_bytes(container, name, data, current):
                log.info("Skipping /%s/%s: identical object already stored", container, name)
                kind = large_object_kind(current)
                segments = len(self.reads.segments_of(container, name, current) or ())
                return UploadResult(
                    container,
                    name,
                    strip_etag(current.get("etag")) or "",
                    len(data),
                    kind,
                    segments,
                    skipped=True,
                )
            opts["if_exists"] = "replace"
        return self.upload_stream(container, name, io.BytesIO(data), **opts)

    def _upload_whole(
        self,
        container: str,
        name: str,
        body: IO[bytes],
        size: int,
        current: Mapping[str, str] | None,
        opts: UploadOptions,
        *,
        content_length: int | None = None,
    ) -> UploadResult:
        """One PUT; then the replaced object's segments retired."""
        old = self.large_objects.replaced_segments(container, name, current)
        started = time.monotonic()
        create_only = opts["if_exists"] == "fail"
        with already_exists(container, name):
            put = self.objects.put_object(
                container,
                name,
                body,
                content_length=content_length,
                content_type=opts["content_type"],
                metadata=opts["metadata"],
                headers=_with_expiry(opts["headers"], opts["delete_at"]),
                if_none_match="*" if create_only else None,
            )
        if create_only:
            confirm_sole_writer(self.objects, container, name, put.etag, started)
        self.large_objects.retire(container, name, old, [])
        return UploadResult(container, name, put.etag, size)

    def _upload_large(
        self,
        container: str,
        name: str,
        pieces: Iterable[Piece],
        upload_id: str,
        current: Mapping[str, str] | None,
        opts: UploadOptions,
        *,
        resume: bool,
        size: int | None = None,
    ) -> UploadResult:
        kind = opts["large_object"]
        send = _with_expiry(opts["headers"], opts["delete_at"])
        if opts["metadata"]:
            limits = self.info.metadata_limits()
            send.update(metadata_headers(validate_metadata(opts["metadata"], limits), "object"))
        if opts["content_type"]:
            send["Content-Type"] = opts["content_type"]
        target = Target(
            container,
            name,
            kind,
            opts["segment_container"] or f"{container}_segments",
            upload_id,
            send,
            current,
            create_only=opts["if_exists"] == "fail",
            delete_at=opts["delete_at"],
        )
        policy = WritePolicy(opts["segment_threads"], resume, opts["leave_segments"], "upload")
        progress = Progress("Uploading", f"/{container}/{name}", size)
        done = self.segmented.write(target, pieces, policy, progress)
        return UploadResult(
            container, name, done.etag, done.bytes, kind, len(done.segments), done.sent
        )


def _with_expiry(headers: Mapping[str, object] | None, delete_at: int | None) -> dict[str, Any]:
    """The object's headers, with its expiry (checked by :func:`upload_options`)."""
    send: dict[str, Any] = dict(headers or {})
    if delete_at is not None:
        send["X-Delete-At"] = str(int(delete_at))
    return send
