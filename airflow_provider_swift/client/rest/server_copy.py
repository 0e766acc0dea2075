"""One server-side copy request: ``PUT`` + ``X-Copy-From``, conditioned on the source's
ETag, its answer checked -- the request both plain copies and segment copies send."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from airflow_provider_swift.client.base.errors import (
    SwiftChecksumError,
    SwiftNotFoundError,
    SwiftPreconditionFailedError,
)
from airflow_provider_swift.client.rest.objects import strip_etag
from airflow_provider_swift.client.wire.core import AfterRetry
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Transport


def copy_from(container: str, name: str) -> str:
    """``X-Copy-From`` value: ``/container/object``, URL-encoded."""
    return quote(f"/{container}/{name}", safe="/")


def server_side_copy(  # noqa: PLR0913 -- source, destination and the request's options
    transport: Transport,
    source_container: str,
    source_name: str,
    dest_container: str,
    dest_name: str,
    source_etag: str,
    headers: Mapping[str, object],
    *,
    source_account: str | None = None,
    dest_account: str | None = None,
) -> str:
    """Copy ``source`` to ``dest`` server-side only if the source still has
    ``source_etag`` (``If-Match``); the destination gets ``headers`` and none of the
    source's metadata (``X-Fresh-Metadata``: the caller decides what is carried).

    :return: the copy's ETag, checked equal to ``source_etag``.
    :raises SwiftPreconditionFailedError: the source changed.
    :raises SwiftChecksumError: the copy's ETag differs.
    """
    etag = strip_etag(source_etag) or ""
    path, shown = object_path(dest_container, dest_name)
    send: dict[str, object] = {
        **headers,
        "X-Copy-From": copy_from(source_container, source_name),
        "X-Fresh-Metadata": "true",
        "If-Match": etag,
        "Content-Length": "0",
    }
    if source_account:
        send["X-Copy-From-Account"] = source_account
    reply = transport.request(
        "PUT",
        path,
        display=shown,
        headers=send,
        expect=(201,),
        account=dest_account,
        after_retry=AfterRetry.CONDITIONAL,
    )
    if reply.status == 412:
        # a retried If-Match copy answered 412 -- the source changed since the lost
        # attempt -- succeeded if that attempt stored the copy
        try:
            stored = transport.request(
                "HEAD", path, display=shown, headers={"X-Newest": "true"}, account=dest_account
            ).headers
        except SwiftNotFoundError:
            stored = {}
        if strip_etag(stored.get("etag")) != etag:
            raise SwiftPreconditionFailedError(
                "the source changed while it was being copied",
                status=412,
                method="PUT",
                path=shown,
                transaction_id=reply.transaction_id,
            )
        return etag
    copied = strip_etag(reply.headers.get("etag")) or ""
    if copied != etag:
        raise SwiftChecksumError(
            f"the copy has ETag {copied}, the source {etag}",
            method="PUT",
            path=shown,
            transaction_id=reply.transaction_id,
        )
    return copied
