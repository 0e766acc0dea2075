"""A small fault-injecting HTTP proxy in front of the real local Swift.

It forwards every request to Swift unchanged, except those matched by a queued
:class:`Fault`, which instead get a canned status, a dropped connection, or are
forwarded and then lose their response. Tempauth's ``X-Storage-Url`` is rewritten
to point back at the proxy, so a client authenticated through it stays behind it.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


@dataclass
class Fault:
    """What to do to the next ``times`` requests whose method and path match.

    :param status: answer with this status instead of forwarding.
    :param reset: close the connection without answering (before forwarding).
    :param drop_response: forward the request, then close without answering.
    :param truncate: forward, answer with the real headers but only half the body, close.
    :param corrupt: forward, and flip one byte in the middle of the response body.
    :param reset_mid_body: read half of the request body, then close without answering.
    :param delay: seconds to wait after forwarding, before answering (a slow server).
    :param headers: extra headers on a canned answer (e.g. ``Retry-After``).
    :param then: called once the server answered, before the client gets anything
        (another writer acting between a lost reply and the client's retry).
    """

    method: str = ".*"
    path: str = ".*"
    times: int = 1
    status: int | None = None
    reset: bool = False
    drop_response: bool = False
    truncate: bool = False
    corrupt: bool = False
    reset_mid_body: bool = False
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    then: Callable[[], None] | None = None

    def matches(self, method: str, path: str) -> bool:
        return bool(re.fullmatch(self.method, method) and re.search(self.path, path))


class FaultProxy:
    """Runs on 127.0.0.1 with a free port; records every request it sees."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.faults: list[Fault] = []
        self.seen: list[tuple[str, str, int | None]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _any(self) -> None:
                proxy._handle(self)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_COPY = do_OPTIONS = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def count(self, method: str, path_regex: str = ".*") -> int:
        """Requests seen with this method and a path matching ``path_regex`` -- not
        counting the client's one-off capability probe (``.capabilities-<id>/``)."""
        return sum(
            1
            for m, p, _ in self.seen
            if m == method and re.search(path_regex, p) and "/.capabilities-" not in p
        )

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def _read_body(self, handler: BaseHTTPRequestHandler) -> bytes:
        if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(handler.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    handler.rfile.readline()
                    return b"".join(chunks)
                chunks.append(handler.rfile.read(size))
                handler.rfile.readline()
        length = int(handler.headers.get("Content-Length") or 0)
        return handler.rfile.read(length) if length else b""

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        method, path = handler.command, handler.path
        fault = self._take_fault(method, path) or Fault(times=0)
        if fault.reset_mid_body:
            handler.rfile.read(int(handler.headers.get("Content-Length") or 0) // 2)
        body = b"" if fault.reset_mid_body else self._read_body(handler)
        if fault.reset_mid_body or fault.reset:
            self.seen.append((method, path, None))
            _abort(handler)
            return
        if fault.status is not None:
            self.seen.append((method, path, fault.status))
            handler.send_response(fault.status)
            for key, value in fault.headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        resp, data = self._forward(handler, body)
        self.seen.append((method, path, resp.status))
        if fault.then:
            fault.then()
        time.sleep(fault.delay)
        if fault.corrupt and data:
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
        if fault.drop_response:
            _abort(handler)
            return
        self._answer(handler, resp, data)
        if fault.truncate:
            handler.wfile.write(data[: len(data) // 2])
            handler.wfile.flush()
            _abort(handler)
        elif method != "HEAD":
            handler.wfile.write(data)

    def _forward(
        self, handler: BaseHTTPRequestHandler, body: bytes
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """Send the request to the real server; its response and whole body."""
        upstream = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=60)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Content-Length"] = str(len(body))
        upstream.request(handler.command, handler.path, body=body, headers=headers)
        resp = upstream.getresponse()
        data = resp.read()
        upstream.close()
        return resp, data

    def _answer(
        self, handler: BaseHTTPRequestHandler, resp: http.client.HTTPResponse, data: bytes
    ) -> None:
        """The real status and headers (body length fixed, storage URL kept on the proxy)."""
        head = handler.command == "HEAD"
        handler.send_response(resp.status, resp.reason)
        for key, value in resp.getheaders():
            if key.lower() in HOP_BY_HOP or (key.lower() == "content-length" and not head):
                continue
            behind = key.lower() == "x-storage-url"  # keep the client behind the proxy
            handler.send_header(
                key, re.sub(r"^https?://[^/]+", self.url, value) if behind else value
            )
        if not head:
            handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()


def _abort(handler: BaseHTTPRequestHandler) -> None:
    """Close the client's connection without a response (a reset, as far as it can tell)."""
    handler.close_connection = True
    with suppress(OSError):
        handler.connection.shutdown(socket.SHUT_RDWR)


def auth_url_behind(proxy: FaultProxy, auth_url: str) -> str:
    """A server's auth URL (``/auth/v1.0`` on Swift, ``/auth/1.0`` on RGW) through ``proxy``."""
    return proxy.url + urlsplit(auth_url).path


@contextmanager
def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream).start()
    try:
        yield proxy
    finally:
        proxy.stop()
