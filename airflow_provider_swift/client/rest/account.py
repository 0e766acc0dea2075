"""Account requests: HEAD, POST and the container listing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Unpack

from airflow_provider_swift.client.wire.calls import ListingQuery
from airflow_provider_swift.client.wire.listing import iter_listing
from airflow_provider_swift.client.wire.metadata import metadata_headers, validate_metadata
from airflow_provider_swift.client.wire.transport import Transport


class Account:
    """Requests on the account itself (the storage URL)."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def head_account(self) -> dict[str, str]:
        """Account headers: container/object counts, bytes used, metadata."""
        return self.transport.request("HEAD", "", display="/").headers

    def post_account(
        self,
        *,
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
    ) -> None:
        """Set account metadata (merged by Swift) and other account headers."""
        send = dict(headers or {})
        if metadata:
            send.update(metadata_headers(validate_metadata(metadata), "account"))
        self.transport.request("POST", "", display="/", headers=send)

    def iter_containers(self, **query: Unpack[ListingQuery]) -> Iterator[dict[str, Any]]:
        """Yield the account's containers (``name``, ``count``, ``bytes``, ``last_modified``).

        :param query: ``prefix``, ``marker``, ``end_marker``, ``page_size``.
        """
        return iter_listing(self.transport, "", "/", **query)
