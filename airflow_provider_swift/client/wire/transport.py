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
from typing import IO, Any, Protocol, cast

import requests
from keystoneauth1 import plugin as ksa_plugin
from keystoneauth1 import session as ksa_session
from requests.adapters import HTTPAdapter

from airflow_provider_swift.client.base.errors import (
    SwiftBodyNotRewindableError,
    SwiftConnectionError,
    SwiftError,
    SwiftTimeoutError,
    SwiftTLSError,
)
from airflow_provider_swift.client.wire.auth import (
    AuthOptions,
    make_auth_plugin,
    translate_auth_errors,
)
from airflow_provider_swift.client.wire.core import (
    USER_AGENT,
    AfterRetry,
    QueryValue,
    Reply,
    Request,
    decode_headers,
    is_success,
    log_exchange,
    no_reply,
    read_reply,
    target_url,
    wants_reauthentication,
    wire_headers,
)
from airflow_provider_swift.client.wire.retry import RetryPolicy

log = logging.getLogger(__name__)


class Readable(Protocol):
    """A seekable binary source (a file, or a window of one)."""

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...


Body = bytes | IO[bytes] | Readable | Iterable[bytes] | None


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
        self.http.headers["User-Agent"] = USER_AGENT
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

    def request(  # noqa: PLR0913 -- one keyword per header (pyproject.toml)
        self,
        method: str,
        path: str,
        *,
        display: str | None = None,
        query: Mapping[str, QueryValue] | None = None,
        headers: Mapping[str, object] | None = None,
        body: Body = None,
        content_length: int | None = None,
        expect: Collection[int] | None = None,
        after_retry: AfterRetry = AfterRetry.REPEATABLE,
        consume: Callable[[requests.Response], Any] | None = None,
        authenticated: bool = True,
        url: str | None = None,
        account: str | None = None,
    ) -> Reply:
        """Describe one request (see :class:`core.Request`) and :meth:`send` it."""
        request = Request(
            method,
            path,
            display if display is not None else path,
            query,
            headers or {},
            expect,
            after_retry,
            authenticated,
            url,
            account,
        )
        return self.send(request, body=body, content_length=content_length, consume=consume)

    def send(
        self,
        request: Request,
        *,
        body: Body = None,
        content_length: int | None = None,
        consume: Callable[[requests.Response], Any] | None = None,
    ) -> Reply:
        """Send a request with auth, retries and error mapping.

        :param body: bytes, a seekable file (rewound for a retry) or a one-shot iterable.
        :param consume: reads the streamed response body (inside the retry scope, so
            a connection that breaks mid-body is retried like any other failure).
        """
        wire_headers(request, None)  # a value HTTP cannot carry fails before anything is sent
        rewindable = _Rewindable(body)
        for attempt in self.options.retry.controller():
            with attempt:
                number = attempt.retry_state.attempt_number
                if number > 1:
                    rewindable.rewind(request.method, request.display)
                    log.info("Retrying %s %s (attempt %d)", request.method, request.display, number)
                return self._attempt(request, rewindable, content_length, consume, number)
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    def _attempt(
        self,
        request: Request,
        body: _Rewindable,
        content_length: int | None,
        consume: Callable[[requests.Response], Any] | None,
        number: int,
    ) -> Reply:
        reauthenticated = False
        while True:
            token = self.token() if request.authenticated else None
            target = target_url(request, self.storage_url())
            resp = self._send(
                request, target, wire_headers(request, token), body, content_length, consume
            )
            if wants_reauthentication(request, resp.status_code, reauthenticated):
                resp.close()
                if self.invalidate():
                    log.info(
                        "Token rejected for %s %s; re-authenticating",
                        request.method,
                        request.display,
                    )
                    reauthenticated = True
                    body.rewind(request.method, request.display)
                    continue
            return self._finish(request, resp, consume, number)

    def _send(
        self,
        request: Request,
        url: str,
        headers: dict[str, str | bytes],
        body: _Rewindable,
        content_length: int | None,
        consume: Callable[[requests.Response], Any] | None,
    ) -> requests.Response:
        method, shown = request.method, request.display
        prepared = self.http.prepare_request(
            requests.Request(method, url, headers=headers, data=body.payload)
        )
        # requests "requotes" URLs, turning %2E back into '.', which urllib3 then
        # removes as a dot segment: send exactly the URL we encoded.
        prepared.url = url
        if content_length is not None:
            prepared.headers["Content-Length"] = str(content_length)
            prepared.headers.pop("Transfer-Encoding", None)
        started = self.count_request(method)
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
        except requests.exceptions.RequestException as exc:
            timeout = isinstance(exc, requests.exceptions.Timeout)
            raise no_reply(request, _short_reason(exc), timeout=timeout) from None
        log_exchange(request, resp.status_code, started, resp.headers.get("X-Trans-Id"))
        return resp

    def count_request(self, method: str) -> float:
        """Count a request about to be sent (by either driver); returns when it starts."""
        with self._sent_lock:
            self.sent[method] = self.sent.get(method, 0) + 1
        return time.monotonic()

    def _finish(
        self,
        request: Request,
        resp: requests.Response,
        consume: Callable[[requests.Response], Any] | None,
        number: int,
    ) -> Reply:
        status = resp.status_code
        if consume is None or status in (204, 304) or not is_success(request, status):
            return read_reply(
                request, status, resp.reason or "", resp.headers, resp.content, number
            )
        try:
            result = consume(resp)
        except (requests.exceptions.RequestException, OSError) as exc:
            method, shown = request.method, request.display
            if isinstance(exc, (requests.exceptions.Timeout, TimeoutError)):
                raise SwiftTimeoutError(
                    "response body stalled beyond the read timeout", method=method, path=shown
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
        return Reply(status, decode_headers(resp.headers), result=result, attempts=number)


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


__all__ = ["Body", "Reply", "Request", "Transport", "TransportOptions", "stream_iter"]
