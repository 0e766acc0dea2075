"""Object requests: PUT, GET, HEAD, POST and DELETE -- with checksums on both ways.

Uploads send the MD5 as ``ETag`` whenever it can be known before sending, so a body
that arrives damaged (or re-sent wrongly) is refused with 422 instead of stored.
Downloads of plain objects are checked against the ETag, and written to a temporary
file beside the target that replaces it only once verified.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, cast, overload

from airflow_provider_swift.client.base.errors import (
    SwiftChecksumError,
    SwiftError,
    SwiftNotFoundError,
    SwiftPreconditionFailedError,
)
from airflow_provider_swift.client.rest.info import Info
from airflow_provider_swift.client.wire.core import AfterRetry, Reply
from airflow_provider_swift.client.wire.metadata import (
    metadata_from_headers,
    metadata_headers,
    validate_metadata,
)
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Body, Readable, Transport

log = logging.getLogger(__name__)

CHUNK = 1 << 20

#: Headers an object keeps only if every POST sends them again (Swift's object server
#: ``allowed_headers``); the user metadata is handled separately.
POST_PRESERVED_HEADERS = (
    "content-disposition",
    "content-encoding",
    "content-language",
    "cache-control",
    "expires",
    "x-delete-at",
    "x-object-manifest",
    "x-robots-tag",
)


@dataclass(frozen=True)
class PutResult:
    """Outcome of an object PUT."""

    etag: str
    headers: dict[str, str]


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def md5_of_stream(stream: Readable, length: int | None = None) -> str:
    """MD5 of the next ``length`` bytes (or the rest) of a stream; the position is restored."""
    start = stream.tell()
    digest = hashlib.md5(usedforsecurity=False)
    remaining = length
    while remaining is None or remaining > 0:
        chunk = stream.read(CHUNK if remaining is None else min(CHUNK, remaining))
        if not chunk:
            break
        digest.update(chunk)
        if remaining is not None:
            remaining -= len(chunk)
    stream.seek(start)
    return digest.hexdigest()


@overload
def strip_etag(etag: str) -> str: ...
@overload
def strip_etag(etag: str | None) -> str | None: ...
def strip_etag(etag: str | None) -> str | None:
    """An ETag without its quotes: the one way ETags are compared in this provider.

    Swift quotes some ETags (always a large object's, optionally others), listings and
    manifests do not; every comparison goes through this function.
    """
    return etag.strip('"') if etag else etag


class _HashingIterator:
    """Passes chunks through while computing their MD5 (for bodies of unknown MD5)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self.digest = hashlib.md5(usedforsecurity=False)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.digest.update(chunk)
            yield chunk


class BoundedReader:
    """A window of ``length`` bytes of a seekable binary file, itself seekable.

    requests reads the body's length from ``__len__``/``tell`` and the transport
    rewinds it with ``seek``: a window lets one file be sent as several request
    bodies without copying any of it into memory.
    """

    def __init__(self, stream: IO[bytes], length: int) -> None:
        self._stream = stream
        self._start = stream.tell()
        self._length = length
        self._pos = 0

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        left = self._length - self._pos
        if size is None or size < 0 or size > left:
            size = left
        if size <= 0:
            return b""
        chunk = self._stream.read(size)
        self._pos += len(chunk)
        return chunk

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._length}[whence]
        self._pos = max(0, min(self._length, base + offset))
        self._stream.seek(self._start + self._pos)
        return self._pos

    def seekable(self) -> bool:
        return True


