"""Container requests: PUT, HEAD, POST, DELETE and the object listing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Unpack
from urllib.parse import quote

from airflow_provider_swift.client.base.errors import SwiftValidationError
from airflow_provider_swift.client.wire.calls import ListingQuery
from airflow_provider_swift.client.wire.core import AfterRetry
from airflow_provider_swift.client.wire.listing import iter_listing
from airflow_provider_swift.client.wire.metadata import metadata_headers, validate_metadata
from airflow_provider_swift.client.wire.names import container_path, validate_container_name
from airflow_provider_swift.client.wire.transport import Transport


def container_headers(
    *,
    read_acl: str | None = None,
    write_acl: str | None = None,
    cors_allow_origin: str | None = None,
    versions: str | Mapping[str, str] | None = None,
    quota_bytes: int | None = None,
    quota_count: int | None = None,
    storage_policy: str | None = None,
    temp_url_key: str | None = None,
) -> dict[str, str]:
    """Container headers for the usual settings; ``None`` leaves a setting alone and
    ``""`` removes it.

    :param versions: ``"enabled"`` (object versioning, ``X-Versions-Enabled``),
        ``{"location": c}`` or ``{"location": c, "mode": "history"}`` (legacy
        ``X-History-Location``), ``{"location": c, "mode": "stack"}``
        (``X-Versions-Location``), or ``"disabled"``.
    """
    headers: dict[str, str] = {}

    def put(name: str, value: object) -> None:
        if value is None:
            return
        if value == "":
            headers["X-Remove-" + name.removeprefix("X-")] = "x"
        else:
            headers[name] = str(value)

    put("X-Container-Read", read_acl)
    put("X-Container-Write", write_acl)
    put("X-Container-Meta-Access-Control-Allow-Origin", cors_allow_origin)
    put("X-Container-Meta-Quota-Bytes", quota_bytes)
    put("X-Container-Meta-Quota-Count", quota_count)
    put("X-Container-Meta-Temp-URL-Key", temp_url_key)
    if storage_policy:
        headers["X-Storage-Policy"] = storage_policy
    if versions == "enabled":
        headers["X-Versions-Enabled"] = "true"
    elif versions == "disabled":
        headers["X-Versions-Enabled"] = "false"
    elif isinstance(versions, Mapping):
        location = versions.get("location")
        mode = versions.get("mode", "history")
        if not location or mode not in ("history", "stack"):
            raise SwiftValidationError(
                "versions must be 'enabled', 'disabled' or {'location': <container>, "
                "'mode': 'history'|'stack'}"
            )
        validate_container_name(location)
        key = "X-History-Location" if mode == "history" else "X-Versions-Location"
        headers[key] = quote(location, safe="")
    elif versions is not None:
        raise SwiftValidationError(f"versions={versions!r} is not understood")
    return headers


class Containers:
    """Requests on containers."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def put_container(
        self,
        container: str,
        *,
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
    ) -> bool:
        """Create a container (or update the headers of an existing one).

        :return: True if it was created, False if it already existed (202).
        """
        path, shown = container_path(container)
        send = dict(headers or {})
        if metadata:
            send.update(metadata_headers(validate_metadata(metadata), "container"))
        reply = self.transport.request("PUT", path, display=shown, headers=send)
        return reply.status == 201

    def head_container(self, container: str) -> dict[str, str]:
        """Container headers; raises :class:`SwiftNotFoundError` if it does not exist."""
        path, shown = container_path(container)
        return self.transport.request("HEAD", path, display=shown).headers

    def post_container(
        self,
        container: str,
        *,
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
    ) -> None:
        """Set container metadata and headers (Swift merges them with what is there)."""
        path, shown = container_path(container)
        send = dict(headers or {})
        if metadata:
            send.update(metadata_headers(validate_metadata(metadata), "container"))
        self.transport.request("POST", path, display=shown, headers=send)

    def delete_container(self, container: str) -> None:
        """Delete an empty container (409 :class:`SwiftConflictError` if it is not empty).

        A 404 after a retry counts as success: the first attempt may have deleted it.
        """
        path, shown = container_path(container)
        self.transport.request("DELETE", path, display=shown, after_retry=AfterRetry.DELETE)

    def iter_objects(
        self, container: str, **query: Unpack[ListingQuery]
    ) -> Iterator[dict[str, Any]]:
        """Yield the container's objects (and ``subdir`` entries with a delimiter).

        :param query: ``prefix``, ``delimiter``, ``marker``, ``end_marker``, ``page_size``.
        """
        path, shown = container_path(container)
        return iter_listing(self.transport, path, shown, **query)

    def is_versioned(self, container: str) -> bool:
        """Whether older versions of the container's objects are kept (either API)."""
        headers = self.head_container(container)
        return (
            "x-versions-location" in headers
            or "x-history-location" in headers
            or headers.get("x-versions-enabled", "").lower() == "true"
        )
