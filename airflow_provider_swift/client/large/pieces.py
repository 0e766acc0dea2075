"""Segment data sources: windows of a file, spooled chunks of a stream, hashing reads.

Each segment is sent from a seekable window, so a retry can rewind it, and read in
small blocks, so memory does not grow with the segment size.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import IO

from airflow_provider_swift.client.base.errors import SwiftValidationError
from airflow_provider_swift.client.rest.objects import CHUNK, BoundedReader

#: Stream segments are spooled to disk past this size, so memory stays flat.
SPOOL_IN_MEMORY = 8 * 1024**2


@dataclass
class Piece:
    """One segment's data source: how to open it, and how big it is."""

    index: int
    size: int
    open: Callable[[], AbstractContextManager[BoundedReader]]
    release: Callable[[], None] = lambda: None


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


def file_window(
    path: str, offset: int, size: int
) -> Callable[[], AbstractContextManager[BoundedReader]]:
    @contextmanager
    def opened() -> Iterator[BoundedReader]:
        with open(path, "rb") as handle:
            handle.seek(offset)
            yield BoundedReader(handle, size)

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
