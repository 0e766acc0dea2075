"""The async driver: the request core (:mod:`core`) executed over httpx, for triggers.

Auth is the sync :class:`Transport`'s, fetched in asgiref's executor: masking a new
token asks the triggerer's supervisor, which neither a plain thread nor the loop can.
"""

from __future__ import annotations

import asyncio
import time
from typing import cast

import httpx

from airflow_provider_swift.client.wire import core
from airflow_provider_swift.client.wire.transport import Transport


class AsyncTransport:
    """Sends requests with the transport's auth, retries and counter, ``max_in_flight`` at
    once (a cluster answers 10 requests at once far faster than 1,000)."""

    CREDENTIALS_TTL = 1.0  # seconds a token is reused (a rejected one is renewed at once)

    def __init__(self, transport: Transport, *, max_in_flight: int = 10) -> None:
        self.transport = transport
        self._credentials: tuple[str, str, float] | None = None
        self._slots = asyncio.Semaphore(max_in_flight)
        opts = transport.options
        self.http = httpx.AsyncClient(
            verify=opts.verify,
            cert=opts.cert,
            follow_redirects=False,
            timeout=httpx.Timeout(opts.read_timeout, connect=opts.connect_timeout),
            limits=httpx.Limits(max_connections=max_in_flight),
            headers={"User-Agent": core.USER_AGENT},
        )

    async def send(self, request: core.Request, body: bytes | None = None) -> core.Reply:
        """Send with auth (once more after a 401), retries and typed errors; ``body`` is
        bytes only, so that every retry re-sends all of it."""
        core.wire_headers(request, None)
        async for attempt in self.transport.options.retry.async_controller():
            with attempt:
                async with self._slots:
                    number = attempt.retry_state.attempt_number
                    return await self._attempt(request, number, body)
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    async def _attempt(self, request: core.Request, number: int, body: bytes | None) -> core.Reply:
        for reauthenticated in (False, True):
            token, base = await self._token_and_url(fresh=reauthenticated)
            url, headers = core.target_url(request, base), core.wire_headers(request, token)
            started = self.transport.count_request(request.method)
            try:  # (httpx takes bytes header values, whatever its annotations say)
                resp = await self.http.request(
                    request.method,
                    httpx.URL(url),
                    content=body,
                    headers=cast(httpx.Headers, headers),
                )
            except httpx.HTTPError as exc:
                timeout = isinstance(exc, httpx.TimeoutException)
                raise core.no_reply(request, type(exc).__name__, timeout=timeout) from None
            status = resp.status_code
            core.log_exchange(request, status, started, resp.headers.get("x-trans-id"))
            if core.wants_reauthentication(request, status, reauthenticated) and (
                self.transport.invalidate()
            ):
                continue
            raw = {k.decode("latin-1"): v.decode("latin-1") for k, v in resp.headers.raw}
            return core.read_reply(request, status, resp.reason_phrase, raw, resp.content, number)
        raise AssertionError("unreachable: the second pass never re-authenticates")

    async def _token_and_url(self, *, fresh: bool) -> tuple[str, str]:
        cached = self._credentials
        if not fresh and cached and time.monotonic() - cached[2] < self.CREDENTIALS_TTL:
            return cached[0], cached[1]
        from asgiref.sync import sync_to_async

        auth = self.transport
        token, url = await sync_to_async(
            lambda: (auth.token(), auth.storage_url()), thread_sensitive=False
        )()
        self._credentials = (token, url, time.monotonic())
        return token, url
