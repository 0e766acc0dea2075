"""The request core: every rule that decides a Swift request's fate, with no I/O.

A request is described once (:class:`Request`), and two thin drivers execute it --
:mod:`transport` over requests (sync) and :mod:`async_transport` over httpx (async),
under the same tenacity policy (:mod:`retry`). What both drivers need to decide lives
here, as plain functions:

* building the request: the URL (names already percent-encoded, never re-normalised),
  the headers -- validated and encoded to the wire exactly once, here -- and the token;
* reading the reply: success, or a typed :class:`SwiftError` (with ``Retry-After``);
* 401: re-authenticate once, then send again;
* after a retry: what a status means when an earlier attempt may already have been
  committed by the server whose reply was lost (:class:`AfterRetry`).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from airflow_provider_swift import __version__
from airflow_provider_swift.client.base.errors import (
    SwiftConnectionError,
    SwiftTimeoutError,
    SwiftValidationError,
    error_for_status,
)

log = logging.getLogger("airflow_provider_swift.client.wire.transport")

#: Both drivers identify themselves the same way.
USER_AGENT = f"airflow-provider-swift/{__version__}"

QueryValue = str | int | None

#: Swift's default ``max_header_size``: no header line may be longer.
MAX_HEADER_SIZE = 8192


class AfterRetry(enum.Enum):
    """What a mutating request's retry may meet, and what it means.

    A retry is sent when an attempt failed without a usable answer -- possibly after
    the server had committed it (a lost reply). The retry then meets the state the
    lost attempt created; these are the readings of that state, declared per request.
    """

    #: PUT, POST, segment and manifest PUTs, copies without a condition: sending the
    #: same request again produces the same state; any status means what it says.
    REPEATABLE = "repeatable"
    #: DELETE (object, container, SLO with its segments): 404 after a retry means the
    #: lost attempt deleted it -- done.
    DELETE = "delete"
    #: ``If-None-Match: *`` PUT (object or manifest), ``If-Match`` copy: 412 after a
    #: retry is handed back to the caller, who checks whether what is stored is its
    #: own write (HEAD with ``X-Newest``) -- success if so, "already exists" if not.
    CONDITIONAL = "conditional"


#: Statuses that, seen by a retried attempt, are passed to the caller as answers.
AFTER_RETRY_STATUSES: dict[AfterRetry, frozenset[int]] = {
    AfterRetry.REPEATABLE: frozenset(),
    AfterRetry.DELETE: frozenset({404}),
    AfterRetry.CONDITIONAL: frozenset({412}),
}


@dataclass(frozen=True)
class Request:
    """One Swift request, as both drivers send it.

    :param path: account-relative path, already percent-encoded (``/c/o``).
    :param display: the same path unencoded, for logs and errors.
    :param headers: header values as text (or bytes already on the wire form);
        validated and encoded by :func:`wire_headers`.
    :param expect: statuses that count as success (default: any 2xx).
    :param after_retry: what a retry may meet (see :class:`AfterRetry`).
    :param authenticated: send the token (``/info`` does not need one).
    :param url: an absolute URL to use instead of the storage URL + path.
    :param account: another account of the cluster (``AUTH_other``).
    """

    method: str
    path: str
    display: str
    query: Mapping[str, QueryValue] | None = None
    headers: Mapping[str, object] = field(default_factory=dict)
    expect: Collection[int] | None = None
    after_retry: AfterRetry = AfterRetry.REPEATABLE
    authenticated: bool = True
    url: str | None = None
    account: str | None = None


@dataclass
class Reply:
    """What came back: status, decoded headers (lower-case names), body or consumed result.

    ``attempts`` is how many times the request was sent: a reply to a retried
    conditional request (``attempts > 1``, status 412) must be checked by the caller.
    """

    status: int
    headers: dict[str, str]
    body: bytes = b""
    result: Any = None
    attempts: int = 1

    @property
    def transaction_id(self) -> str | None:
        return self.headers.get("x-trans-id")

    @property
    def retried(self) -> bool:
        return self.attempts > 1


# -- building ----------------------------------------------------------------------


def build_query(query: Mapping[str, QueryValue] | None) -> str:
    """Encode query parameters; ``None`` values are left out, empty strings kept as flags."""
    if not query:
        return ""
    items = [(k, "" if v is None else str(v)) for k, v in query.items() if v is not None]
    return urlencode(items, quote_via=quote, safe="")


def account_url(storage_url: str, account: str) -> str:
    """The storage URL of another account: the last path segment replaced."""
    head, _, _ = storage_url.rstrip("/").rpartition("/")
    return f"{head}/{quote(account, safe='')}"


def info_url(storage_url: str) -> str:
    """The ``/info`` URL of the cluster serving ``storage_url`` (``.../v1/AUTH_x`` -> ``/info``)."""
    parts = urlsplit(storage_url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        if len(segment) > 1 and segment[0] == "v" and segment[1:2].isdigit():
            prefix = "/".join(segments[:index])
            break
    else:
        prefix = ""
    return urlunsplit((parts.scheme, parts.netloc, prefix + "/info", "", ""))


def target_url(request: Request, storage_url: str) -> str:
    """The exact URL to send: storage URL (or another account's) + path + query."""
    base = storage_url if request.account is None else account_url(storage_url, request.account)
    target = request.url or base + request.path
    query = build_query(request.query)
    return f"{target}?{query}" if query else target


def check_header_value(name: str, value: object) -> str:
    """A header value Swift can store and return unchanged, as text; else raise.

    HTTP cannot carry control characters in a value, and drops a value's outer
    whitespace, so neither would round-trip: both are refused before any request,
    naming the header.
    """
    text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise SwiftValidationError(
            f"header {name!r}: the value contains a control character (line break, tab, "
            "NUL...), which HTTP cannot carry"
        )
    if text != text.strip(" "):
        raise SwiftValidationError(
            f"header {name!r}: the value has leading or trailing spaces, which HTTP "
            "drops; strip them first"
        )
    size = len(name) + 2 + len(text.encode("utf-8"))
    if size > MAX_HEADER_SIZE:
        raise SwiftValidationError(
            f"header {name!r} is {size} bytes; Swift accepts at most {MAX_HEADER_SIZE}"
        )
    return text


def text_headers(headers: Mapping[str, object]) -> dict[str, str]:
    """Validated header values as text (``None`` values dropped)."""
    return {k: check_header_value(k, v) for k, v in headers.items() if v is not None}


def wire_headers(request: Request, token: str | None) -> dict[str, str | bytes]:
    """The headers to send: validated, ASCII as text and anything else as UTF-8 bytes
    (Swift stores and returns the bytes it was sent), plus the token."""
    send: dict[str, str | bytes] = {}
    for name, value in text_headers(request.headers).items():
        send[name] = value if value.isascii() else value.encode("utf-8")
    if token is not None and request.authenticated:
        send["X-Auth-Token"] = token
    return send


def log_exchange(request: Request, status: int, started: float, transaction_id: str | None) -> None:
    """The one debug line per request both drivers write (never a header value)."""
    log.debug(
        "%s %s -> %s in %.3fs (transaction %s)",
        request.method,
        request.display,
        status,
        time.monotonic() - started,
        transaction_id,
    )


# -- reading -----------------------------------------------------------------------


def decode_header_value(value: str) -> str:
    """Undo the HTTP stack's Latin-1 decoding so UTF-8 values read as they were written."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def decode_headers(raw: Mapping[str, str]) -> dict[str, str]:
    """Response headers with lower-case names and values exactly as Swift sent them."""
    return {key.lower(): decode_header_value(value) for key, value in raw.items()}


def wants_reauthentication(request: Request, status: int, reauthenticated: bool) -> bool:
    """401 on an authenticated request: get a new token and send once more."""
    return status == 401 and request.authenticated and not reauthenticated


def is_success(request: Request, status: int) -> bool:
    """Whether a status is what the request hoped for."""
    return status in request.expect if request.expect is not None else 200 <= status < 300


def is_answer(request: Request, status: int, attempt: int) -> bool:
    """Whether a reply is returned to the caller (rather than raised): a success, or
    a status that a retried attempt reads as an answer (see :class:`AfterRetry`)."""
    if is_success(request, status):
        return True
    return attempt > 1 and status in AFTER_RETRY_STATUSES[request.after_retry]


def no_reply(request: Request, reason: str, *, timeout: bool) -> SwiftConnectionError:
    """The error for an attempt that got no reply: both are retried (the server may or
    may not have committed the request -- see :class:`AfterRetry`). ``reason`` names
    exception classes only, never a URL (which could carry a temp URL signature)."""
    kind, text = (
        (SwiftTimeoutError, "no answer within the timeout")
        if timeout
        else (SwiftConnectionError, "connection failed")
    )
    return kind(f"{text} ({reason})", method=request.method, path=request.display)


def retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def error_reply(
    request: Request, status: int, reason: str, headers: Mapping[str, str], body: bytes
) -> Exception:
    """The typed error for a reply that is not an answer."""
    return error_for_status(
        status,
        method=request.method,
        path=request.display,
        reason=reason,
        body=body,
        transaction_id=headers.get("x-trans-id"),
        retry_after=retry_after_seconds(headers.get("retry-after")),
    )


def read_reply(
    request: Request,
    status: int,
    reason: str,
    raw_headers: Mapping[str, str],
    body: bytes,
    attempt: int,
) -> Reply:
    """A reply with a fully read body: returned if it is an answer, else raised."""
    headers = decode_headers(raw_headers)
    if is_answer(request, status, attempt):
        return Reply(status, headers, body=body, attempts=attempt)
    raise error_reply(request, status, reason, headers, body)


__all__ = [
    "AFTER_RETRY_STATUSES",
    "USER_AGENT",
    "AfterRetry",
    "QueryValue",
    "Reply",
    "Request",
    "account_url",
    "build_query",
    "check_header_value",
    "decode_header_value",
    "decode_headers",
    "info_url",
    "is_answer",
    "is_success",
    "log_exchange",
    "no_reply",
    "read_reply",
    "target_url",
    "text_headers",
    "wants_reauthentication",
    "wire_headers",
]
