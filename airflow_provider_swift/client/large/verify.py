"""Checking downloaded bytes as they stream: whole-object MD5, or segment by segment.

A plain object's bytes must hash to its ETag. A large object's ETag is only a hash of
hashes, so its bytes are checked against each segment's MD5 at the segment
boundaries the manifest (SLO) or the segment listing (DLO) gives -- and those
segment ETags must themselves hash to the object's ETag, which proves the segment
list describes the very object being read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from airflow_provider_swift.client.base.errors import SwiftChecksumError
from airflow_provider_swift.client.large.segments import Segment, composite_etag
from airflow_provider_swift.client.rest.objects import strip_etag


class StreamVerifier:
    """Feed it every chunk in order, then call :meth:`finish`; raises on any mismatch.

    :param etag: the object's ETag (quoted or not).
    :param segments: for a large object, its data segments in order; None for a plain one.
    """

    def __init__(
        self, etag: str, segments: Sequence[Segment] | None = None, *, where: str = ""
    ) -> None:
        self.etag = strip_etag(etag)
        self.where = where
        self.size = 0
        self._segments = list(segments) if segments is not None else None
        if self._segments is not None:
            expected = composite_etag(s.etag for s in self._segments)
            if expected != self.etag:
                raise SwiftChecksumError(
                    f"the segment list of {where} does not match the object's ETag "
                    f"({expected} != {self.etag}); the object changed while being read",
                    path=where,
                )
            self._bounds = [s.size for s in self._segments]
        self._index = 0
        self._left = self._bounds[0] if self._segments else 0
        self._digest = hashlib.md5(usedforsecurity=False)
        if self._segments and self._left == 0:
            self._close_segment()

    @property
    def segments(self) -> list[Segment] | None:
        """The data segments checked against, or None for a plain object."""
        return self._segments

    @property
    def checks_segments(self) -> bool:
        return self._segments is not None

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._segments is None:
            self._digest.update(chunk)
            return
        view = memoryview(chunk)
        while view:
            if self._index >= len(self._segments):
                raise SwiftChecksumError(
                    f"{self.where} is longer than its segments add up to", path=self.where
                )
            take = min(self._left, len(view))
            self._digest.update(view[:take])
            view = view[take:]
            self._left -= take
            if self._left == 0:
                self._close_segment()

    def _close_segment(self) -> None:
        assert self._segments is not None
        segment = self._segments[self._index]
        actual = self._digest.hexdigest()
        if actual != strip_etag(segment.etag):
            raise SwiftChecksumError(
                f"segment {self._index} ({segment.path}) of {self.where} has MD5 {actual}, "
                f"its manifest says {segment.etag}",
                path=self.where,
            )
        self._index += 1
        self._digest = hashlib.md5(usedforsecurity=False)
        if self._index < len(self._segments):
            self._left = self._segments[self._index].size
            if self._left == 0:  # empty segments still count in order
                self._close_segment()

    def position(self) -> str:
        """Where the stream is, in words: which segment, for a large object."""
        if self._segments is None:
            return f"byte {self.size}"
        if self._index >= len(self._segments):
            return "after the last segment"
        return f"in segment {self._index}, {self._segments[self._index].path}"

    def finish(self) -> None:
        """Raise unless every byte arrived and matched."""
        if self._segments is None:
            actual = self._digest.hexdigest()
            if actual != self.etag:
                raise SwiftChecksumError(
                    f"downloaded bytes of {self.where} have MD5 {actual}, the ETag is {self.etag}",
                    path=self.where,
                )
            return
        if self._index < len(self._segments):
            raise SwiftChecksumError(
                f"{self.where} ended in segment {self._index} of {len(self._segments)}: "
                "the download is incomplete",
                path=self.where,
            )
