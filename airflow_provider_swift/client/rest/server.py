"""What a server speaking the Swift API can do, learned rather than assumed.

Swift and Ceph RGW answer some requests differently (docs/compatibility.md). A client
decides by capability, never by server name: from ``/info`` where it says, otherwise
from a few cheap probes in a container the caller may write to -- once per client,
the first time a write needs to know (:class:`ServerFacts`), then cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from airflow_provider_swift.client.base.errors import (
    SwiftError,
    SwiftPreconditionFailedError,
    SwiftUnprocessableError,
    SwiftValidationError,
)
from airflow_provider_swift.client.rest.containers import Containers
from airflow_provider_swift.client.rest.info import Info
from airflow_provider_swift.client.rest.objects import Objects
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Transport

log = logging.getLogger(__name__)

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


#: What a client assumes when the probe could not run (no write access, an error): the
#: choices that work on every server, at the cost of a few more requests.
CONSERVATIVE = ServerCapabilities(
    manifest_etag_header_ok=False,
    manifest_get_format="empty",
    listing_marks_slo=False,
    conditional_put_honoured=False,
    tempurl_digests=LEGACY_TEMPURL_DIGESTS,
)

#: TempURL digests in order of preference when none is asked for.
PREFERRED_TEMPURL_DIGESTS = ("sha256", "sha512", "sha1")


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


def choose_tempurl_digest(requested: str | None, allowed: frozenset[str]) -> str:
    """The digest to sign a TempURL with: ``requested`` if the server can check it
    (else a :class:`SwiftValidationError` naming what it can), or the strongest it
    allows -- sha256 where offered, sha1 on a server whose ``/info`` lists none."""
    if requested is not None:
        if requested not in allowed:
            raise SwiftValidationError(
                f"digest {requested!r}: this server checks TempURL signatures made with "
                f"{', '.join(sorted(allowed)) or 'no digest (no tempurl middleware)'} only, "
                "so the URL would be refused (403)"
            )
        return requested
    for digest in PREFERRED_TEMPURL_DIGESTS:
        if digest in allowed:
            return digest
    raise SwiftValidationError("this server offers no TempURLs (no tempurl in /info)")


class ServerFacts:
    """The server's capabilities, for this client: ``/info`` at once, the probed ones
    the first time a write needs them (:meth:`learned`), then cached."""

    def __init__(
        self, transport: Transport, info: Info, containers: Containers, objects: Objects
    ) -> None:
        self.transport = transport
        self.info = info
        self.containers = containers
        self.objects = objects
        self._learned: ServerCapabilities | None = None
        self._lock = threading.Lock()

    def tempurl_digests(self) -> frozenset[str]:
        """The digests TempURL signatures may use (from ``/info``; sha1 if silent)."""
        return tempurl_digests(self.info.capabilities())

    def learned(self, container: str) -> ServerCapabilities:
        """The capabilities, probed in ``container`` (which must be writable) the first
        time they are needed, cached for the client's life. A probe that fails (no
        write access, say) gives :data:`CONSERVATIVE`, with a warning."""
        with self._lock:
            if self._learned is None:
                try:
                    self._learned = self.probe(container)
                except SwiftError as exc:
                    log.warning(
                        "Could not probe the server's capabilities in /%s (%s); assuming "
                        "the choices that work on every Swift API server",
                        container,
                        exc,
                    )
                    self._learned = CONSERVATIVE
                else:
                    log.debug("Server capabilities: %s", self._learned)
            return self._learned

    def probe(self, container: str) -> ServerCapabilities:
        """Learn a server's capabilities (not cached): ``/info`` plus a few small
        requests on objects under a random ``.capabilities-<id>/`` prefix of
        ``container`` (which must exist and be writable), all deleted again.

        About eight requests: one segment, the manifest PUT (with ``ETag``, and again
        without when refused), its manifest GET, a listing, two PUTs for the
        conditional check, and the deletes.
        """
        prefix = f".capabilities-{uuid.uuid4().hex[:12]}"
        segment, manifest, plain = f"{prefix}/segment", f"{prefix}/slo", f"{prefix}/plain"
        try:
            etag_ok = self._put_probe_slo(container, segment, manifest)
            path, shown = object_path(container, manifest)
            body = self.transport.request(
                "GET", path, display=shown, query={"multipart-manifest": "get"}
            ).body
            listed = next(iter(self.containers.iter_objects(container, prefix=manifest)), {})
            return ServerCapabilities(
                manifest_etag_header_ok=etag_ok,
                manifest_get_format=manifest_format(body),
                listing_marks_slo="slo_etag" in listed,
                conditional_put_honoured=self._conditional_put_honoured(container, plain),
                tempurl_digests=self.tempurl_digests(),
            )
        finally:
            for name in (manifest, segment, plain):
                with contextlib.suppress(SwiftError):
                    self.objects.delete_object(container, name)

    def _put_probe_slo(self, container: str, segment: str, manifest: str) -> bool:
        """Store a one-segment SLO; whether the manifest PUT could carry its ``ETag``."""
        segment_etag = self.objects.put_object(container, segment, b"capabilities probe").etag
        entries = [{"path": f"/{container}/{segment}", "etag": segment_etag, "size_bytes": 18}]
        body = json.dumps(entries).encode()
        composite = hashlib.md5(segment_etag.encode(), usedforsecurity=False).hexdigest()
        try:
            self.objects.put_object(
                container, manifest, body, etag=composite, query={"multipart-manifest": "put"}
            )
            return True
        except SwiftUnprocessableError:
            pass
        # put_object always sends an ETag for bytes (and checks the answer against
        # it): the manifest without one goes through the transport directly
        path, shown = object_path(container, manifest)
        self.transport.request(
            "PUT",
            path,
            display=shown,
            query={"multipart-manifest": "put"},
            body=body,
            content_length=len(body),
            expect=(201,),
        )
        return False

    def _conditional_put_honoured(self, container: str, name: str) -> bool:
        self.objects.put_object(container, name, b"first")
        try:
            self.objects.put_object(container, name, b"second", if_none_match="*")
        except SwiftPreconditionFailedError:
            return True
        return False
