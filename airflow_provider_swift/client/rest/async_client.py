"""The requests triggers make -- HEAD an object, list a prefix, read and write a small
state object -- sent by the async driver. The requests are described once
(:mod:`calls`): only the sending differs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_swift.client.base.errors import SwiftNotFoundError
from airflow_provider_swift.client.rest.objects import md5_hex
from airflow_provider_swift.client.wire import calls
from airflow_provider_swift.client.wire.async_transport import AsyncTransport
from airflow_provider_swift.client.wire.names import container_path
from airflow_provider_swift.client.wire.transport import Transport


class AsyncSwiftClient:
    """Asynchronous object HEADs and listings over a client's transport (and its auth)."""

    def __init__(self, transport: Transport, *, max_in_flight: int = 10) -> None:
        self.driver = AsyncTransport(transport, max_in_flight=max_in_flight)

    async def aclose(self) -> None:
        await self.driver.http.aclose()

    async def head_object(
        self, container: str, name: str, headers: Mapping[str, str] | None = None
    ) -> dict[str, str] | None:
        """Object headers (a 304 answer to a conditional HEAD included), None if absent."""
        try:
            return (await self.driver.send(calls.head_object(container, name, headers))).headers
        except SwiftNotFoundError:
            return None

    async def get_object(self, container: str, name: str) -> bytes | None:
        """A small object's bytes, None if absent (read whole into memory)."""
        try:
            return (await self.driver.send(calls.get_object(container, name))).body
        except SwiftNotFoundError:
            return None

    async def put_object(
        self, container: str, name: str, body: bytes, content_type: str = "application/json"
    ) -> str:
        """Store a small object (its MD5 sent as ``ETag``, checked by Swift); its ETag."""
        etag = md5_hex(body)
        await self.driver.send(calls.put_object(container, name, etag, content_type), body)
        return etag

    async def list_objects(self, container: str, prefix: str | None = None) -> list[dict[str, Any]]:
        """Every listing entry under ``prefix`` (paged until an empty page)."""
        path, shown = container_path(container)
        entries: list[dict[str, Any]] = []
        marker: str | None = None
        while True:
            reply = await self.driver.send(
                calls.listing_page(path, shown, prefix=prefix, marker=marker)
            )
            page, marker = calls.read_page(reply.body)
            entries += page
            if marker is None:
                return entries