class Objects:
    """Requests on objects."""

    def __init__(self, transport: Transport, info: Info) -> None:
        self.transport = transport
        self.info = info

    def put_object(  # noqa: PLR0913 -- one keyword per header (pyproject.toml)
        self,
        container: str,
        name: str,
        data: bytes | str | IO[bytes] | Iterable[bytes],
        *,
        content_length: int | None = None,
        etag: str | None = None,
        content_type: str | None = None,
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        if_none_match: str | None = None,
        query: Mapping[str, str | int | None] | None = None,
    ) -> PutResult:
        """Upload an object from bytes, a binary file or an iterable of bytes.

        The MD5 is sent as ``ETag`` for bytes and seekable files (computed here unless
        ``etag`` is given); for other iterables it is computed while sending and
        compared with what Swift stored, and a mismatching object is deleted.

        :param content_length: required for iterables unless chunked transfer is wanted.
        :param if_none_match: ``"*"`` to refuse to overwrite an existing object (412).
        """
        path, shown = object_path(container, name)
        send = dict(headers or {})
        if metadata:
            limits = self.info.metadata_limits()
            send.update(metadata_headers(validate_metadata(metadata, limits), "object"))
        if content_type:
            send["Content-Type"] = content_type
        if if_none_match:
            send["If-None-Match"] = if_none_match
        body, content_length, etag, hashing = _prepare_body(data, content_length, etag)
        if etag:
            send["ETag"] = etag
        reply = self.transport.request(
            "PUT",
            path,
            display=shown,
            query=query,
            headers=send,
            body=body,
            content_length=content_length,
            expect=(201,),
            after_retry=AfterRetry.CONDITIONAL if _create_only(send) else AfterRetry.REPEATABLE,
        )
        expected = etag or (hashing.digest.hexdigest() if hashing else None)
        if reply.status == 412:  # a retry's answer: the lost attempt may have been ours
            return self._claim_lost_put(container, name, expected, send, reply)
        stored = strip_etag(reply.headers.get("etag")) or ""
        if expected and stored and stored != expected:
            self._discard_mismatch(container, name)
            raise SwiftChecksumError(
                f"Swift stored MD5 {stored} but {expected} was sent; the object was removed",
                method="PUT",
                path=shown,
                transaction_id=reply.transaction_id,
            )
        return PutResult(etag=stored, headers=reply.headers)

    def _claim_lost_put(
        self,
        container: str,
        name: str,
        expected: str | None,
        sent: Mapping[str, object],
        reply: Reply,
    ) -> PutResult:
        """A create-only PUT was retried and the retry met an existing object: success
        if what is stored is what the lost attempt sent, else "already exists"."""
        stored = self.newest_headers(container, name)
        manifest = sent.get("X-Object-Manifest")
        ours = stored is not None and (
            (manifest is not None and stored.get("x-object-manifest") == str(manifest))
            or (
                manifest is None
                and expected is not None
                and strip_etag(stored.get("etag")) == expected
            )
        )
        if stored is None or not ours:
            raise SwiftPreconditionFailedError(
                "object already exists (another writer's object is stored)",
                status=412,
                method="PUT",
                path=f"/{container}/{name}",
                transaction_id=reply.transaction_id,
            )
        log.info(
            "The reply to PUT /%s/%s was lost and the retry found the object stored: it "
            "is this upload's (same %s), so the upload succeeded",
            container,
            name,
            "manifest" if manifest is not None else "MD5",
        )
        return PutResult(etag=strip_etag(stored.get("etag")) or "", headers=stored)

    def head_or_none(self, container: str, name: str) -> dict[str, str] | None:
        """Object headers, or None if it does not exist."""
        try:
            return self.head_object(container, name)
        except SwiftNotFoundError:
            return None

    def newest_headers(self, container: str, name: str) -> dict[str, str] | None:
        """HEAD with ``X-Newest`` (every replica asked, the newest answer wins): what
        the cluster holds once a write is done. None if absent."""
        path, shown = object_path(container, name)
        try:
            return self.transport.request(
                "HEAD", path, display=shown, headers={"X-Newest": "true"}
            ).headers
        except SwiftNotFoundError:
            return None

    def _discard_mismatch(self, container: str, name: str) -> None:
        # The checksum error raised next is what the caller must see, not this one.
        with contextlib.suppress(SwiftError):
            self.delete_object(container, name)

    def head_object(
        self, container: str, name: str, *, headers: Mapping[str, object] | None = None
    ) -> dict[str, str]:
        """Object headers; raises :class:`SwiftNotFoundError` if it does not exist.

        With conditional ``headers`` (``If-None-Match``), a 304 answer is returned too:
        its headers carry the unchanged ETag.
        """
        path, shown = object_path(container, name)
        return self.transport.request(
            "HEAD",
            path,
            display=shown,
            headers=dict(headers or {}),
            expect=(200, 204, 304),
        ).headers

    def post_object(self, container: str, name: str, headers: Mapping[str, object]) -> None:
        """Raw object POST. Swift REPLACES all user metadata and the preserved headers
        (``X-Delete-At``, ``X-Object-Manifest``...) with what is sent: prefer
        :meth:`update_object_metadata`."""
        path, shown = object_path(container, name)
        self.transport.request("POST", path, display=shown, headers=dict(headers))

    def update_object_metadata(
        self,
        container: str,
        name: str,
        metadata: Mapping[str, object] | None = None,
        *,
        remove: Collection[str] = (),
        headers: Mapping[str, object] | None = None,
        remove_headers: Collection[str] = (),
    ) -> dict[str, str]:
        """Change some metadata of an object and keep everything else.

        HEAD, merge, POST: user metadata not named here, expiry (``X-Delete-At``), a
        DLO's ``X-Object-Manifest``, ``Content-Disposition``/``Content-Encoding`` and
        the other headers Swift drops on POST are sent again unchanged. Swift has no
        compare-and-swap for POST, so a concurrent writer between HEAD and POST can
        still be overwritten.

        :param remove: metadata keys to delete.
        :param headers: other headers to set, e.g. ``{"X-Delete-At": 1700000000}``.
        :param remove_headers: preserved headers to drop, e.g. ``["X-Delete-At"]``.
        :return: the resulting user metadata.
        """
        current = self.head_object(container, name)
        merged = metadata_from_headers(current, "object")
        for key in remove:
            merged.pop(key.lower(), None)
        merged.update({k.lower(): "" if v is None else str(v) for k, v in (metadata or {}).items()})
        merged = validate_metadata(merged, self.info.metadata_limits())
        send: dict[str, object] = {
            key: current[key] for key in POST_PRESERVED_HEADERS if key in current
        }
        if "content-type" in current:
            send["content-type"] = current["content-type"]
        for key in remove_headers:
            send.pop(key.lower(), None)
            if key.lower() == "x-delete-at":
                # Ceph RGW keeps X-Delete-At on a POST that omits it (F5); both it and
                # Swift honour the explicit removal
                send["x-remove-delete-at"] = "x"
        send.update({k.lower(): v for k, v in (headers or {}).items()})
        send.update(metadata_headers(merged, "object"))
        self.post_object(container, name, send)
        return merged

    def delete_object(
        self,
        container: str,
        name: str,
        *,
        query: Mapping[str, str | int | None] | None = None,
        headers: Mapping[str, object] | None = None,
    ) -> dict[str, str]:
        """Delete an object. A 404 after a retry counts as success (the first attempt may
        have deleted it); a 404 on the first attempt raises :class:`SwiftNotFoundError`."""
        path, shown = object_path(container, name)
        reply = self.transport.request(
            "DELETE",
            path,
            display=shown,
            query=query,
            headers=dict(headers or {}),
            after_retry=AfterRetry.DELETE,
        )
        return reply.headers


