"""The segmented write: the one transaction that stores a large object, whatever its
segments come from (a file, a stream, a server-side copy, another cluster).

1. the segment container exists (created in the object's storage policy);
2. the segments being replaced are read *before* anything is written;
3. the segments are sent ``segment_threads`` at once (:func:`~..base.parallel.map_ordered`),
   each checked (its MD5 against what Swift stored); a resumed write first lists what
   is already stored under its segment names and sends only what is missing or
   different;
4. the segments together must make the expected ETag, when one is known (a copy's
   source);
5. the manifest goes last (SLO or DLO), create-only when asked (``If-None-Match: *``,
   then :func:`~..rest.create_only.confirm_sole_writer`);
6. on any failure, the segments this write sent are deleted -- except those a stored
   manifest references (:meth:`LargeObjects.discard_segments`), or all of them with
   ``leave_segments`` (a later retry resumes from them) -- and no manifest is written,
   so nothing half-written ever looks complete;
7. on success, the replaced object's segments the new manifest does not use are
   retired (never in a versioned container).

Segment names are ``<name>/<kind>/<write id>/%08d`` (:func:`~.segments.segment_prefix`):
a write id that depends only on the source (a file's mtime, size and segment size; a
source ETag) lets a retry find its segments again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from airflow_provider_swift.client.base.errors import (
    SwiftChecksumError,
    SwiftPreconditionFailedError,
    SwiftValidationError,
    error_for_status,
)
from airflow_provider_swift.client.base.parallel import map_ordered
from airflow_provider_swift.client.base.progress import Progress
from airflow_provider_swift.client.large.large_objects import LargeObjects
from airflow_provider_swift.client.large.reads import Reads, large_object_kind
from airflow_provider_swift.client.large.segments import (
    Segment,
    composite_etag,
    dlo_manifest_header,
    segment_name,
    segment_prefix,
    slo_manifest,
)
from airflow_provider_swift.client.rest.containers import Containers
from airflow_provider_swift.client.rest.create_only import already_exists, confirm_sole_writer
from airflow_provider_swift.client.rest.info import Info
from airflow_provider_swift.client.rest.objects import Objects, strip_etag
from airflow_provider_swift.client.rest.server import ServerFacts
from airflow_provider_swift.client.wire.core import AfterRetry
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Transport

log = logging.getLogger(__name__)


class SegmentSource(Protocol):
    """Where one segment's bytes come from (see :mod:`.pieces`)."""

    @property
    def index(self) -> int: ...

    @property
    def size(self) -> int: ...

    def stored_matches(self, entry: Mapping[str, Any]) -> bool:
        """Whether a segment already stored under this one's name (its listing entry)
        holds the same bytes, so a resumed write need not send it again."""
        ...

    def send(self, objects: Objects, container: str, name: str, headers: Mapping[str, str]) -> str:
        """PUT the segment as ``container/name``; return its ETag, checked."""
        ...

    def release(self) -> None:
        """Give back what the source holds (a spool); called once, sent or not."""
        ...


@dataclass(frozen=True)
class Target:
    """The large object to write, and what is known of the one it replaces."""

    container: str
    name: str
    kind: str  # "slo" or "dlo"
    segment_container: str
    #: names this write's segments: the same id for the same source lets a retry resume
    write_id: str
    #: the manifest's headers: content type, metadata, expiry...
    headers: Mapping[str, str | bytes]
    #: the stored object's headers (a HEAD, or a listing entry's), None if absent
    current: Mapping[str, str] | None
    #: refuse to replace an existing object (``If-None-Match: *``)
    create_only: bool = False
    #: the ETag the segments together must make (a copy's source), when known
    expected_etag: str | None = None
    #: the segments' expiry (Unix time), like the manifest's
    delete_at: int | None = None

    @property
    def shown(self) -> str:
        return f"/{self.container}/{self.name}"


