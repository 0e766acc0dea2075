"""HTTP transport: one pooled session, auth on every request, retries, typed errors.

A request here is: get a token and the storage URL from the keystoneauth1 session,
send exactly the (already percent-encoded) URL we built, re-authenticate once on
401, retry what the :class:`RetryPolicy` says is transient -- rewinding the body
first, or refusing clearly when it cannot be rewound -- and turn every failure
into a :class:`SwiftError`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Protocol, TypeVar, cast
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import requests
from keystoneauth1 import plugin as ksa_plugin
from keystoneauth1 import session as ksa_session
from requests.adapters import HTTPAdapter

from airflow_provider_swift import __version__
from airflow_provider_swift.client.auth import AuthOptions, make_auth_plugin, translate_auth_errors
from airflow_provider_swift.client.errors import (
    SwiftBodyNotRewindableError,
    SwiftConnectionError,
    SwiftError,
    SwiftTimeoutError,
    SwiftTLSError,
    error_for_status,
)
from airflow_provider_swift.client.metadata import decode_headers, encode_header_value
from airflow_provider_swift.client.retry import RetryPolicy

log = logging.getLogger(__name__)

T = TypeVar("T")


class Readable(Protocol):
    """A seekable binary source (a file, or a window of one)."""

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...


Body = bytes | IO[bytes] | Readable | Iterable[bytes] | None
QueryValue = str | int | None


@dataclass(frozen=True)
class TransportOptions:
    """Connection settings shared by every request of a client.

    :param verify: verify TLS certificates (default), or the path of a CA bundle.
    :param cert: client certificate file, or (certificate, key) files.
    :param connect_timeout: seconds to wait for a connection.
    :param read_timeout: seconds to wait between bytes of a response.
    :param pool_size: connections kept per host; at least the number of threads in use.
    """

    verify: bool | str = True
    cert: str | tuple[str, str] | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    pool_size: int = 32
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass
class Reply:
    """What came back: status, decoded headers (lower-case names), body or consumed result."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    result: Any = None

    @property
    def transaction_id(self) -> str | None:
        return self.headers.get("x-trans-id")


#: Bytes urllib3 reads from a request body per send: 16 KiB by default, which costs
#: a Python round trip per 16 KiB of every upload.
SEND_BLOCK = 256 * 1024