def _prepare_body(
    data: bytes | str | IO[bytes] | Iterable[bytes], content_length: int | None, etag: str | None
) -> tuple[Body, int | None, str | None, _HashingIterator | None]:
    """The body to send, its length, and its MD5 -- known before sending for bytes and
    seekable files, else computed while sending (by the returned hashing iterator)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        body = bytes(data)
        return body, len(body), etag or md5_hex(body), None
    if hasattr(data, "read"):
        stream = cast(IO[bytes], data)
        if not _seekable(stream):
            if etag is not None:
                return stream, content_length, etag, None
            hashing = _HashingIterator(_read_chunks(stream, content_length))
            return hashing, content_length, None, hashing
        if content_length is not None:
            stream = cast(IO[bytes], BoundedReader(stream, content_length))
        return stream, content_length, etag or md5_of_stream(stream, content_length), None
    if etag is None:
        hashing = _HashingIterator(data)
        return hashing, content_length, None, hashing
    return data, content_length, etag, None


def _create_only(headers: Mapping[str, object]) -> bool:
    """Whether a PUT carries ``If-None-Match: *`` (its retry's 412 must be checked)."""
    return any(k.lower() == "if-none-match" for k in headers)


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError):
        return False


def _read_chunks(stream: IO[bytes], length: int | None) -> Iterator[bytes]:
    remaining = length
    while remaining is None or remaining > 0:
        chunk = stream.read(CHUNK if remaining is None else min(CHUNK, remaining))
        if not chunk:
            return
        if remaining is not None:
            remaining -= len(chunk)
        yield chunk
