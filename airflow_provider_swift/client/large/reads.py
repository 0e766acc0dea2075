"""Reading objects, verified: plain objects against their MD5, large ones per segment.

Swift checks nothing end to end for a large object: its ETag is a hash of segment
hashes. Here, whenever a GET returns a whole object, its bytes are checked while
they stream -- against the ETag for a plain object, and at every segment boundary
against the segment MD5s of the SLO manifest or DLO listing -- and a download is
written to a temporary file that replaces the target only once everything matched.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests

from airflow_provider_swift.client.base.errors import (
    SwiftChecksumError,
    SwiftNotFoundError,
    SwiftPreconditionFailedError,
    SwiftSegmentsUnknownError,
    SwiftUnverifiedError,
    SwiftValidationError,
)
from airflow_provider_swift.client.base.options import (
    IF_EXISTS,
    VERIFY,
    IfExists,
    Verify,
    check_choice,
)
from airflow_provider_swift.client.base.parallel import map_ordered
from airflow_provider_swift.client.base.progress import Progress
from airflow_provider_swift.client.large.segments import (
    Segment,
    own_slo_segments,
    parse_dlo_manifest_header,
    parse_slo_manifest,
)
from airflow_provider_swift.client.large.verify import StreamVerifier
from airflow_provider_swift.client.rest.containers import Containers
from airflow_provider_swift.client.rest.objects import Objects, md5_of_stream, strip_etag
from airflow_provider_swift.client.rest.server import manifest_format
from airflow_provider_swift.client.wire.metadata import MTIME_KEY, parse_mtime
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Transport

log = logging.getLogger(__name__)

#: Bytes read from a response at a time: small enough that a connection breaking
#: mid-body loses little (and is located precisely), large enough to be cheap.
READ_CHUNK = 64 * 1024
#: Nested SLOs deeper than this are refused (Swift itself allows 10 levels).
MAX_MANIFEST_DEPTH = 10


@dataclass(frozen=True)
class DownloadResult:
    """Outcome of a download: ``skipped`` when nothing was written because the local
    file already held the object's bytes (``if_exists="skip_identical"``), or when an
    ``If-None-Match`` given answered 304.

    ``verified`` says what the bytes were checked against: ``"md5"`` (a plain object's
    ETag), ``"segments"`` (each segment's MD5, for a large one), or None when they
    could not be checked -- ``unverified`` then says why.
    """

    path: Path
    bytes: int
    etag: str | None
    headers: dict[str, str]
    skipped: bool = False
    verified: str | None = None
    unverified: str | None = None


@dataclass(frozen=True)
class Written:
    """One GET attempt wrote the object's body: its size, and what it was checked
    against (``"md5"``, ``"segments"``, or None: unchecked, see ``unverified``)."""

    size: int
    verified: str | None


@dataclass(frozen=True)
class SegmentsToFetch:
    """One GET attempt found a large object whose segments are better fetched
    directly, in parallel, than through the proxy's single stream."""

    segments: list[Segment]


def large_object_kind(headers: Mapping[str, str]) -> str | None:
    """``"slo"``, ``"dlo"`` or None, from an object's HEAD/GET headers."""
    if headers.get("x-static-large-object", "").lower() == "true":
        return "slo"
    if "x-object-manifest" in headers:
        return "dlo"
    return None


class Reads:
    """Segment discovery, verified reads, and whether stored and local bytes are equal."""

    def __init__(self, transport: Transport, containers: Containers, objects: Objects) -> None:
        self.transport = transport
        self.containers = containers
        self.objects = objects

    def slo_segments(
        self, container: str, name: str, *, etag: str | None = None, depth: int = 0
    ) -> list[Segment]:
        """The data segments of an SLO, nested manifests expanded, in order.

        From ``GET ?multipart-manifest=get`` (Swift's format or RGW's); when the server
        answers nothing usable there (Ceph RGW 16.2: an empty body), from this client's
        own segment names in ``<container>_segments`` -- the group whose composite ETag
        is the object's (``etag``, read by a HEAD when not given). Raises
        :class:`SwiftSegmentsUnknownError` when neither tells.
        """
        if depth > MAX_MANIFEST_DEPTH:
            raise SwiftValidationError(f"/{container}/{name}: SLOs nested too deeply")
        path, shown = object_path(container, name)
        reply = self.transport.request(
            "GET", path, display=shown, query={"multipart-manifest": "get"}
        )
        if manifest_format(reply.body) == "empty":
            return self._own_slo_segments(container, name, etag)
        segments: list[Segment] = []
        for segment in parse_slo_manifest(json.loads(reply.body)):
            if segment.nested:
                segments += self.slo_segments(segment.container, segment.name, depth=depth + 1)
            else:
                segments.append(segment)
        return segments

    def _own_slo_segments(self, container: str, name: str, etag: str | None) -> list[Segment]:
        """An SLO's segments by this client's naming (see :func:`own_slo_segments`)."""
        if etag is None:
            etag = self.objects.head_object(container, name).get("etag") or ""
        segment_container = f"{container}_segments"
        try:
            listed = list(self.containers.iter_objects(segment_container, prefix=f"{name}/slo/"))
        except SwiftNotFoundError:
            listed = []
        found = own_slo_segments(segment_container, listed, etag)
        if found is None:
            raise SwiftSegmentsUnknownError(
                "the server does not list an SLO's segments (its ?multipart-manifest=get "
                "answer is empty), and none under this client's own segment names "
                f"(/{segment_container}/{name}/slo/...) match the object's ETag",
                method="GET",
                path=f"/{container}/{name}",
            )
        return found

    def dlo_segments(self, manifest_header: str) -> list[Segment]:
        """The segments a DLO joins right now: every object under its prefix, in order."""
        container, prefix = parse_dlo_manifest_header(manifest_header)
        return [
            Segment(container, entry["name"], entry["hash"], int(entry["bytes"]))
            for entry in self.containers.iter_objects(container, prefix=prefix)
        ]

    def segments_of(
        self, container: str, name: str, headers: Mapping[str, str] | None = None
    ) -> list[Segment] | None:
        """A large object's data segments in order, or None for a plain object."""
        headers = headers if headers is not None else self.objects.head_object(container, name)
        kind = large_object_kind(headers)
        if kind == "slo":
            return self.slo_segments(container, name, etag=headers.get("etag"))
        if kind == "dlo":
            return self.dlo_segments(headers["x-object-manifest"])
        return None

    def matches_file(
        self,
        container: str,
        name: str,
        path: str | os.PathLike[str],
        headers: Mapping[str, str] | None = None,
    ) -> bool:
        """Whether the stored object holds exactly the bytes of a local file.

        Plain objects compare the file's MD5 with the ETag; large objects compare the
        MD5 of each stretch of the file with the matching segment's.

        :param headers: the object's HEAD headers, if known (else it is HEADed).
        """
        if not os.path.isfile(path):
            return False
        with open(path, "rb") as handle:
            return self._matches(container, name, handle, os.path.getsize(path), headers)

    def matches_bytes(
        self, container: str, name: str, data: bytes, headers: Mapping[str, str] | None = None
    ) -> bool:
        """Whether the stored object holds exactly ``data`` (as :meth:`matches_file`)."""
        return self._matches(container, name, io.BytesIO(data), len(data), headers)

    def _matches(
        self,
        container: str,
        name: str,
        handle: IO[bytes],
        size: int,
        headers: Mapping[str, str] | None,
    ) -> bool:
        headers = headers if headers is not None else self.objects.head_or_none(container, name)
        if headers is None:
            return False
        try:
            segments = self.segments_of(container, name, headers)
        except SwiftSegmentsUnknownError as exc:
            why = exc.message
            log.info("Cannot compare /%s/%s per segment (%s): not identical", container, name, why)
            return False
        if segments is None:
            return int(headers.get("content-length", -1)) == size and md5_of_stream(
                handle
            ) == strip_etag(headers.get("etag"))
        if sum(s.size for s in segments) != size:
            return False
        for segment in segments:
            if md5_of_stream(handle, segment.size) != strip_etag(segment.etag):
                return False
            handle.seek(segment.size, os.SEEK_CUR)
        return True

    def verification(
        self, container: str, name: str, headers: Mapping[str, str], status: int
    ) -> tuple[StreamVerifier | None, str | None]:
        """How to check a GET response's bytes, or (None, why they cannot be): a partial
        response, an ETag that is not an MD5 (an encrypted object), or a large object
        whose segment list the server does not give."""
        etag = strip_etag(headers.get("etag"))
        if status != 200:
            return None, f"a partial response ({status}) cannot be checked against the ETag"
        if not etag or len(etag) != 32:
            return None, f"the ETag {etag!r} is not an MD5 (an encrypted object?)"
        where = f"/{container}/{name}"
        try:
            segments = self.segments_of(container, name, headers)
        except SwiftSegmentsUnknownError as exc:
            return None, exc.message
        return StreamVerifier(etag, segments, where=where), None

    def get_object(
        self,
        container: str,
        name: str,
        *,
        headers: Mapping[str, object] | None = None,
        query: Mapping[str, str | int | None] | None = None,
        verify: Verify = "when_possible",
    ) -> tuple[dict[str, str], bytes]:
        """Read a whole object into memory, verified (see the module docstring).

        :param verify: ``"required"``: raise :class:`SwiftUnverifiedError` when the
            bytes cannot be checked; ``"when_possible"``: read them anyway, with a warning.
        """
        check_choice("verify", verify, VERIFY)
        path, shown = object_path(container, name)

        def consume(resp: requests.Response) -> bytes:
            verifier = self._verifier_unless_manifest(container, name, resp, query, verify)
            chunks = []
            for chunk in resp.iter_content(READ_CHUNK):
                if verifier:
                    verifier.update(chunk)
                chunks.append(chunk)
            if verifier:
                verifier.finish()
            return b"".join(chunks)

        reply = self.transport.request(
            "GET",
            path,
            display=shown,
            headers=dict(headers or {}),
            query=query,
            consume=consume,
        )
        return reply.headers, reply.result or b""

    def get_range(self, container: str, name: str, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` (exclusive) of an object; a partial read cannot be
        checked against the ETag (use ``get_object``/``download_object`` for that)."""
        if end <= start:
            return b""
        path, shown = object_path(container, name)
        reply = self.transport.request(
            "GET",
            path,
            display=shown,
            headers={"Range": f"bytes={start}-{end - 1}"},
            expect=(200, 206, 416),
        )
        if reply.status == 416:  # the range starts past the end
            return b""
        if reply.status == 200:  # the server ignored the range
            return reply.body[start:end]
        return reply.body

    def _verifier_unless_manifest(
        self,
        container: str,
        name: str,
        resp: requests.Response,
        query: Mapping[str, str | int | None] | None,
        verify: Verify,
        unverified: list[str] | None = None,
    ) -> StreamVerifier | None:
        if query and "multipart-manifest" in query:
            return None  # the manifest itself, not the object's data
        lowered = {k.lower(): v for k, v in resp.headers.items()}
        verifier, why = self.verification(container, name, lowered, resp.status_code)
        if verifier is None and why is not None:
            if verify == "required":
                resp.close()
                raise SwiftUnverifiedError(
                    f"cannot verify /{container}/{name} and verify='required': {why}",
                    method="GET",
                    path=f"/{container}/{name}",
                )
            log.warning("Reading /%s/%s unverified: %s", container, name, why)
            if unverified is not None:
                unverified.append(why)
        return verifier

    def download_object(
        self,
        container: str,
        name: str,
        destination: str | os.PathLike[str],
        *,
        if_exists: IfExists = "replace",
        if_none_match: str | None = None,
        headers: Mapping[str, object] | None = None,
        segment_threads: int = 4,
        verify: Verify = "when_possible",
    ) -> DownloadResult:
        """Stream an object to ``destination`` through a verified temporary file.

        The bytes go to a hidden file in the destination's directory, which replaces
        ``destination`` only after the download completed and its bytes matched
        (whole MD5, or every segment's MD5 for a large object); on any failure it is
        removed and ``destination`` is left as it was.

        A large object's segments are fetched directly, ``segment_threads`` at a time, each
        with ``If-Match`` on the ETag its manifest records, into their place in the
        file: faster than the proxy's single stream, which re-hashes every byte.

        :param if_exists: what to do when ``destination`` exists: ``"replace"``
            (default); ``"skip_identical"``: keep a file that already holds the
            object's bytes (``If-None-Match`` with its MD5 for a plain object, its MD5
            per segment for a large one) -- the result says ``skipped``;
            ``"fail"``: raise :class:`SwiftValidationError`, download nothing.
        :param if_none_match: an ETag; if the object still has it (304) nothing is written.
        :param segment_threads: segments of a large object fetched at once (1: one stream).
        :param verify: when the bytes cannot be checked (see :meth:`verification`):
            ``"required"`` raises :class:`SwiftUnverifiedError` and writes nothing;
            ``"when_possible"`` downloads anyway, logs a warning, and the result says
            ``verified=None`` and why in ``unverified``.
        """
        check_choice("verify", verify, VERIFY)
        check_choice("if_exists", if_exists, IF_EXISTS)
        target = Path(destination)
        path, shown = object_path(container, name)
        if target.exists() and if_exists == "fail":
            raise SwiftValidationError(f"local file {str(target)!r} exists and if_exists='fail'")
        local_md5 = None  # the MD5 of the local file, sent as If-None-Match
        if target.is_file() and if_exists == "skip_identical":
            current = self.objects.head_object(container, name)
            if large_object_kind(current) is None:  # a 304 will say "identical"
                with open(target, "rb") as local:
                    local_md5 = if_none_match = md5_of_stream(local)
            elif self.matches_file(container, name, target, current):
                return self._kept(container, name, target, current, "segments")
        directory = target.parent
        if not directory.is_dir():
            raise SwiftValidationError(f"download directory {str(directory)!r} does not exist")
        if target.is_dir():
            raise SwiftValidationError(f"download target {str(target)!r} is a directory")
        send = dict(headers or {})
        if if_none_match:
            send["If-None-Match"] = if_none_match
        handle, temp = _temporary_beside(target)
        unverified: list[str] = []
        try:
            with handle:
                stream = handle
                broken_at: list[int] = []
                reply = self.transport.request(
                    "GET",
                    path,
                    display=shown,
                    headers=send,
                    expect=(200, 206, 304),
                    consume=lambda resp: self._stream_to(
                        stream,
                        resp,
                        container,
                        name,
                        broken_at,
                        parallel=segment_threads > 1,
                        verify=verify,
                        unverified=unverified,
                    ),
                )
                attempt: Written | SegmentsToFetch = reply.result
                if isinstance(attempt, SegmentsToFetch):
                    attempt = self._fetch_segments(stream, attempt.segments, segment_threads, shown)
            etag = strip_etag(reply.headers.get("etag"))
            if reply.status == 304:
                temp.unlink()
                if local_md5 is not None:  # the local file's MD5 is the object's ETag
                    return self._kept(container, name, target, reply.headers, "md5")
                return DownloadResult(target, 0, etag, reply.headers, skipped=True)
            mtime = parse_mtime(reply.headers.get(f"x-object-meta-{MTIME_KEY}"))
            if mtime is not None:  # the file's own time, as python-swiftclient restores it
                os.utime(temp, ns=(mtime, mtime))
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        why = unverified[-1] if attempt.verified is None and unverified else None
        return DownloadResult(
            target, attempt.size, etag, reply.headers, verified=attempt.verified, unverified=why
        )

    def _kept(
        self, container: str, name: str, target: Path, headers: Mapping[str, str], how: str
    ) -> DownloadResult:
        """The result of a download that kept an identical local file."""
        log.info("Kept %s: identical to /%s/%s", target, container, name)
        etag = strip_etag(headers.get("etag"))
        size = target.stat().st_size
        return DownloadResult(target, size, etag, dict(headers), skipped=True, verified=how)

    def _stream_to(
        self,
        handle: IO[bytes],
        resp: requests.Response,
        container: str,
        name: str,
        broken_at: list[int],
        *,
        parallel: bool = False,
        verify: Verify = "when_possible",
        unverified: list[str] | None = None,
    ) -> Written | SegmentsToFetch:
        """Write one attempt's body to ``handle`` (a retried GET starts the file again).

        Swift aborts a large object's response when a segment fails its own checks
        (an MD5 or ETag that no longer matches the manifest). A connection that
        breaks twice in a row at the same byte of a large object is that, not the
        network: it is raised as a checksum error instead of being retried further.
        """
        handle.seek(0)
        handle.truncate()
        if resp.status_code == 304:
            return Written(0, None)
        verifier = self._verifier_unless_manifest(container, name, resp, None, verify, unverified)
        if parallel and verifier is not None and len(verifier.segments or ()) > 1:
            resp.close()  # fetch the segments themselves instead, concurrently
            return SegmentsToFetch(list(verifier.segments or ()))
        size = 0
        try:
            for chunk in resp.iter_content(READ_CHUNK):
                handle.write(chunk)
                if verifier:
                    verifier.update(chunk)
                size += len(chunk)
        except requests.exceptions.RequestException:
            if verifier and verifier.checks_segments and broken_at[-1:] == [size]:
                raise SwiftChecksumError(
                    f"Swift cut the response short at byte {size} "
                    f"({verifier.position()}) on every attempt: a segment is damaged or "
                    "was replaced after the manifest was written",
                    method="GET",
                    path=f"/{container}/{name}",
                ) from None
            broken_at.append(size)
            raise
        handle.flush()
        if verifier is None:
            return Written(size, None)
        verifier.finish()
        return Written(size, "segments" if verifier.checks_segments else "md5")

    def _fetch_segments(
        self, handle: IO[bytes], segments: list[Segment], segment_threads: int, where: str
    ) -> Written:
        """GET each segment into its place in ``handle``, checking its MD5 and size."""
        offsets = [0]
        for segment in segments:
            offsets.append(offsets[-1] + segment.size)
        handle.truncate(offsets[-1])
        descriptor = handle.fileno()
        progress = Progress("Downloading", where, offsets[-1])

        def fetch(index: int) -> None:
            segment = segments[index]
            path, shown = object_path(segment.container, segment.name)

            def consume(resp: requests.Response) -> tuple[int, str]:
                digest = hashlib.md5(usedforsecurity=False)
                position = offsets[index]
                for chunk in resp.iter_content(READ_CHUNK):
                    os.pwrite(descriptor, chunk, position)
                    digest.update(chunk)
                    position += len(chunk)
                return position - offsets[index], digest.hexdigest()

            try:
                reply = self.transport.request(
                    "GET",
                    path,
                    display=shown,
                    headers={"If-Match": segment.etag},
                    consume=consume,
                )
            except (SwiftPreconditionFailedError, SwiftNotFoundError) as exc:
                raise SwiftChecksumError(
                    f"segment {index} ({segment.path}) of {where} was replaced or deleted "
                    f"after the manifest was written ({exc.status})",
                    method="GET",
                    path=where,
                ) from None
            size, md5 = reply.result
            if size != segment.size or md5 != strip_etag(segment.etag):
                raise SwiftChecksumError(
                    f"segment {index} ({segment.path}) of {where} has MD5 {md5} and "
                    f"{size} bytes; its manifest says {segment.etag} and {segment.size}",
                    method="GET",
                    path=where,
                )
            progress.advance(size)

        map_ordered(fetch, range(len(segments)), segment_threads, name="swift-get")
        return Written(offsets[-1], "segments")


def _temporary_beside(target: Path) -> tuple[IO[bytes], Path]:
    """A new hidden file in ``target``'s directory (same filesystem: an atomic rename),
    with the mode the downloaded file should have: that of the file it replaces, else
    what ``open()`` would give a new file (``0o666`` less the umask, which the kernel
    applies -- reading the umask would change it for every thread)."""
    try:
        replaced = stat.S_IMODE(target.stat().st_mode) if target.is_file() else None
        for _ in range(100):
            temp = target.parent / f".{target.name}.{secrets.token_hex(6)}.part"
            try:
                descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(f"no free temporary name beside {target.name}")
        if replaced is not None:
            os.fchmod(descriptor, replaced)
    except OSError as exc:
        raise SwiftValidationError(
            f"cannot write in {str(target.parent)!r}: {exc.strerror or exc}"
        ) from None
    return os.fdopen(descriptor, "w+b"), temp
