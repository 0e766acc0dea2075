"""Open ``swift://`` files: reads by ranged GETs, writes spooled once and uploaded on close.

Reading a whole object from its start (``read()``, as ``read_bytes`` and
``read_text`` do) is one GET whose bytes are verified like a download's; other reads
are ranged GETs of read-ahead blocks, which no checksum covers.

A file open for writing keeps its bytes in one place: memory up to a small size, then
a named temporary file. On close, a small file is one verified PUT (its MD5 sent as
``ETag``); a bigger one is handed by name to the client's ``upload_file``, which
sends it as one PUT or, past the segment size, as a large object with parallel
segments -- nothing is copied again. Mode ``xb`` creates only: it refuses an existing
object on open, and its upload carries ``If-None-Match: *`` so that a writer racing
it cannot be overwritten either.
"""

from __future__ import annotations

import io
import os
import tempfile
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from fsspec.spec import AbstractBufferedFile

from airflow_provider_swift.client.large.pieces import SPOOL_IN_MEMORY
from airflow_provider_swift.fs.paths import as_os_errors, split

if TYPE_CHECKING:
    from airflow_provider_swift.fs.swift import SwiftFileSystem

#: Read-ahead block of a file open for reading (one ranged GET each).
READ_BLOCK = 8 * 1024**2


class Spool:
    """Bytes written so far: in memory up to ``in_memory`` bytes, then in a named
    temporary file (so an upload can read it by name, in parallel windows)."""

    def __init__(self, in_memory: int) -> None:
        self._limit = in_memory
        self._memory: io.BytesIO | None = io.BytesIO()
        self._file: IO[bytes] | None = None
        self.size = 0

    def write(self, data: bytes) -> int:
        if self._memory is not None and self.size + len(data) > self._limit:
            self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by discard()
                prefix="swift-upload-", suffix=".part", delete=False
            )
            self._file.write(self._memory.getbuffer())
            self._memory = None
        target = self._memory if self._memory is not None else self._file
        assert target is not None
        written = target.write(data)
        self.size += written
        return written

    @property
    def in_memory(self) -> bytes | None:
        """The bytes, while they are small enough to be held in memory."""
        return self._memory.getvalue() if self._memory is not None else None

    def path(self) -> str:
        """The temporary file's name, flushed (only once spooled to disk)."""
        assert self._file is not None
        self._file.flush()
        return self._file.name

    def discard(self) -> None:
        self._memory = None
        if self._file is not None:
            self._file.close()
            os.unlink(self._file.name)
            self._file = None


class SwiftFile(AbstractBufferedFile):  # type: ignore[misc]
    """An object opened for reading (``rb``) or writing (``wb``, ``xb``)."""

    fs: SwiftFileSystem
    loc: int
    forced: bool

    def __init__(self, fs: SwiftFileSystem, path: str, mode: str = "rb", **kwargs: Any) -> None:
        if mode == "ab":
            raise NotImplementedError("Swift objects cannot be appended to; rewrite them")
        if mode == "xb" and fs.object_headers(path) is not None:
            raise FileExistsError(path)
        super().__init__(fs, path, mode, **kwargs)
        if mode != "rb":
            limit = SPOOL_IN_MEMORY
            if fs.segment_size:
                limit = min(limit, fs.segment_size)
            self._spool: Spool | None = Spool(limit)

    # -- reading -------------------------------------------------------------------

    def read(self, length: int = -1) -> bytes:
        """Read the whole object from its start as one verified GET (what
        ``read_bytes``/``read_text`` do); any other read by ranged GETs."""
        if (
            self.mode == "rb"
            and not self.closed
            and self.loc == 0
            and (length is None or length < 0)
        ):
            container, name = split(self.path)
            with as_os_errors(self.path):
                data: bytes = self.fs.client.get_object(container, name)[1]
            self.loc = len(data)
            return data
        chunk: bytes = super().read(length)
        return chunk

    def _fetch_range(self, start: int, end: int) -> bytes:
        container, name = split(self.path)
        with as_os_errors(self.path):
            return self.fs.client.get_range(container, name, start, end)

    # -- writing -------------------------------------------------------------------

    def write(self, data: bytes) -> int:
        """Add bytes to the spool (nothing is sent before close)."""
        if not self.writable():
            raise ValueError("File not in write mode")
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        if self.forced or self._spool is None:
            raise ValueError("This file has been force-flushed, can only close")
        written = self._spool.write(bytes(data))
        self.loc += written
        return written

    def flush(self, force: bool = False) -> None:
        """Upload on the final flush (at close); earlier flushes keep spooling."""
        if self.closed:
            raise ValueError("Flush on closed file")
        if self.readable() or not force:
            return
        if self.forced:
            raise ValueError("Force flush cannot be called more than once")
        self.forced = True
        if self.autocommit:
            self.commit()

    def commit(self) -> None:
        """Upload what was written (at close, or when a transaction ends)."""
        spool, self._spool = self._spool, None
        if spool is None:
            return
        try:
            self.fs.upload_spool(self.path, spool, create_only=self.mode == "xb")
        finally:
            spool.discard()

    def discard(self) -> None:
        """Drop what was written: nothing is uploaded."""
        spool, self._spool = self._spool, None
        if spool is not None:
            spool.discard()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is not None and "r" not in self.mode and not self.closed:
            # a failed ``with`` block must not store what it wrote half-way
            self.discard()
            self.forced = True
        self.close()
