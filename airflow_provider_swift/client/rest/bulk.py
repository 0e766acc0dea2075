"""Deleting many objects: the bulk-delete middleware when offered, parallel DELETEs if not.

``POST ?bulk-delete`` always answers 200; what happened is in the body (counts,
a final status and per-path errors), so the body is what is read here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from airflow_provider_swift.client.base.errors import SwiftError, SwiftNotFoundError
from airflow_provider_swift.client.base.parallel import map_ordered
from airflow_provider_swift.client.rest.info import Info
from airflow_provider_swift.client.rest.objects import Objects
from airflow_provider_swift.client.wire.names import object_path
from airflow_provider_swift.client.wire.transport import Transport

#: Names per bulk delete when ``/info`` gives no ``max_deletes_per_request`` (Swift's
#: default is 10,000; Ceph RGW lists ``bulk_delete`` without limits): small enough
#: for any server's limit, large enough that the request count hardly matters.
DEFAULT_BULK_BATCH = 1000


@dataclass
class BulkDeleteResult:
    """What a bulk delete did: counts, and the paths that could not be deleted."""

    deleted: int = 0
    not_found: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)

    def merge(self, other: BulkDeleteResult) -> None:
        self.deleted += other.deleted
        self.not_found += other.not_found
        self.errors += other.errors

    def raise_for_errors(self) -> None:
        """Raise a :class:`SwiftError` naming the failed paths, if any."""
        if self.errors:
            listed = "; ".join(f"{path}: {status}" for path, status in self.errors[:10])
            more = f" (and {len(self.errors) - 10} more)" if len(self.errors) > 10 else ""
            raise SwiftError(
                f"{len(self.errors)} objects could not be deleted: {listed}{more}",
                method="DELETE",
            )


class Bulk:
    """Deletes many objects in as few requests as the cluster allows."""

    def __init__(self, transport: Transport, info: Info, objects: Objects) -> None:
        self.transport = transport
        self.info = info
        self.objects = objects

    def delete_many(
        self, objects: Iterable[tuple[str, str]], *, object_threads: int = 8
    ) -> BulkDeleteResult:
        """Delete ``(container, name)`` pairs; missing ones count as ``not_found``.

        Segments of large objects are NOT followed here (bulk delete does not do it
        either): callers list them first (see ``delete_objects_with_segments``). Without the
        bulk middleware, ``object_threads`` DELETEs are sent at once.
        """
        pairs = list(objects)
        result = BulkDeleteResult()
        if not pairs:
            return result
        bulk = self.info.capabilities().get("bulk_delete")
        if bulk is not None:  # Ceph RGW lists it as {} (no limits given)
            size = int(bulk.get("max_deletes_per_request", DEFAULT_BULK_BATCH))
            for start in range(0, len(pairs), size):
                result.merge(self._bulk_delete(pairs[start : start + size]))
        else:
            result = self._parallel_delete(pairs, object_threads)
        return result

    def _bulk_delete(self, pairs: Sequence[tuple[str, str]]) -> BulkDeleteResult:
        for container, name in pairs:
            object_path(container, name)  # validates both names
        body = "\n".join(quote(f"/{c}/{n}", safe="/") for c, n in pairs).encode("utf-8")
        reply = self.transport.request(
            "POST",
            "",
            display="/?bulk-delete",
            query={"bulk-delete": ""},
            headers={"Content-Type": "text/plain", "Accept": "application/json"},
            body=body,
        )
        outcome = json.loads(reply.body or b"{}")
        result = BulkDeleteResult(
            deleted=int(outcome.get("Number Deleted", 0)),
            not_found=int(outcome.get("Number Not Found", 0)),
            errors=[(str(path), str(status)) for path, status in outcome.get("Errors", [])],
        )
        status = str(outcome.get("Response Status", "200"))
        if not status.startswith("2") and not result.errors:
            result.errors.append(("(bulk delete)", f"{status} {outcome.get('Response Body', '')}"))
        return result

    def _parallel_delete(
        self, pairs: Sequence[tuple[str, str]], object_threads: int
    ) -> BulkDeleteResult:
        result = BulkDeleteResult()
        lock = threading.Lock()

        def one(pair: tuple[str, str]) -> None:
            container, name = pair
            try:
                self.objects.delete_object(container, name)
                outcome = BulkDeleteResult(deleted=1)
            except SwiftNotFoundError:
                outcome = BulkDeleteResult(not_found=1)
            except SwiftError as exc:
                outcome = BulkDeleteResult(errors=[(f"/{container}/{name}", str(exc))])
            with lock:
                result.merge(outcome)

        map_ordered(one, pairs, max(1, object_threads), name="swift-delete")
        return result
