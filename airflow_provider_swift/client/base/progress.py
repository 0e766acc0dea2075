"""Progress of a long transfer, logged so a task log shows how far it got.

A large object moves segment by segment on several threads; each finished segment
advances one :class:`Progress`, which logs a line when the transfer crosses the next
tenth of its size (or, when the size is unknown, every ``interval`` seconds) and at
the end. At most a dozen lines for any size: a task log stays readable.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

MIB = 1024 * 1024


class Progress:
    """Bytes done out of ``total`` (None: unknown) for one transfer, thread-safe."""

    def __init__(
        self, action: str, where: str, total: int | None, *, interval: float = 15.0
    ) -> None:
        self.action = action
        self.where = where
        self.total = total
        self.interval = interval
        self.done = 0
        self.parts = 0
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._last_line = self._started
        self._next_tenth = 1

    def advance(self, size: int) -> None:
        """Count one finished part of ``size`` bytes; log if a line is due."""
        with self._lock:
            self.done += size
            self.parts += 1
            now = time.monotonic()
            if self.total:
                tenth = self.done * 10 // self.total
                due = tenth >= self._next_tenth
                if due:
                    self._next_tenth = int(tenth) + 1
            else:
                due = now - self._last_line >= self.interval
            if due:
                self._last_line = now
                log.info("%s", self.line(now))

    def line(self, now: float | None = None) -> str:
        """``Uploading /c/o: 48.0 of 96.0 MiB (50%), 6 segments, 120.3 MB/s``."""
        elapsed = max((now or time.monotonic()) - self._started, 1e-9)
        rate = self.done / elapsed / 1e6
        if self.total:
            amount = (
                f"{self.done / MIB:.1f} of {self.total / MIB:.1f} MiB "
                f"({100 * self.done // self.total}%)"
            )
        else:
            amount = f"{self.done / MIB:.1f} MiB"
        return f"{self.action} {self.where}: {amount}, {self.parts} segments, {rate:.1f} MB/s"
