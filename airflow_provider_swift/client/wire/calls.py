"""Requests both drivers send, described once: the sync client and the async one
(triggers) build them here and differ only in how they send them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from airflow_provider_swift.client.wire.core import AfterRetry, Request
from airflow_provider_swift.client.wire.names import object_path


def head_object(container: str, name: str, headers: Mapping[str, object] | None = None) -> Request:
    """HEAD an object; with conditional ``headers`` (``If-None-Match``) a 304 is an answer."""
    path, shown = object_path(container, name)
    return Request("HEAD", path, shown, headers=headers or {}, expect=(200, 204, 304))


def get_object(container: str, name: str) -> Request:
    """GET a (small) object whole: its body is read into memory."""
    path, shown = object_path(container, name)
    return Request("GET", path, shown, expect=(200,))


def put_object(container: str, name: str, etag: str, content_type: str) -> Request:
    """PUT a small object whose bytes (MD5 ``etag``) travel with the request: Swift
    refuses bytes that do not match (422). A retry after a lost reply stores the
    same bytes again (:attr:`AfterRetry.REPEATABLE`)."""
    path, shown = object_path(container, name)
    headers = {"ETag": etag, "Content-Type": content_type}
    return Request(
        "PUT", path, shown, headers=headers, expect=(201,), after_retry=AfterRetry.REPEATABLE
    )


class ListingQuery(TypedDict, total=False):
    """What narrows a listing: ``prefix``, ``delimiter`` (pseudo-directories as
    ``subdir`` entries), ``marker``/``end_marker`` (names after / before), and
    ``page_size`` (entries per request, at most the cluster's listing limit)."""

    prefix: str | None
    delimiter: str | None
    marker: str | None
    end_marker: str | None
    page_size: int | None


def listing_page(path: str, display: str, **query: Unpack[ListingQuery]) -> Request:
    """One page of an account's or container's JSON listing."""
    params: dict[str, str | int | None] = {"format": "json", "limit": query.get("page_size")}
    params.update({k: v for k, v in query.items() if k != "page_size"})  # type: ignore[misc]
    return Request("GET", path, display, query=params)


def read_page(body: bytes, page_size: int | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """A listing page's entries and the marker of the next page (None: it was the last).

    A page shorter than the ``page_size`` asked for is the last (Swift returns up to
    ``limit`` entries while any remain); without a page size the server's own limit
    applies, which the client may not know, so only an empty page ends the listing.
    """
    page: list[dict[str, Any]] = json.loads(body) if body else []
    if not page or (page_size is not None and len(page) < page_size):
        return page, None
    last = page[-1]
    return page, str(last.get("name", last.get("subdir")))
