"""The cluster's capabilities (``GET /info``): limits and enabled middleware."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_swift.client.base.errors import SwiftHTTPError
from airflow_provider_swift.client.wire.core import info_url
from airflow_provider_swift.client.wire.metadata import MetadataLimits
from airflow_provider_swift.client.wire.transport import Transport

log = logging.getLogger(__name__)

#: Swift's default ``max_file_size`` (5 GiB + 2 bytes), when ``/info`` says nothing.
DEFAULT_MAX_FILE_SIZE = 5 * 1024**3 + 2
DEFAULT_MAX_MANIFEST_SEGMENTS = 1000


@dataclass(frozen=True)
class Limits:
    """The large-object limits of a cluster (from ``/info``)."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    min_segment_size: int = 1
    max_manifest_segments: int = DEFAULT_MAX_MANIFEST_SEGMENTS

    @classmethod
    def from_info(cls, info: Mapping[str, Any]) -> Limits:
        swift = info.get("swift", {})
        slo = info.get("slo", {})
        return cls(
            max_file_size=int(swift.get("max_file_size", DEFAULT_MAX_FILE_SIZE)),
            min_segment_size=int(slo.get("min_segment_size", 1)),
            max_manifest_segments=int(
                slo.get("max_manifest_segments", DEFAULT_MAX_MANIFEST_SEGMENTS)
            ),
        )


class Info:
    """``/info``, fetched once per client and cached (it changes only on redeploys)."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._info: dict[str, Any] | None = None
        self._info_lock = threading.Lock()

    def capabilities(self, *, refresh: bool = False) -> dict[str, Any]:
        """Return ``/info`` as a dict (``{}`` when the cluster does not expose it)."""
        with self._info_lock:
            if self._info is None or refresh:
                self._info = self._fetch_info()
            return self._info

    def _fetch_info(self) -> dict[str, Any]:
        url = info_url(self.transport.storage_url())
        try:
            reply = self.transport.request(
                "GET", "/info", display="/info", url=url, authenticated=False
            )
        except SwiftHTTPError as exc:
            if exc.status in (401, 403, 404):
                log.warning("The cluster does not expose /info; using Swift's default limits")
                return {}
            raise
        info: dict[str, Any] = json.loads(reply.body)
        return info

    def metadata_limits(self) -> MetadataLimits:
        """Metadata limits from ``/info`` (Swift's defaults where it says nothing)."""
        return MetadataLimits.from_info(self.capabilities().get("swift", {}))

    def large_object_limits(self) -> Limits:
        """Segment and manifest limits from ``/info`` (Swift's defaults where it is silent)."""
        return Limits.from_info(self.capabilities())
