"""Where a segment's bytes come from: the sources a :class:`~.segmented.SegmentedWrite`
sends -- a window of a file, a spooled chunk of a stream, a segment of another object
copied server-side, or one relayed from another cluster.

Each knows its size, whether a segment already stored under its name holds the same
bytes (for a resumed write), and how to send itself with its bytes checked: data
sources are sent from a seekable window (a retry can rewind it) in small blocks (memory
does not grow with the segment size), their MD5 computed on the way and compared with
what Swift stored; copied and relayed segments carry their source's MD5.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import IO, Any, cast

from airflow_provider_swift.client.base.errors import (
    SwiftChecksumError,
    SwiftSourceChangedError,
    SwiftValidationError,
)
from airflow_provider_swift.client.large.relay import Relay
from airflow_provider_swift.client.large.segments import Segment
from airflow_provider_swift.client.rest.objects import (
    CHUNK,
    BoundedReader,
    Objects,
    md5_of_stream,
    strip_etag,
)
from airflow_provider_swift.client.rest.server_copy import server_side_copy
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Transport

#: Stream segments are spooled to disk past this size, so memory stays flat.
SPOOL_IN_MEMORY = 8 * 1024**2


@dataclass
class Piece:
    """A segment of data read here: how to open its window, and how big it is."""

    index: int
    size: int
    open: Callable[[], AbstractContextManager[BoundedReader]]
    on_release: Callable[[], None] = lambda: None

    def stored_matches(self, entry: Mapping[str, Any]) -> bool:
        if int(entry["bytes"]) != self.size:
            return False
        with self.open() as window:
            return md5_of_stream(window, self.size) == str(entry["hash"])

    def send(self, objects: Objects, container: str, name: str, headers: Mapping[str, str]) -> str:
        path, shown = object_path(container, name)
        with self.open() as window:
            body = HashingReader(window)
            reply = objects.transport.request(
                "PUT",
                path,
                display=shown,
                body=body,
                content_length=self.size,
                headers=headers,
                expect=(201,),
            )
        etag = strip_etag(reply.headers.get("etag")) or ""
        if etag != body.hexdigest():
            raise SwiftChecksumError(
                f"segment {self.index} was stored with MD5 {etag}, {body.hexdigest()} was sent",
                method="PUT",
                path=shown,
                transaction_id=reply.transaction_id,
            )
        return etag

    def release(self) -> None:
        self.on_release()


@dataclass(frozen=True)
class CopiedSegment:
    """A segment of another object in the same account, copied server-side (no byte
    through this process), only while it still has its MD5."""

    index: int
    source: Segment

    @property
    def size(self) -> int:
        return self.source.size

    def stored_matches(self, entry: Mapping[str, Any]) -> bool:
        return (int(entry["bytes"]), entry["hash"]) == (self.size, strip_etag(self.source.etag))

    def send(self, objects: Objects, container: str, name: str, headers: Mapping[str, str]) -> str:
        return server_side_copy(
            objects.transport,
            self.source.container,
            self.source.name,
            container,
            name,
            self.source.etag,
            headers,
        )

    def release(self) -> None:
        pass


@dataclass(frozen=True)
class RelayedSegment:
    """A segment of an object on another cluster or account: its GET relayed into the
    PUT (:class:`~.relay.Relay`), the PUT carrying its MD5 so Swift refuses other bytes."""

    index: int
    source: Segment
    transport: Transport  # the source's

    @property
    def size(self) -> int:
        return self.source.size

    def stored_matches(self, entry: Mapping[str, Any]) -> bool:
        return (int(entry["bytes"]), entry["hash"]) == (self.size, strip_etag(self.source.etag))

    def send(self, objects: Objects, container: str, name: str, headers: Mapping[str, str]) -> str:
        md5 = strip_etag(self.source.etag) or ""
        with Relay(
            self.transport, self.source.container, self.source.name, etag=md5, size=self.size
        ) as relay:
            put = objects.put_object(
                container,
                name,
                cast(IO[bytes], relay),
                content_length=self.size,
                etag=md5,
                headers=headers,
            )
        return put.etag

    def release(self) -> None:
        pass


class HashingReader:
    """Computes the MD5 of what is read; rewinding to the start starts the MD5 again."""

    def __init__(self, inner: BoundedReader) -> None:
        self._inner = inner
        self._digest = hashlib.md5(usedforsecurity=False)

    def __len__(self) -> int:
        return len(self._inner)

    def read(self, size: int = -1) -> bytes:
        chunk = self._inner.read(size)
        self._digest.update(chunk)
        return chunk

    def tell(self) -> int:
        return self._inner.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self._inner.seek(offset, whence)
        if position != 0:
            raise SwiftValidationError("a segment body can only be rewound to its start")
        self._digest = hashlib.md5(usedforsecurity=False)
        return position

    def seekable(self) -> bool:
        return True

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


@dataclass(frozen=True)
class FileVersion:
    """What tells one version of a local file from the next: if any of these changed
    while the file was read, the bytes read may mix two versions."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, status: os.stat_result) -> FileVersion:
        return cls(status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)

    def check(self, status: os.stat_result, path: str, when: str) -> None:
        """Raise :class:`SwiftSourceChangedError` if ``status`` is another version."""
        now = FileVersion.of(status)
        if now == self:
            return
        changed = [
            f"{what} {old} -> {new}"
            for what, old, new in (
                ("inode", (self.device, self.inode), (now.device, now.inode)),
                ("size", self.size, now.size),
                ("mtime_ns", self.mtime_ns, now.mtime_ns),
            )
            if old != new
        ]
        raise SwiftSourceChangedError(
            f"local file {path!r} changed while it was uploaded ({', '.join(changed)}, "
            f"{when}); nothing mixing two versions was stored -- retry when it is complete"
        )


