"""What every large-object operation needs: identity, segment cleanup, deletes.

Large objects own their segments: deleting one removes its segments (after the
manifest, for a DLO, so no manifest ever points at missing data), and overwriting
one retires the old segments the new manifest no longer uses -- but never in a
versioned container, whose older versions still read them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any

from airflow_provider_swift.client.base.errors import (
    SwiftError,
    SwiftNotFoundError,
    SwiftSegmentsUnknownError,
)
from airflow_provider_swift.client.base.parallel import map_ordered
from airflow_provider_swift.client.large.reads import Reads, large_object_kind
from airflow_provider_swift.client.large.segments import Segment
from airflow_provider_swift.client.rest.bulk import Bulk, BulkDeleteResult
from airflow_provider_swift.client.rest.containers import Containers
from airflow_provider_swift.client.rest.objects import Objects
from airflow_provider_swift.client.rest.server import ServerFacts
from airflow_provider_swift.client.wire.core import AfterRetry
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Transport

log = logging.getLogger(__name__)


def common_prefix(names: list[str]) -> str:
    """The longest string every name starts with (characters, not path components)."""
    return os.path.commonprefix(names)  # noqa: RUF071 -- a listing prefix is a string


class LargeObjects:
    """Whole-object operations that understand large objects: segment retirement,
    deletes that take segments along."""

    def __init__(
        self,
        transport: Transport,
        server: ServerFacts,
        containers: Containers,
        objects: Objects,
        bulk: Bulk,
        reads: Reads,
    ) -> None:
        self.transport = transport
        self.server = server
        self.containers = containers
        self.objects = objects
        self.bulk = bulk
        self.reads = reads

    def replaced_segments(
        self, container: str, name: str, current: Mapping[str, str] | None
    ) -> list[Segment]:
        """The segments of the object about to be replaced (read BEFORE overwriting it)."""
        if current is None or large_object_kind(current) is None:
            return []
        try:
            return self.reads.segments_of(container, name, current) or []
        except SwiftSegmentsUnknownError as exc:
            log.warning(
                "The segments of the /%s/%s being replaced cannot be found, so they "
                "stay behind (%s)",
                container,
                name,
                exc.message,
            )
            return []

    def discard_segments(
        self, container: str, name: str, segments: list[tuple[str, str]], why: str
    ) -> None:
        """Delete the segments a failed write created -- except any that the object now
        stored at ``container/name`` references: a write whose reply was lost may have
        stored its manifest after all, and a failure path must never break it. When
        what is stored cannot be read, every segment is kept (an orphan can be
        cleaned later; a dangling manifest is data lost)."""
        try:
            stored = self.objects.newest_headers(container, name)
            used = {
                (s.container, s.name)
                for s in (self.reads.segments_of(container, name, stored) or [] if stored else [])
            }
        except SwiftError as exc:
            log.warning(
                "%s; keeping its %d segments: could not read /%s/%s to see which it uses (%s)",
                why,
                len(segments),
                container,
                name,
                exc,
            )
            return
        doomed = [pair for pair in segments if pair not in used]
        if len(doomed) < len(segments):
            log.warning(
                "/%s/%s is stored and uses %d of the segments; keeping those",
                container,
                name,
                len(segments) - len(doomed),
            )
        if doomed:
            log.warning("%s; deleting the %d segments it created", why, len(doomed))
            with contextlib.suppress(SwiftError):
                self.bulk.delete_many(doomed)

    def ensure_segment_container(self, container: str, segment_container: str) -> None:
        """Create the segment container if missing, in the container's storage policy."""
        try:
            self.containers.head_container(segment_container)
            return
        except SwiftNotFoundError:
            pass
        policy = self.containers.head_container(container).get("x-storage-policy")
        self.containers.put_container(
            segment_container, headers={"X-Storage-Policy": policy} if policy else None
        )

    def retire(
        self, container: str, name: str, old: list[Segment], segments: list[Segment]
    ) -> None:
        """After an overwrite, delete the old object's segments the new one does not use.

        Only segments under this object's own segment names (``<name>/slo|dlo/...``)
        are touched, and none in a versioned container.
        """
        keep = {(s.container, s.name) for s in segments}
        owned = (f"{name}/slo/", f"{name}/dlo/")
        doomed = [
            (s.container, s.name)
            for s in old
            if (s.container, s.name) not in keep and s.name.startswith(owned)
        ]
        if not doomed:
            return
        if self.containers.is_versioned(container):
            log.info("Keeping %d old segments: /%s is versioned", len(doomed), container)
            return
        result = self.bulk.delete_many(doomed)
        if result.errors:
            log.warning(
                "Could not delete some old segments of /%s/%s: %s",
                container,
                name,
                result.errors[:5],
            )

    # -- deletes ----------------------------------------------------------------------

    def delete_object_with_segments(
        self, container: str, name: str, *, missing_ok: bool = False
    ) -> bool:
        """Delete an object and, for a large object, its segments.

        In a versioned container only the object itself is deleted: older versions
        still reference the segments.

        :return: True if deleted; False if absent and ``missing_ok``.
        """
        current = self.objects.head_or_none(container, name)
        if current is None:
            if missing_ok:
                return False
            raise SwiftNotFoundError(
                "object not found", status=404, method="DELETE", path=f"/{container}/{name}"
            )
        kind = large_object_kind(current)
        if kind is None or self.containers.is_versioned(container):
            self.objects.delete_object(container, name)
            return True
        if kind == "slo":
            self._delete_slo(container, name)  # the server finds the segments
            return True
        segments = self.reads.segments_of(container, name, current) or []
        self.objects.delete_object(container, name)  # the manifest first: never a broken DLO
        self.bulk.delete_many((s.container, s.name) for s in segments).raise_for_errors()
        return True

    def _delete_slo(self, container: str, name: str) -> bool:
        """``DELETE ?multipart-manifest=delete``: the manifest and its segments, removed
        by the server (which knows them even where it cannot list them). False: absent."""
        path, shown = object_path(container, name)
        reply = self.transport.request(
            "DELETE",
            path,
            display=shown,
            query={"multipart-manifest": "delete"},
            headers={"Accept": "application/json"},
            after_retry=AfterRetry.DELETE,
        )
        if reply.status == 404:
            return False
        outcome = json.loads(reply.body or b"{}")
        errors = outcome.get("Errors") or []
        status = str(outcome.get("Response Status", "200"))
        if reply.retried and errors and self._gone_after_retry(container, name, errors):
            return True
        if errors or not status.startswith("2"):
            raise SwiftError(
                f"deleting the SLO and its segments failed ({status}): {errors[:10]}",
                status=int(status.split(" ", 1)[0] or 0) or None,
                method="DELETE",
                path=shown,
                transaction_id=reply.transaction_id,
            )
        return True

    def _gone_after_retry(self, container: str, name: str, errors: list[Any]) -> bool:
        """A retried ``?multipart-manifest=delete`` whose lost first attempt deleted
        everything: Swift answers 404, Ceph RGW a 400 naming the manifest alone. That
        is success if the manifest is indeed gone (its segments went with it)."""
        manifest = f"{container}/{name}"
        only_manifest = all(str(path).lstrip("/") == manifest for path, _ in errors)
        return only_manifest and self.objects.newest_headers(container, name) is None

    def delete_objects_with_segments(
        self, container: str, names: Iterable[str]
    ) -> BulkDeleteResult:
        """Delete many objects (bulk delete where offered) and their segments.

        Manifests and plain objects go first, then the segments, so no remaining
        manifest ever points at deleted segments. Missing names count as not found.

        Which objects are large comes from the listing where the server marks SLOs
        there (``slo_etag``; a DLO lists as 0 bytes); where it does not (Ceph RGW),
        from a HEAD of each object, and each SLO found is deleted with its segments by
        ``?multipart-manifest=delete`` -- no segment is left behind on either.
        """
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return BulkDeleteResult()
        listed = {
            entry["name"]: entry
            # the common *string* prefix narrows the listing to what can match
            for entry in self.containers.iter_objects(container, prefix=common_prefix(wanted))
        }
        if self.containers.is_versioned(container):  # older versions use the segments
            return self.bulk.delete_many((container, name) for name in wanted)
        marks_slo = self.server.learned(container).listing_marks_slo
        maybe_large = [
            name
            for name in wanted
            if name in listed
            and (not marks_slo or "slo_etag" in listed[name] or int(listed[name]["bytes"]) == 0)
        ]
        found_heads = map_ordered(
            lambda n: self.objects.head_or_none(container, n), maybe_large, 8, name="swift-head"
        )
        heads = dict(zip(maybe_large, found_heads, strict=True))
        result = BulkDeleteResult()
        segments: list[tuple[str, str]] = []
        by_server: set[str] = set()  # SLOs deleted with ?multipart-manifest=delete
        for name, headers in heads.items():
            if headers is None:
                continue
            try:
                found = self.reads.segments_of(container, name, headers)
            except SwiftSegmentsUnknownError:
                # the server knows the segments even where it cannot list them
                by_server.add(name)
                try:
                    gone = self._delete_slo(container, name)
                except SwiftError as exc:
                    result.errors.append((f"/{container}/{name}", str(exc)))
                    continue
                result.merge(BulkDeleteResult(deleted=int(gone), not_found=int(not gone)))
                continue
            segments += [(s.container, s.name) for s in found or ()]
        result.merge(self.bulk.delete_many((container, n) for n in wanted if n not in by_server))
        result.merge(self.bulk.delete_many(segments))
        return result
