"""Paged JSON listings of an account's containers or a container's objects.

Swift returns at most ``container_listing_limit`` (10,000 by default) entries a
request; the next page starts after the last name seen (``marker``). A page may be
shorter than the limit without being the last, so paging stops only at an empty page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from airflow_provider_swift.client.transport import Transport


def iter_listing(
    transport: Transport,
    path: str,
    display: str,
    *,
    prefix: str | None = None,
    delimiter: str | None = None,
    marker: str | None = None,
    end_marker: str | None = None,
    page_size: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield every entry of a listing, page by page.

    Entries are Swift's JSON objects as they are: ``name``, ``bytes``, ``hash``,
    ``last_modified``, ``content_type`` (plus ``slo_etag`` for static large objects),
    or ``{"subdir": ...}`` for a pseudo-directory when ``delimiter`` is given.
    """
    while True:
        reply = transport.request(
            "GET",
            path,
            display=display,
            query={
                "format": "json",
                "prefix": prefix,
                "delimiter": delimiter,
                "marker": marker,
                "end_marker": end_marker,
                "limit": page_size,
            },
        )
        page: list[dict[str, Any]] = json.loads(reply.body) if reply.body else []
        if not page:
            return
        yield from page
        last = page[-1]
        marker = last.get("name", last.get("subdir"))
