"""The retry policy, declared as data and turned into a tenacity controller.

What is retried: connection failures and timeouts, and the statuses Swift and the
proxies in front of it use for "try again" (408, 429, 498, 500, 502, 503, 504).
How: jittered exponential backoff, at least the server's ``Retry-After``, bounded
both by a number of attempts and by an overall deadline.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import tenacity

from airflow_provider_swift.client.base.errors import (
    SwiftConnectionError,
    SwiftHTTPError,
    SwiftValidationError,
)

RETRY_STATUSES = frozenset({408, 429, 498, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Which failures are retried, and for how long.

    :param max_attempts: attempts per request, the first one included.
    :param deadline: seconds after the first attempt past which nothing is retried.
    :param backoff_initial: base of the exponential backoff, in seconds.
    :param backoff_max: ceiling of a single wait, in seconds.
    :param retry_after_max: ceiling applied to a server's ``Retry-After``.
    :param statuses: HTTP statuses that are retried.
    """

    max_attempts: int = 5
    deadline: float = 300.0
    backoff_initial: float = 0.5
    backoff_max: float = 20.0
    retry_after_max: float = 60.0
    statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise SwiftValidationError("retry max_attempts must be at least 1")
        if self.deadline <= 0 or self.backoff_initial < 0 or self.backoff_max < 0:
            raise SwiftValidationError("retry deadline and backoff must be positive numbers")

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> RetryPolicy:
        """Build a policy from loosely typed settings (e.g. connection extras)."""
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in options.items():
            if key not in known or value in (None, ""):
                continue
            try:
                if key == "statuses":
                    items = value.split(",") if isinstance(value, str) else value
                    kwargs[key] = frozenset(int(v) for v in items)
                elif key == "max_attempts":
                    kwargs[key] = int(value)
                else:
                    kwargs[key] = float(value)
            except (TypeError, ValueError) as exc:
                raise SwiftValidationError(
                    f"retry setting {key}={value!r} is not a number"
                ) from exc
        return cls(**kwargs)

    def is_retryable(self, exc: BaseException) -> bool:
        """Whether a failed attempt should be tried again under this policy."""
        if isinstance(exc, SwiftHTTPError):
            return exc.status in self.statuses
        return isinstance(exc, SwiftConnectionError)

    def wait_seconds(self, state: tenacity.RetryCallState) -> float:
        """Full-jitter exponential backoff, but never less than the server's Retry-After."""
        attempt = state.attempt_number
        ceiling = min(self.backoff_max, self.backoff_initial * (2 ** (attempt - 1)))
        wait = random.uniform(0, ceiling)
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            wait = max(wait, min(float(retry_after), self.retry_after_max))
        remaining = self.deadline - (state.seconds_since_start or 0.0)
        return max(0.0, min(wait, remaining))

    def _settings(self) -> dict[str, Any]:
        return {
            "retry": tenacity.retry_if_exception(self.is_retryable),
            "stop": tenacity.stop_after_attempt(self.max_attempts)
            | tenacity.stop_after_delay(self.deadline),
            "wait": self.wait_seconds,
            "reraise": True,
        }

    def controller(self) -> tenacity.Retrying:
        """A tenacity controller for one request (create one per request: it holds state)."""
        return tenacity.Retrying(**self._settings())

    def async_controller(self) -> tenacity.AsyncRetrying:
        """The same policy for a coroutine (triggers)."""
        return tenacity.AsyncRetrying(**self._settings())
