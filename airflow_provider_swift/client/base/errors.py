"""Typed errors raised by the Swift client.

Every error carries what a user needs to act on it -- the HTTP method, the
account-relative path (unencoded), the status and Swift's transaction id -- and
never a token, key or password: messages are built only from those fields and
from the server's own response body, which Swift never fills with credentials.
"""

from __future__ import annotations

#: How much of a response body to quote in an error message.
_BODY_EXCERPT = 300


class SwiftError(Exception):
    """Base class of every error this client raises.

    :param message: what went wrong, in words a user can act on.
    :param status: HTTP status of the response, or ``None`` when there was none.
    :param method: HTTP method of the failed request.
    :param path: account-relative path, e.g. ``/container/object`` (unencoded).
    :param transaction_id: Swift's ``X-Trans-Id`` for the request, for operators' logs.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        transaction_id: str | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.transaction_id = transaction_id
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.method or self.path:
            where = " ".join(p for p in (self.method, self.path) if p)
            parts.append(f"{where}:")
        if self.status is not None:
            parts.append(f"HTTP {self.status}:")
        parts.append(self.message)
        if self.transaction_id:
            parts.append(f"(transaction {self.transaction_id})")
        return " ".join(parts)


class SwiftValidationError(SwiftError, ValueError):
    """Arguments were rejected on the client side, before anything was sent."""


class SwiftPathTraversalError(SwiftValidationError):
    """An object name would be written outside the download directory (``../``, ``/``)."""


class SwiftLocalNameError(SwiftValidationError):
    """A local path has no object name (not valid UTF-8), or an object name has no
    local path of its own (an empty or ``.`` part, a NUL): refused, never guessed."""


class SwiftNameCollisionError(SwiftValidationError):
    """Object names that would share one local path (a file and a directory at once):
    refused before anything is written."""


class SwiftConnectionError(SwiftError):
    """The server could not be reached, or the connection broke (after retries)."""


class SwiftTimeoutError(SwiftConnectionError):
    """The server did not answer within the configured timeout (after retries)."""


class SwiftTLSError(SwiftError):
    """TLS failed: certificate verification, or the client certificate was refused.

    Not retried: the same certificate will fail the same way.
    """


class SwiftBodyNotRewindableError(SwiftError):
    """A request had to be re-sent but its body was a stream that cannot be rewound."""


class SwiftChecksumError(SwiftError):
    """Bytes received or stored do not match their expected MD5 (ETag)."""


class SwiftSourceChangedError(SwiftError):
    """A local file changed while it was uploaded (its size, modification time or
    inode differ from when the upload began, or it ended early): nothing mixing two
    versions was stored. Retryable: a new attempt reads the file again."""


class SwiftSegmentsUnknownError(SwiftError):
    """The segment list of a static large object cannot be learned: the server's
    ``GET ?multipart-manifest=get`` gives nothing usable (Ceph RGW 16.2 answers an empty
    body) and no segments under this client's own segment names match the object's ETag.
    """


class SwiftUnverifiedError(SwiftError):
    """A read with ``verify="required"`` could not be checked end to end (why is in
    the message); nothing was written to the target."""


class SwiftHTTPError(SwiftError):
    """The server answered with an unexpected status.

    :param retry_after: seconds the server asked us to wait (``Retry-After``), if any.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        transaction_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            message, status=status, method=method, path=path, transaction_id=transaction_id
        )


class SwiftAuthenticationError(SwiftHTTPError):
    """Credentials were rejected (401), or authentication could not be completed."""


class SwiftForbiddenError(SwiftAuthenticationError):
    """Authenticated, but not allowed to do this (403)."""


class SwiftNotFoundError(SwiftHTTPError):
    """The account, container or object does not exist (404)."""


class SwiftConflictError(SwiftHTTPError):
    """The request conflicts with the resource's state (409), e.g. a non-empty container."""


class SwiftPreconditionFailedError(SwiftHTTPError):
    """A conditional request's precondition did not hold (412), e.g. ``If-None-Match: *``."""


class SwiftUnprocessableError(SwiftHTTPError):
    """The server refused the body (422), typically an ``ETag`` that does not match the data."""


class SwiftRateLimitedError(SwiftHTTPError):
    """The server asked us to slow down (429, or Swift's 498), even after backing off."""


class SwiftServerError(SwiftHTTPError):
    """The server failed (5xx, or 408), even after retries."""


_BY_STATUS: dict[int, type[SwiftHTTPError]] = {
    401: SwiftAuthenticationError,
    403: SwiftForbiddenError,
    404: SwiftNotFoundError,
    409: SwiftConflictError,
    412: SwiftPreconditionFailedError,
    422: SwiftUnprocessableError,
    429: SwiftRateLimitedError,
    498: SwiftRateLimitedError,
    408: SwiftServerError,
}


def error_for_status(
    status: int,
    *,
    method: str,
    path: str,
    reason: str = "",
    body: bytes | str = b"",
    transaction_id: str | None = None,
    retry_after: float | None = None,
) -> SwiftHTTPError:
    """Build the typed error for an HTTP status, quoting the start of Swift's body."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = SwiftServerError if status >= 500 else SwiftHTTPError
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())[:_BODY_EXCERPT]
    message = reason or "unexpected status"
    if text and text != reason:
        message = f"{message}: {text}"
    return cls(
        message,
        status=status,
        method=method,
        path=path,
        transaction_id=transaction_id,
        retry_after=retry_after,
    )
