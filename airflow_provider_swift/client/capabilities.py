"""What a server speaking the Swift API can do, learned rather than assumed.

Swift and Ceph RGW answer some requests differently (docs/compatibility.md). A client
decides by capability, never by server name: from ``/info`` where it says, otherwise
from a few cheap probes in a container the caller may write to. Nothing here changes
how the client behaves; it only finds out.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from airflow_provider_swift.client.errors import (
    SwiftError,
    SwiftPreconditionFailedError,
    SwiftUnprocessableError,
)
from airflow_provider_swift.client.names import object_path

if TYPE_CHECKING:
    from airflow_provider_swift.client.client import SwiftClient

#: How ``GET ?multipart-manifest=get`` answers: Swift's ``name``/``hash``/``bytes``
#: entries, RGW's ``path``/``etag``/``size_bytes`` (Ceph's pending fix), or nothing
#: usable (Ceph 16.2: an empty body).
ManifestFormat = Literal["swift", "rgw", "empty"]

#: The TempURL digest every implementation checks, assumed when ``/info`` says nothing.
LEGACY_TEMPURL_DIGESTS = frozenset({"sha1"})


@dataclass(frozen=True)
class ServerCapabilities:
    """The behaviours of a Swift API server that the client must adapt to.

    :param manifest_etag_header_ok: an SLO manifest PUT may carry the composite
        ``ETag`` (RGW answers 422 to any).
    :param manifest_get_format: what ``?multipart-manifest=get`` returns.
    :param listing_marks_slo: container listings give an SLO's ``slo_etag`` (and its
        size as ``bytes``); without it, a listing cannot tell an SLO from an object.
    :param conditional_put_honoured: ``If-None-Match: *`` on PUT refuses to overwrite
        (RGW ignores it, and ``If-Match`` on copies).
    :param tempurl_digests: the HMAC digests TempURL signatures may use.
    """

    manifest_etag_header_ok: bool
    manifest_get_format: ManifestFormat
    listing_marks_slo: bool
    conditional_put_honoured: bool
    tempurl_digests: frozenset[str]


def tempurl_digests(info: Mapping[str, Any]) -> frozenset[str]:
    """TempURL digests from ``/info``: its ``allowed_digests``; sha1 alone when the
    ``tempurl`` section (or ``/info`` itself) does not list them, as on RGW; none
    when ``/info`` shows no ``tempurl`` middleware at all."""
    if not info:
        return LEGACY_TEMPURL_DIGESTS
    tempurl = info.get("tempurl")
    if tempurl is None:
        return frozenset()
    digests = tempurl.get("allowed_digests")
    return LEGACY_TEMPURL_DIGESTS if digests is None else frozenset(map(str, digests))


def manifest_format(body: bytes) -> ManifestFormat:
    """Classify the body of ``GET ?multipart-manifest=get`` (``empty``: nothing usable)."""
    try:
        entries = json.loads(body) if body.strip() else []
    except ValueError:
        return "empty"
    if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
        return "empty"
    if {"name", "hash", "bytes"} <= entries[0].keys():
        return "swift"
    if {"path", "etag", "size_bytes"} <= entries[0].keys():
        return "rgw"
    return "empty"


def probe_capabilities(client: SwiftClient, container: str) -> ServerCapabilities:
    """Learn a server's capabilities: ``/info`` plus a few small requests on objects
    under a random ``.capabilities-<id>/`` prefix of ``container`` (which must exist
    and be writable), all deleted again.

    About eight requests: one segment, the manifest PUT (with ``ETag``, and again
    without when refused), its manifest GET, a listing, two PUTs for the conditional
    check, and the deletes.
    """
    prefix = f".capabilities-{uuid.uuid4().hex[:12]}"
    segment, manifest, plain = f"{prefix}/segment", f"{prefix}/slo", f"{prefix}/plain"
    try:
        etag_ok = _put_probe_slo(client, container, segment, manifest)
        _, body = client.get_object(container, manifest, query={"multipart-manifest": "get"})
        listed = next(iter(client.iter_objects(container, prefix=manifest)), {})
        return ServerCapabilities(
            manifest_etag_header_ok=etag_ok,
            manifest_get_format=manifest_format(body),
            listing_marks_slo="slo_etag" in listed,
            conditional_put_honoured=_conditional_put_honoured(client, container, plain),
            tempurl_digests=tempurl_digests(client.capabilities()),
        )
    finally:
        for name in (manifest, segment, plain):
            with contextlib.suppress(SwiftError):
                client.delete_object(container, name)


def _put_probe_slo(client: SwiftClient, container: str, segment: str, manifest: str) -> bool:
    """Store a one-segment SLO; whether the manifest PUT could carry its ``ETag``."""
    segment_etag = client.put_object(container, segment, b"capabilities probe").etag
    entries = [{"path": f"/{container}/{segment}", "etag": segment_etag, "size_bytes": 18}]
    body = json.dumps(entries).encode()
    composite = hashlib.md5(segment_etag.encode(), usedforsecurity=False).hexdigest()
    try:
        client.put_object(
            container, manifest, body, etag=composite, query={"multipart-manifest": "put"}
        )
        return True
    except SwiftUnprocessableError:
        pass
    # put_object always sends an ETag for bytes (and checks the answer against it):
    # the manifest without one goes through the transport directly
    path, shown = object_path(container, manifest)
    client.transport.request(
        "PUT",
        path,
        display=shown,
        query={"multipart-manifest": "put"},
        body=body,
        content_length=len(body),
        expect=(201,),
    )
    return False


def _conditional_put_honoured(client: SwiftClient, container: str, name: str) -> bool:
    client.put_object(container, name, b"first")
    try:
        client.put_object(container, name, b"second", if_none_match="*")
    except SwiftPreconditionFailedError:
        return True
    return False
