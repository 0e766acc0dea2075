"""A GET's body as the body of a PUT: one object's bytes relayed from one Swift to
another, checked as they pass, with nothing written to local disk.

:class:`Relay` is a readable file-like object whose bytes come from a GET of the
source object, sent by the source client's own transport (its auth, retries and
typed errors) in a background thread and handed over through a small bounded
queue -- so memory stays at a few chunks whatever the object's size. It is
*rewindable to its start*: the destination's transport rewinds a PUT body before
a retry, and a rewound relay starts a fresh GET. So a PUT fed by a relay can be
retried like one fed by a file.

The GET carries ``If-Match`` with the ETag the transfer planned for: if the source
changes meanwhile, the GET fails (412) instead of relaying a mix of two versions.
If the GET breaks mid-body, the transport retries it and the relay skips the bytes
it has already passed on. Every byte is checked on the way (:class:`StreamVerifier`:
the whole MD5 for a plain object, every segment's MD5 for a large one): a mismatch
raises from :meth:`Relay.read`, before the last byte leaves, so the PUT fails.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Sequence

import requests

from airflow_provider_swift.client.base.errors import SwiftChecksumError, SwiftValidationError
from airflow_provider_swift.client.large.segments import Segment
from airflow_provider_swift.client.large.verify import StreamVerifier
from airflow_provider_swift.client.rest.objects import strip_etag
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Transport

#: Bytes read from the GET at a time: the PUT side sends 256 KiB blocks.
RELAY_CHUNK = 256 * 1024
#: Chunks buffered between the GET and the PUT: enough to absorb jitter, small
#: enough that memory stays flat (8 x 256 KiB per relay).
QUEUE_CHUNKS = 8
#: How often a blocked hand-over looks whether the relay was closed (seconds).
POLL = 0.1


class _Closed(Exception):
    """The relay was closed or rewound: the GET feeding it stops."""


class _End:
    """End of the body (or the error that ended it)."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class Relay:
    """The bytes of ``/container/name`` on ``transport``'s account, as a readable,
    rewindable stream of exactly ``size`` bytes.

    :param etag: the ETag the object must still have (sent as ``If-Match``).
    :param segments: for a large object, its data segments (their MD5s are checked
        at each boundary); None for a plain object.
    """

    def __init__(
        self,
        transport: Transport,
        container: str,
        name: str,
        *,
        etag: str,
        size: int,
        segments: Sequence[Segment] | None = None,
    ) -> None:
        self._transport = transport
        self._container, self._name = container, name
        self._etag = strip_etag(etag)
        self._size = size
        self._segments = list(segments) if segments is not None else None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._queue: queue.Queue[bytes | _End] = queue.Queue(QUEUE_CHUNKS)
        self._buffer = memoryview(b"")
        self._position = 0
        self._verifier = self._new_verifier()
        self._finished = False

    @property
    def where(self) -> str:
        return f"/{self._container}/{self._name}"

    def _new_verifier(self) -> StreamVerifier:
        return StreamVerifier(self._etag, self._segments, where=self.where)

    def __len__(self) -> int:
        return self._size

    # -- the GET, in its own thread ---------------------------------------------------

    def _start(self) -> None:
        self._stop = threading.Event()
        self._queue = queue.Queue(QUEUE_CHUNKS)
        self._thread = threading.Thread(
            target=self._fetch, args=(self._stop, self._queue), name="swift-relay", daemon=True
        )
        self._thread.start()

    def _fetch(self, stop: threading.Event, chunks: queue.Queue[bytes | _End]) -> None:
        path, shown = object_path(self._container, self._name)
        passed = [0]  # bytes handed over so far, across the GET's own retries

        def consume(resp: requests.Response) -> None:
            skip = passed[0]  # a retried GET starts again at byte 0
            for received in resp.iter_content(RELAY_CHUNK):
                chunk = received[skip:] if skip else received
                skip = max(0, skip - len(received))
                if chunk:
                    _hand_over(stop, chunks, chunk)
                    passed[0] += len(chunk)

        try:
            self._transport.request(
                "GET", path, display=shown, headers={"If-Match": self._etag}, consume=consume
            )
        except _Closed:
            return
        except BaseException as exc:  # handed to the reader, which raises it
            with contextlib.suppress(_Closed):
                _hand_over(stop, chunks, _End(exc))
            return
        with contextlib.suppress(_Closed):
            _hand_over(stop, chunks, _End())

    # -- the file-like side, read by the PUT ----------------------------------------

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left if negative); b"" at the end."""
        left = self._size - self._position
        if size is None or size < 0 or size > left:
            size = left
        if size <= 0:
            self._finish()
            return b""
        if self._thread is None:
            self._start()
        parts: list[bytes] = []
        wanted = size
        while wanted > 0:
            if not self._buffer:
                item = self._queue.get()
                if isinstance(item, _End):
                    self._queue.put(item)  # every later read sees the end too
                    if item.error is not None:
                        raise item.error
                    raise SwiftChecksumError(
                        f"{self.where} ended after {self._position} of {self._size} bytes "
                        "(it changed size since it was listed)",
                        method="GET",
                        path=self.where,
                    )
                self._buffer = memoryview(item)
            take = bytes(self._buffer[:wanted])
            self._buffer = self._buffer[len(take) :]
            parts.append(take)
            wanted -= len(take)
        data = b"".join(parts)
        self._verifier.update(data)
        self._position += len(data)
        if self._position == self._size:
            self._finish()
        return data

    def _finish(self) -> None:
        """At the last byte: raise unless every byte matched (before the PUT ends)."""
        if not self._finished:
            self._verifier.finish()
            self._finished = True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Only back to the start (a retry of the PUT): a fresh GET is made."""
        target = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._size}[
            whence
        ] + offset
        if target == self._position:
            return target
        if target != 0:
            raise SwiftValidationError("a relayed object can only be rewound to its start")
        self.close()
        self._position = 0
        self._buffer = memoryview(b"")
        self._verifier = self._new_verifier()
        self._finished = False
        return 0

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        """Stop the GET (if running) and wait for its thread."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join()

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _hand_over(
    stop: threading.Event, chunks: queue.Queue[bytes | _End], item: bytes | _End
) -> None:
    """Put an item in the queue, giving up (with :class:`_Closed`) once ``stop`` is set."""
    while True:
        if stop.is_set():
            raise _Closed
        try:
            chunks.put(item, timeout=POLL)
            return
        except queue.Full:
            continue