class _Adapter(HTTPAdapter):
    """requests' adapter, sending bodies in larger blocks."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(
            connections, maxsize, block=block, blocksize=SEND_BLOCK, **pool_kwargs
        )


class _Rewindable:
    """Remembers where a request body starts so a retry can send it again."""

    def __init__(self, body: Body) -> None:
        self.body = body
        self._start: int | None = None
        self._started = False
        if isinstance(body, (bytes, bytearray, memoryview)) or body is None:
            self.payload: Any = body
        elif hasattr(body, "read"):
            stream = cast(IO[bytes], body)
            try:
                self._start = stream.tell() if stream.seekable() else None
            except (OSError, ValueError):
                self._start = None
            self.payload = stream if self._start is not None else self._once(stream_iter(stream))
        else:
            self.payload = self._once(iter(body))

    def _once(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self._started = True
            yield chunk

    def rewind(self, method: str, path: str) -> None:
        """Put the body back at its start, or raise if it is a stream already read from."""
        if self._start is not None:
            cast(IO[bytes], self.body).seek(self._start)
        elif self._started:
            raise SwiftBodyNotRewindableError(
                "the request must be re-sent but its body is a stream that was already "
                "partly sent and cannot be rewound; pass bytes or a seekable file to "
                "make this upload retryable",
                method=method,
                path=path,
            )


def stream_iter(stream: IO[bytes], chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """Iterate over a binary stream in chunks."""
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            return
        yield chunk


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


class Transport:
    """Sends requests to one Swift account; safe to share between threads."""

    def __init__(
        self,
        auth: AuthOptions,
        options: TransportOptions | None = None,
        *,
        on_secret: Callable[[str], None] | None = None,
    ) -> None:
        self.options = options or TransportOptions()
        self.auth_options = auth
        self.auth: ksa_plugin.BaseAuthPlugin = make_auth_plugin(auth)
        self._on_secret = on_secret
        self._last_token: str | None = None
        self.http = requests.Session()
        adapter = _Adapter(pool_connections=4, pool_maxsize=self.options.pool_size, max_retries=0)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)
        self.http.headers["User-Agent"] = f"airflow-provider-swift/{__version__}"
        self.keystone = ksa_session.Session(
            auth=self.auth,
            session=self.http,
            verify=self.options.verify,
            cert=self.options.cert,
            timeout=self.options.connect_timeout + self.options.read_timeout,
        )
        #: Requests sent, by method: lets tests and benchmarks count round trips.
        self.sent: dict[str, int] = {}
        self._sent_lock = threading.Lock()

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.options.connect_timeout, self.options.read_timeout)

    def close(self) -> None:
        self.http.close()

    # -- authentication -------------------------------------------------------------

    def token(self) -> str:
        """A valid token (refreshed by the auth plugin when close to expiry)."""
        token = translate_auth_errors(self.keystone.get_token, what="getting a token")
        if not token:
            raise SwiftError("authentication produced no token")
        if token != self._last_token:
            self._last_token = token
            if self._on_secret:
                self._on_secret(token)
        return cast(str, token)

    def storage_url(self) -> str:
        """The account's storage URL: the configured override, else from authentication."""
        if self.auth_options.storage_url:
            return self.auth_options.storage_url.rstrip("/")

        def endpoint() -> str | None:
            return self.keystone.get_endpoint(
                service_type=self.auth_options.service_type,
                interface=self.auth_options.interface,
                region_name=self.auth_options.region_name,
            )

        url = translate_auth_errors(endpoint, what="looking up the storage URL")
        if not url:
            raise SwiftError(
                "no storage URL: the service catalog has no matching object-store endpoint"
            )
        return cast(str, url).rstrip("/")

    def invalidate(self) -> bool:
        """Drop the cached token; False when the auth method cannot get a new one."""
        return bool(self.auth.invalidate())

    # -- requests ----------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        display: str | None = None,
        query: Mapping[str, QueryValue] | None = None,
        headers: Mapping[str, str | bytes] | None = None,
        body: Body = None,
        content_length: int | None = None,
        expect: Collection[int] | None = None,
        ok_after_retry: Collection[int] = (),
        consume: Callable[[requests.Response], Any] | None = None,
        authenticated: bool = True,
        url: str | None = None,
        account: str | None = None,
    ) -> Reply:
        """Send one Swift request with auth, retries and error mapping.

        :param path: account-relative path, already percent-encoded (``/c/o``).
        :param display: the same path unencoded, for logs and errors.
        :param expect: statuses that count as success (default: any 2xx).
        :param ok_after_retry: statuses that count as success only once a retry was
            needed, e.g. 404 for a DELETE whose first attempt may have succeeded.
        :param consume: reads the streamed response body (inside the retry scope, so
            a connection that breaks mid-body is retried like any other failure).
        :param url: an absolute URL to use instead of the storage URL + path.
        :param account: another account (``AUTH_other``) of the same cluster, reached by
            replacing the last segment of the storage URL.
        """
        shown = display if display is not None else path
        rewindable = _Rewindable(body)
        controller = self.options.retry.controller()
        for attempt in controller:
            with attempt:
                number = attempt.retry_state.attempt_number
                if number > 1:
                    rewindable.rewind(method, shown)
                    log.info("Retrying %s %s (attempt %d)", method, shown, number)
                return self._attempt(
                    method,
                    path,
                    shown,
                    query=query,
                    headers=headers or {},
                    body=rewindable,
                    content_length=content_length,
                    expect=expect,
                    ok_extra=ok_after_retry if number > 1 else (),
                    consume=consume,
                    authenticated=authenticated,
                    url=url,
                    account=account,
                )
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    def _attempt(
        self,
        method: str,
        path: str,
        shown: str,
        *,
        query: Mapping[str, QueryValue] | None,
        headers: Mapping[str, str | bytes],
        body: _Rewindable,
        content_length: int | None,
        expect: Collection[int] | None,
        ok_extra: Collection[int],
        consume: Callable[[requests.Response], Any] | None,
        authenticated: bool,
        url: str | None,
        account: str | None,
    ) -> Reply:
        reauthenticated = False
        while True:
            send_headers: dict[str, str | bytes] = dict(headers)
            if authenticated:
                send_headers["X-Auth-Token"] = self.token()
            base = self.storage_url()
            if account is not None:
                base = account_url(base, account)
            target = url or base + path
            qs = build_query(query)
            if qs:
                target = f"{target}?{qs}"
            resp = self._send(method, target, shown, send_headers, body, content_length, consume)
            if resp.status_code == 401 and authenticated and not reauthenticated:
                resp.close()
                if self.invalidate():
                    log.info("Token rejected for %s %s; re-authenticating", method, shown)
                    reauthenticated = True
                    body.rewind(method, shown)
                    continue
            return self._finish(resp, method, shown, expect, ok_extra, consume)

    def _send(
        self,
        method: str,
        url: str,
        shown: str,
        headers: dict[str, str | bytes],
        body: _Rewindable,
        content_length: int | None,
        consume: Callable[[requests.Response], Any] | None,
    ) -> requests.Response:
        request = requests.Request(method, url, headers=headers, data=body.payload)
        prepared = self.http.prepare_request(request)
        # requests "requotes" URLs, turning %2E back into '.', which urllib3 then
        # removes as a dot segment: send exactly the URL we encoded.
        prepared.url = url
        if content_length is not None:
            prepared.headers["Content-Length"] = str(content_length)
            prepared.headers.pop("Transfer-Encoding", None)
        started = time.monotonic()
        with self._sent_lock:
            self.sent[method] = self.sent.get(method, 0) + 1
        try:
            resp = self.http.send(
                prepared,
                stream=consume is not None,
                timeout=self.timeout,
                verify=self.options.verify,
                cert=self.options.cert,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError:
            raise SwiftTLSError(
                "TLS certificate verification failed (set a CA bundle, or verify=false "
                "for a test cluster)",
                method=method,
                path=shown,
            ) from None
        except requests.exceptions.Timeout as exc:
            raise SwiftTimeoutError(
                f"no answer within the timeout ({type(exc).__name__})", method=method, path=shown
            ) from None
        except requests.exceptions.RequestException as exc:
            raise SwiftConnectionError(
                f"connection failed ({_short_reason(exc)})", method=method, path=shown
            ) from None
        log.debug(
            "%s %s -> %s in %.3fs (transaction %s)",
            method,
            shown,
            resp.status_code,
            time.monotonic() - started,
            resp.headers.get("X-Trans-Id"),
        )
        return resp

    def _finish(
        self,
        resp: requests.Response,
        method: str,
        shown: str,
        expect: Collection[int] | None,
        ok_extra: Collection[int],
        consume: Callable[[requests.Response], Any] | None,
    ) -> Reply:
        headers = decode_headers(resp.headers)
        status = resp.status_code
        ok = status in expect if expect is not None else 200 <= status < 300
        if ok and consume is not None and status not in (204, 304):
            try:
                result = consume(resp)
            except (requests.exceptions.RequestException, OSError) as exc:
                if isinstance(exc, (requests.exceptions.Timeout, TimeoutError)):
                    raise SwiftTimeoutError(
                        "response body stalled beyond the read timeout",
                        method=method,
                        path=shown,
                    ) from None
                if isinstance(exc, requests.exceptions.RequestException) or _is_wire(exc):
                    raise SwiftConnectionError(
                        f"connection broke while reading the response ({_short_reason(exc)})",
                        method=method,
                        path=shown,
                    ) from None
                raise
            finally:
                resp.close()
            return Reply(status, headers, result=result)
        content = resp.content
        if ok or status in ok_extra:
            return Reply(status, headers, body=content)
        raise error_for_status(
            status,
            method=method,
            path=shown,
            reason=resp.reason or "",
            body=content,
            transaction_id=headers.get("x-trans-id"),
            retry_after=_retry_after(headers.get("retry-after")),
        )


def _is_wire(exc: BaseException) -> bool:
    """Whether an OSError came from the network (not from the local file we write)."""
    import urllib3.exceptions

    return isinstance(exc, (ConnectionError, urllib3.exceptions.HTTPError))


def _short_reason(exc: BaseException) -> str:
    """Class names of the failure and its wrapped cause; never a URL that could hold secrets."""
    inner = exc.args[0] if exc.args else None
    if isinstance(inner, BaseException):
        return f"{type(exc).__name__}: {type(inner).__name__}"
    return type(exc).__name__


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def encode_headers(headers: Mapping[str, object]) -> dict[str, str | bytes]:
    """Encode header values for sending (non-ASCII values as UTF-8)."""
    return {k: encode_header_value(v) for k, v in headers.items() if v is not None}


__all__ = [
    "Body",
    "Reply",
    "Transport",
    "TransportOptions",
    "build_query",
    "encode_headers",
    "info_url",
    "stream_iter",
]
