"""Paged JSON listings of an account's containers or a container's objects.

Swift returns at most ``container_listing_limit`` (10,000 by default) entries a
request; the next page starts after the last name seen (``marker``). The page
request and the paging rule are :mod:`calls`', shared with the async client.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airflow_provider_swift.client import calls
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
    next_marker: str | None = marker
    while True:
        request = calls.listing_page(
            path, display, prefix=prefix, delimiter=delimiter, marker=next_marker,
            end_marker=end_marker, page_size=page_size,
        )  # fmt: skip
        page, next_marker = calls.read_page(transport.send(request).body)
        yield from page
        if next_marker is None:
            return
