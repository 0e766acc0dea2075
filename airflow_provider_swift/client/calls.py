"""Requests both drivers send, described once: the sync client and the async one
(triggers) build them here and differ only in how they send them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from airflow_provider_swift.client.core import Request
from airflow_provider_swift.client.names import object_path


def head_object(container: str, name: str, headers: Mapping[str, object] | None = None) -> Request:
    """HEAD an object; with conditional ``headers`` (``If-None-Match``) a 304 is an answer."""
    path, shown = object_path(container, name)
    return Request("HEAD", path, shown, headers=headers or {}, expect=(200, 204, 304))


def listing_page(
    path: str,
    display: str,
    *,
    prefix: str | None = None,
    delimiter: str | None = None,
    marker: str | None = None,
    end_marker: str | None = None,
    page_size: int | None = None,
) -> Request:
    """One page of an account's or container's JSON listing."""
    query = {
        "format": "json",
        "prefix": prefix,
        "delimiter": delimiter,
        "marker": marker,
        "end_marker": end_marker,
        "limit": page_size,
    }
    return Request("GET", path, display, query=query)


def read_page(body: bytes) -> tuple[list[dict[str, Any]], str | None]:
    """A listing page's entries and the marker of the next page (None: it was the last).

    A page may be shorter than the limit without being the last, so only an empty
    page ends a listing.
    """
    page: list[dict[str, Any]] = json.loads(body) if body else []
    if not page:
        return [], None
    last = page[-1]
    return page, str(last.get("name", last.get("subdir")))