@dataclass(frozen=True)
class WritePolicy:
    """How the write goes about it."""

    #: segments sent at once
    segment_threads: int
    #: list the segments already stored under this write's names and keep intact ones
    resume: bool
    #: on failure, keep the segments sent (for a later resume) instead of deleting them
    leave_segments: bool
    #: what the log line calls the write ("upload", "copy", "transfer")
    action: str = "upload"


@dataclass(frozen=True)
class WriteOutcome:
    """What was stored: the manifest's ETag, its segments, how many were sent."""

    etag: str
    segments: list[Segment]
    sent: int

    @property
    def bytes(self) -> int:
        return sum(s.size for s in self.segments)


class SegmentedWrite:
    """Writes large objects: every writer of segments goes through :meth:`write`."""

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

    def write(
        self,
        target: Target,
        sources: Iterable[SegmentSource],
        policy: WritePolicy,
        progress: Progress | None = None,
    ) -> WriteOutcome:
        """Store ``target`` from ``sources`` (drawn lazily, in index order) as one
        transaction (see the module docstring)."""
        container, name, segment_container = target.container, target.name, target.segment_container
        self.large_objects.ensure_segment_container(container, segment_container)
        prefix = segment_prefix(name, target.kind, target.write_id)
        stored = (
            {e["name"]: e for e in self.containers.iter_objects(segment_container, prefix=prefix)}
            if policy.resume
            else {}
        )
        old = self.large_objects.replaced_segments(container, name, target.current)
        keep = {(s.container, s.name) for s in old}
        sent: list[tuple[str, str]] = []
        lock = threading.Lock()
        extra = {"X-Delete-At": str(int(target.delete_at))} if target.delete_at else {}

        def one(source: SegmentSource) -> Segment:
            try:
                segment = segment_name(prefix, source.index)
                entry = stored.get(segment)
                if entry is not None and source.stored_matches(entry):
                    etag = str(entry["hash"])
                else:
                    with lock:  # before the PUT: a lost reply may still have stored it
                        sent.append((segment_container, segment))
                    etag = source.send(self.objects, segment_container, segment, extra)
                if progress is not None:
                    progress.advance(source.size)
                return Segment(segment_container, segment, etag, source.size)
            finally:
                source.release()

        try:
            segments = map_ordered(
                one,
                sources,
                policy.segment_threads,
                name="swift-segment",
                release=lambda source: source.release(),
            )
            made = composite_etag(s.etag for s in segments)
            if target.expected_etag is not None and made != strip_etag(target.expected_etag):
                raise SwiftChecksumError(
                    f"the segments written make ETag {made}, the source's is "
                    f"{target.expected_etag}",
                    method="PUT",
                    path=target.shown,
                )
            headers = dict(target.headers)
            if target.create_only:
                headers["If-None-Match"] = "*"
            started = time.monotonic()
            with already_exists(container, name):
                if target.kind == "slo":
                    etag = self.put_slo_manifest(container, name, segments, headers)
                else:
                    etag = self.put_dlo_manifest(
                        container, name, segment_container, prefix, headers
                    )
            if target.create_only:
                confirm_sole_writer(self.objects, container, name, etag, started)
        except BaseException as exc:
            doomed = [pair for pair in sent if pair not in keep]
            if doomed and not policy.leave_segments:
                self.large_objects.discard_segments(
                    container, name, doomed, f"{policy.action} failed ({exc})"
                )
            raise
        self.large_objects.retire(container, name, old, segments)
        outcome = WriteOutcome(etag, segments, len(sent))
        log.info(
            "%s of %s as %s: %d bytes in %d segments (%d sent, %d already stored)",
            policy.action.capitalize(),
            target.shown,
            target.kind.upper(),
            outcome.bytes,
            len(segments),
            len(sent),
            len(segments) - len(sent),
        )
        return outcome

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
            "stored: it is this upload's (same ETag and segments)",
            container,
            name,
        )

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
