"""The few requests triggers make, asynchronously: HEAD an object, list a prefix.

Triggers share the triggerer's event loop, so their polling must not block it. The
token and storage URL still come from the synchronous :class:`Transport` -- the same
auth code the hook uses (keystoneauth1 refreshes the token, tempauth included) -- called
in a worker thread; the HTTP itself goes through one pooled ``httpx.AsyncClient``.
Retries follow the same :class:`RetryPolicy`, and failures map to the same errors.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Collection, Mapping
from typing import Any

import httpx

from airflow_provider_swift.client.errors import (
    SwiftConnectionError,
    SwiftNotFoundError,
    SwiftTimeoutError,
    error_for_status,
)
from airflow_provider_swift.client.metadata import decode_header_value
from airflow_provider_swift.client.names import container_path, object_path
from airflow_provider_swift.client.transport import Reply, Transport, build_query


class AsyncSwift:
    """Asynchronous HEAD and listing over a (synchronous) transport's authentication."""

    #: How long a token fetched from the transport is reused before asking again. The
    #: transport renews tokens before they expire; asking costs a thread hop, so once
    #: a second is plenty (a token rejected sooner is renewed on its 401).
    CREDENTIALS_TTL = 1.0

    def __init__(self, transport: Transport, *, max_in_flight: int = 10) -> None:
        """:param max_in_flight: requests sent at once; the rest wait their turn. Many
        triggers share one client, and a cluster answers ten concurrent requests far
        faster than a thousand (measured: 244 vs 28 HEAD/s on the local Swift)."""
        self.transport = transport
        self._credentials: tuple[str, str, float] | None = None
        self._slots = asyncio.Semaphore(max_in_flight)
        options = transport.options
        self.http = httpx.AsyncClient(
            verify=options.verify,
            cert=options.cert,
            timeout=httpx.Timeout(options.read_timeout, connect=options.connect_timeout),
            limits=httpx.Limits(max_connections=max_in_flight),
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        display: str,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str | int | None] | None = None,
        expect: Collection[int] | None = None,
    ) -> Reply:
        """One request with auth (re-authenticating once on 401), retries, typed errors."""
        async for attempt in self.transport.options.retry.async_controller():
            with attempt:
                async with self._slots:
                    return await self._attempt(method, path, display, headers or {}, query, expect)
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    async def _attempt(
        self,
        method: str,
        path: str,
        display: str,
        headers: Mapping[str, str],
        query: Mapping[str, str | int | None] | None,
        expect: Collection[int] | None,
    ) -> Reply:
        for reauthenticated in (False, True):
            token, base = await self._token_and_url(fresh=reauthenticated)
            url = base + path
            qs = build_query(query)
            if qs:
                url = f"{url}?{qs}"
            try:
                resp = await self.http.request(
                    method, httpx.URL(url), headers={**headers, "X-Auth-Token": token}
                )
            except httpx.TimeoutException:
                raise SwiftTimeoutError(
                    "no answer within the timeout", method=method, path=display
                ) from None
            except httpx.HTTPError as exc:
                raise SwiftConnectionError(
                    f"connection failed ({type(exc).__name__})", method=method, path=display
                ) from None
            if resp.status_code == 401 and not reauthenticated and self.transport.invalidate():
                continue
            decoded = {k.lower(): decode_header_value(v) for k, v in resp.headers.items()}
            ok = resp.status_code in expect if expect else 200 <= resp.status_code < 300
            if ok:
                return Reply(resp.status_code, decoded, body=resp.content)
            raise error_for_status(
                resp.status_code,
                method=method,
                path=display,
                reason=resp.reason_phrase,
                body=resp.content,
                transaction_id=decoded.get("x-trans-id"),
            )
        raise AssertionError("unreachable")

    async def _token_and_url(self, *, fresh: bool = False) -> tuple[str, str]:
        cached = self._credentials
        if not fresh and cached and time.monotonic() - cached[2] < self.CREDENTIALS_TTL:
            return cached[0], cached[1]
        # asgiref's worker thread, not asyncio.to_thread: a new token is masked through
        # the triggerer's supervisor, which from a plain thread lands on a foreign loop
        from asgiref.sync import sync_to_async

        token, url = await sync_to_async(
            lambda: (self.transport.token(), self.transport.storage_url()),
            thread_sensitive=False,
        )()
        self._credentials = (token, url, time.monotonic())
        return token, url

    async def head_object(
        self, container: str, name: str, headers: Mapping[str, str] | None = None
    ) -> dict[str, str] | None:
        """Object headers (a 304 answer to a conditional HEAD included), None if absent."""
        path, shown = object_path(container, name)
        try:
            reply = await self.request(
                "HEAD", path, display=shown, headers=headers, expect=(200, 204, 304)
            )
        except SwiftNotFoundError:
            return None
        return reply.headers

    async def list_objects(self, container: str, prefix: str | None = None) -> list[dict[str, Any]]:
        """Every listing entry under ``prefix`` (paged until an empty page)."""
        path, shown = container_path(container)
        entries: list[dict[str, Any]] = []
        marker: str | None = None
        while True:
            reply = await self.request(
                "GET",
                path,
                display=shown,
                query={"format": "json", "prefix": prefix, "marker": marker},
            )
            page = json.loads(reply.body) if reply.body else []
            if not page:
                return entries
            entries += page
            marker = page[-1].get("name", page[-1].get("subdir"))
