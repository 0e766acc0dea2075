"""Uploads: one PUT, or segments in parallel and the manifest last.

An upload cuts the data into segments (see :mod:`segments` for the sizes), sends
them concurrently from a bounded thread pool -- each segment streamed from its own
window of the file, its MD5 computed on the way and compared with what Swift
stored -- and writes the manifest only when every segment is in place:

* on failure, the segments this upload sent are deleted (unless ``leave_segments``)
  and no manifest is written, so nothing half-uploaded ever looks complete;
* on success, the old object's segments that the new manifest does not reference
  are deleted, except in versioned containers (see ``LargeObjects.retire``);
* a retried upload of the same unchanged file finds its segments under the same
  names and re-sends only those missing or different (checked by MD5).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import IO, Any, Unpack

from airflow_provider_swift.client.base.errors import (
    SwiftChecksumError,
    SwiftPreconditionFailedError,
    SwiftValidationError,
    error_for_status,
)
from airflow_provider_swift.client.base.options import UploadOptions, upload_options
from airflow_provider_swift.client.base.parallel import all_or_first_failure
from airflow_provider_swift.client.base.progress import Progress
from airflow_provider_swift.client.large.large_objects import LargeObjects
from airflow_provider_swift.client.large.pieces import (
    HashingReader,
    Piece,
    Spooler,
    file_window,
    spool_window,
)
from airflow_provider_swift.client.large.reads import Reads, large_object_kind
from airflow_provider_swift.client.large.segments import (
    Segment,
    choose_segment_size,
    composite_etag,
    dlo_manifest_header,
    segment_name,
    segment_prefix,
    segment_sizes,
    slo_manifest,
)
from airflow_provider_swift.client.rest.containers import Containers
from airflow_provider_swift.client.rest.info import Info
from airflow_provider_swift.client.rest.objects import Objects, md5_of_stream, strip_etag
from airflow_provider_swift.client.rest.server import ServerFacts
from airflow_provider_swift.client.wire.core import AfterRetry
from airflow_provider_swift.client.wire.metadata import metadata_headers, validate_metadata
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
    ) -> None:
        self.transport = transport
        self.info = info
        self.server = server
        self.containers = containers
        self.objects = objects
        self.reads = reads
        self.large_objects = large_objects

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
        chosen = choose_segment_size(
            size, self.info.large_object_limits(), segment_size=opts["segment_size"],
            kind=opts["large_object"],
        )  # fmt: skip
        object_path(container, name)
        current = self.objects.head_or_none(container, name) if isinstance(known, _Head) else known
        _refuse_existing(container, name, current, opts["if_exists"])
        sizes = segment_sizes(size, chosen) if chosen else [size]
        if (
            current is not None
            and opts["if_exists"] == "skip_identical"
            and self.large_objects.matches_file(container, name, source, current)
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
        if chosen is None:
            return self._upload_whole_file(container, name, source, size, current, opts)

        def pieces() -> Iterator[Piece]:
            offset = 0
            for index, piece_size in enumerate(sizes):
                yield Piece(index, piece_size, file_window(source, offset, piece_size))
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
            None, self.info.large_object_limits(), segment_size=opts["segment_size"],
            kind=opts["large_object"],
        )  # fmt: skip
        assert chosen is not None
        object_path(container, name)
        current = self.objects.head_or_none(container, name)
        _refuse_existing(container, name, current, opts["if_exists"])
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

    def _upload_whole_file(
        self,
        container: str,
        name: str,
        source: str,
        size: int,
        current: Mapping[str, str] | None,
        opts: UploadOptions,
    ) -> UploadResult:
        with open(source, "rb") as handle:
            return self._upload_whole(container, name, handle, size, current, opts)

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
        with _already_exists(container, name):
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
            self._confirm_sole_writer(container, name, put.etag, started)
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
        if opts["if_exists"] == "fail":
            send["If-None-Match"] = "*"
        segment_container = opts["segment_container"] or f"{container}_segments"
        self.large_objects.ensure_segment_container(container, segment_container)
        prefix = segment_prefix(name, kind, upload_id)
        existing = (
            {e["name"]: e for e in self.containers.iter_objects(segment_container, prefix=prefix)}
            if resume
            else {}
        )
        old = self.large_objects.replaced_segments(container, name, current)
        keep = {(s.container, s.name) for s in old}
        sent: list[tuple[str, str]] = []
        try:
            progress = Progress("Uploading", f"/{container}/{name}", size)
            segments = self._put_segments(
                pieces, segment_container, prefix, existing, opts["segment_threads"], sent,
                opts["delete_at"], progress,
            )  # fmt: skip
            started = time.monotonic()
            with _already_exists(container, name):
                if kind == "slo":
                    etag = self.put_slo_manifest(container, name, segments, send)
                else:
                    etag = self.put_dlo_manifest(container, name, segment_container, prefix, send)
            if opts["if_exists"] == "fail":
                self._confirm_sole_writer(container, name, etag, started)
        except BaseException as exc:
            doomed = [pair for pair in sent if pair not in keep]
            if doomed and not opts["leave_segments"]:
                self.large_objects.discard_segments(
                    container, name, doomed, f"upload failed ({exc})"
                )
            raise
        self.large_objects.retire(container, name, old, segments)
        total = sum(s.size for s in segments)
        log.info(
            "Uploaded /%s/%s as %s: %d bytes in %d segments (%d sent, %d already stored)",
            container, name, kind.upper(), total, len(segments), len(sent),
            len(segments) - len(sent),
        )  # fmt: skip
        return UploadResult(container, name, etag, total, kind, len(segments), len(sent))

    def _confirm_sole_writer(self, container: str, name: str, etag: str, started: float) -> None:
        """Make ``if_exists="fail"`` hold for overlapping uploads too.

        Swift checks ``If-None-Match: *`` when a PUT *begins*: two uploads that overlap
        in time both pass it, and the one Swift stamped later is what stays. So once
        our PUT succeeded, wait about as long again as it took (any rival that had
        begun by then finishes within that), then read the newest copy: if it is not
        ours, we lost the race -- raise, like a 412 would have. A rival slower than
        twice our own PUT can still finish after this check: Swift has no atomic
        create-if-absent, and this narrows the window, it cannot close it.
        """
        elapsed = time.monotonic() - started
        time.sleep(min(max(2 * elapsed, 0.1), 5.0))
        stored = self.objects.newest_headers(container, name) or {}
        if strip_etag(stored.get("etag")) != strip_etag(etag):
            raise SwiftPreconditionFailedError(
                "object already exists and if_exists='fail': a concurrent upload of the "
                "same name was stored instead of this one",
                status=412,
                method="PUT",
                path=f"/{container}/{name}",
            )

    def _put_segments(
        self,
        pieces: Iterable[Piece],
        segment_container: str,
        prefix: str,
        existing: Mapping[str, Mapping[str, Any]],
        threads: int,
        sent: list[tuple[str, str]],
        delete_at: int | None,
        progress: Progress,
    ) -> list[Segment]:
        """Send every piece (skipping intact ones), ``threads`` at a time, in order."""
        lock = threading.Lock()
        slots = threading.BoundedSemaphore(threads + 1)
        extra = {"X-Delete-At": str(delete_at)} if delete_at else {}

        def put(piece: Piece) -> Segment:
            try:
                name = segment_name(prefix, piece.index)
                path, shown = object_path(segment_container, name)
                with piece.open() as window:
                    stored = existing.get(name)
                    if stored is not None and int(stored["bytes"]) == piece.size:
                        md5 = md5_of_stream(window, piece.size)
                        if md5 == stored["hash"]:
                            progress.advance(piece.size)
                            return Segment(segment_container, name, md5, piece.size)
                    body = HashingReader(window)
                    reply = self.transport.request(
                        "PUT", path, display=shown, body=body, content_length=piece.size,
                        headers=extra, expect=(201,),
                    )  # fmt: skip
                    with lock:
                        sent.append((segment_container, name))
                    etag = strip_etag(reply.headers.get("etag")) or ""
                    if etag != body.hexdigest():
                        raise SwiftChecksumError(
                            f"segment {piece.index} was stored with MD5 {etag}, "
                            f"{body.hexdigest()} was sent",
                            method="PUT",
                            path=shown,
                            transaction_id=reply.transaction_id,
                        )
                    progress.advance(piece.size)
                    return Segment(segment_container, name, etag, piece.size)
            finally:
                piece.release()
                slots.release()

        futures: list[Future[Segment]] = []
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="swift-segment") as pool:
            for piece in pieces:
                slots.acquire()
                if any(f.done() and f.exception() for f in futures):
                    piece.release()
                    slots.release()
                    break
                futures.append(pool.submit(put, piece))
            return all_or_first_failure(pool, futures)

    def put_slo_manifest(
        self, container: str, name: str, segments: list[Segment], headers: dict[str, str | bytes]
    ) -> str:
        limits = self.info.large_object_limits()
        if len(segments) > limits.max_manifest_segments:
            raise SwiftValidationError(
                f"{len(segments)} segments exceed the cluster's limit of "
                f"{limits.max_manifest_segments} per manifest: use a larger segment_size"
            )
        path, shown = object_path(container, name)
        etag = composite_etag(s.etag for s in segments)
        body = json.dumps(slo_manifest(segments)).encode("utf-8")
        conditional = "If-None-Match" in headers
        # Swift checks an ETag header against the segments; RGW refuses any (F1), and
        # there the ETag it answers is compared instead
        probe_in = segments[0].container if segments else container
        etag_header = self.server.learned(probe_in).manifest_etag_header_ok
        send = {**headers, "Accept": "application/json"}
        if etag_header:
            send["ETag"] = etag
        reply = self.transport.request(
            "PUT",
            path,
            display=shown,
            query={"multipart-manifest": "put", "heartbeat": "on"},
            headers=send,
            body=body,
            expect=(201, 202),
            after_retry=AfterRetry.CONDITIONAL if conditional else AfterRetry.REPEATABLE,
        )
        code = reply.status
        answered = strip_etag(reply.headers.get("etag"))
        if reply.status == 202:  # heartbeat: the real outcome is in the body
            outcome = json.loads(reply.body.strip() or b"{}")
            status_line = str(outcome.get("Response Status", ""))
            code = int(status_line.split(" ", 1)[0] or 0)
            answered = strip_etag(outcome.get("Etag")) or answered
        if not etag_header and 200 <= code < 300 and answered and answered != etag:
            raise SwiftChecksumError(
                f"the manifest was stored with ETag {answered}, its segments make {etag}",
                method="PUT",
                path=shown,
                transaction_id=reply.transaction_id,
            )
        if code == 412 and reply.retried and conditional:
            self._claim_lost_manifest(container, name, etag, segments, reply.transaction_id)
        elif reply.status == 202 and not 200 <= code < 300:
            raise error_for_status(
                code or 500,
                method="PUT",
                path=shown,
                reason=f"manifest refused ({status_line})",
                body=json.dumps(outcome.get("Errors") or outcome.get("Response Body", "")),
                transaction_id=reply.transaction_id,
            )
        return etag

    def _claim_lost_manifest(
        self,
        container: str,
        name: str,
        etag: str,
        segments: list[Segment],
        transaction_id: str | None,
    ) -> None:
        """A create-only manifest PUT was retried and met an existing object: return if
        the stored SLO is the one the lost attempt wrote (same ETag, same segments),
        else raise "already exists" -- whose failure path keeps every segment a stored
        manifest references."""
        stored = self.objects.newest_headers(container, name)
        ours = (
            stored is not None
            and large_object_kind(stored) == "slo"
            and strip_etag(stored.get("etag")) == etag
            and [(s.container, s.name) for s in self.reads.slo_segments(container, name)]
            == [(s.container, s.name) for s in segments]
        )
        if not ours:
            raise SwiftPreconditionFailedError(
                "object already exists (another writer's object is stored)",
                status=412,
                method="PUT",
                path=f"/{container}/{name}",
                transaction_id=transaction_id,
            )
        log.info(
            "The reply to the manifest PUT of /%s/%s was lost and the retry found it "
            "stored: it is this upload's (same ETag and segments)", container, name,
        )  # fmt: skip

    def put_dlo_manifest(
        self,
        container: str,
        name: str,
        segment_container: str,
        prefix: str,
        headers: dict[str, str | bytes],
    ) -> str:
        send = {**headers, "X-Object-Manifest": dlo_manifest_header(segment_container, prefix)}
        self.objects.put_object(container, name, b"", headers=send)
        return strip_etag(self.objects.head_object(container, name).get("etag")) or ""


@contextlib.contextmanager
def _already_exists(container: str, name: str) -> Iterator[None]:
    """Say what a 412 from ``If-None-Match: *`` means."""
    try:
        yield
    except SwiftPreconditionFailedError as exc:
        raise SwiftPreconditionFailedError(
            f"object already exists and if_exists='fail' ({exc.message})",
            status=exc.status,
            method=exc.method,
            path=exc.path or f"/{container}/{name}",
            transaction_id=exc.transaction_id,
        ) from None


def _refuse_existing(
    container: str, name: str, current: Mapping[str, str] | None, if_exists: str
) -> None:
    """With ``if_exists="fail"``, refuse before sending anything (Swift checks again)."""
    if current is not None and if_exists == "fail":
        raise SwiftPreconditionFailedError(
            "object already exists and if_exists='fail'",
            status=412,
            method="PUT",
            path=f"/{container}/{name}",
        )


def _with_expiry(headers: Mapping[str, object] | None, delete_at: int | None) -> dict[str, Any]:
    """The object's headers, with its expiry (checked by :func:`upload_options`)."""
    send: dict[str, Any] = dict(headers or {})
    if delete_at is not None:
        send["X-Delete-At"] = str(int(delete_at))
    return send