class SourceWindow(BoundedReader):
    """A window of a local file that refuses to come up short: a file truncated while
    it is sent is an error at once, not a body shorter than its ``Content-Length``
    (which a server waits on until the read timeout)."""

    def __init__(self, stream: IO[bytes], length: int, path: str) -> None:
        super().__init__(stream, length)
        self._path = path

    def read(self, size: int = -1) -> bytes:
        left = len(self) - self.tell()
        wanted = left if size is None or size < 0 else min(size, left)
        chunk = super().read(size)
        if len(chunk) < wanted:
            raise SwiftSourceChangedError(
                f"local file {self._path!r} ended {wanted - len(chunk)} bytes early while "
                "it was uploaded (truncated?); nothing was stored from it"
            )
        return chunk


def file_window(
    path: str, offset: int, size: int, version: FileVersion
) -> Callable[[], AbstractContextManager[BoundedReader]]:
    """Open ``size`` bytes of ``path`` at ``offset``, checking that the file is still
    ``version`` when opened and once the window has been used."""

    @contextmanager
    def opened() -> Iterator[BoundedReader]:
        with open(path, "rb") as handle:
            version.check(os.fstat(handle.fileno()), path, "before a part was read")
            handle.seek(offset)
            yield SourceWindow(handle, size, path)
            version.check(os.fstat(handle.fileno()), path, "after a part was sent")

    return opened


def spool_window(
    spool: IO[bytes], size: int
) -> Callable[[], AbstractContextManager[BoundedReader]]:
    @contextmanager
    def opened() -> Iterator[BoundedReader]:
        spool.seek(0)
        yield BoundedReader(spool, size)

    return opened


class Spooler:
    """Cuts a stream into spooled segments of at most ``limit`` bytes each."""

    def __init__(self, stream: IO[bytes] | Iterable[bytes], limit: int) -> None:
        if hasattr(stream, "read"):
            reader: IO[bytes] = stream  # type: ignore[assignment]
            self._chunks: Iterator[bytes] = iter(lambda: reader.read(CHUNK), b"")
        else:
            self._chunks = (bytes(chunk) for chunk in stream if chunk)
        self._pending = b""
        self.limit = limit

    def next_segment(self) -> tuple[IO[bytes], int]:
        """The next segment's bytes in a spool (on disk past 8 MiB), and its size."""
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        size = 0
        while size < self.limit:
            chunk = self._pending or next(self._chunks, b"")
            self._pending = b""
            if not chunk:
                break
            take = chunk[: self.limit - size]
            spool.write(take)
            size += len(take)
            self._pending = chunk[len(take) :]
        return spool, size

    def exhausted(self) -> bool:
        """Whether the stream has no more bytes (reads ahead one chunk to know)."""
        if not self._pending:
            self._pending = next(self._chunks, b"")
        return not self._pending
