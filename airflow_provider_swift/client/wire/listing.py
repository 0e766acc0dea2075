"""Paged JSON listings of an account's containers or a container's objects.

Swift returns at most ``container_listing_limit`` (10,000 by default) entries a
request; the next page starts after the last name seen (``marker``). A page shorter
than an explicit ``page_size`` is the last; without one, an empty page is. The page
request and the paging rule are :mod:`calls`', shared with the async client.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Unpack

from airflow_provider_swift.client.wire import calls
from airflow_provider_swift.client.wire.transport import Transport


def iter_listing(
    transport: Transport, path: str, display: str, **query: Unpack[calls.ListingQuery]
) -> Iterator[dict[str, Any]]:
    """Yield every entry of a listing, page by page.

    Entries are Swift's JSON objects as they are: ``name``, ``bytes``, ``hash``,
    ``last_modified``, ``content_type`` (plus ``slo_etag`` for static large objects),
    or ``{"subdir": ...}`` for a pseudo-directory when ``delimiter`` is given.
    """
    while True:
        reply = transport.send(calls.listing_page(path, display, **query))
        page, marker = calls.read_page(reply.body, query.get("page_size"))
        yield from page
        if marker is None:
            return
        query["marker"] = marker
