"""Create-only writes (``if_exists="fail"``): refused before sending, checked by Swift
(``If-None-Match: *``), and confirmed afterwards for writes that overlapped in time."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping

from airflow_provider_swift.client.base.errors import SwiftPreconditionFailedError
from airflow_provider_swift.client.rest.objects import Objects, strip_etag


def refuse_existing(container: str, name: str, current: Mapping[str, str] | None) -> None:
    """Refuse before sending anything when the object is known to exist (Swift checks
    again when the write arrives)."""
    if current is not None:
        raise SwiftPreconditionFailedError(
            "object already exists and if_exists='fail'",
            status=412,
            method="PUT",
            path=f"/{container}/{name}",
        )


@contextlib.contextmanager
def already_exists(container: str, name: str) -> Iterator[None]:
    """Say what a 412 from ``If-None-Match: *`` means."""
    try:
        yield
    except SwiftPreconditionFailedError as exc:
        raise SwiftPreconditionFailedError(
            f"object already exists and if_exists='fail' ({exc.message})",
            status=exc.status,
            method=exc.method,
            path=exc.path or f"/{container}/{name}",
            transaction_id=exc.transaction_id,
        ) from None


def confirm_sole_writer(
    objects: Objects, container: str, name: str, etag: str, started: float
) -> None:
    """Make ``if_exists="fail"`` hold for overlapping writes too.

    Swift checks ``If-None-Match: *`` when a PUT *begins*: two uploads that overlap in
    time both pass it, and the one Swift stamped later is what stays. So once our PUT
    succeeded, wait about as long again as it took (any rival that had begun by then
    finishes within that), then read the newest copy: if it is not ours, we lost the
    race -- raise, like a 412 would have. A rival slower than twice our own PUT can
    still finish after this check: Swift has no atomic create-if-absent, and this
    narrows the window, it cannot close it.
    """
    elapsed = time.monotonic() - started
    time.sleep(min(max(2 * elapsed, 0.1), 5.0))
    stored = objects.newest_headers(container, name) or {}
    if strip_etag(stored.get("etag")) != strip_etag(etag):
        raise SwiftPreconditionFailedError(
            "object already exists and if_exists='fail': a concurrent upload of the "
            "same name was stored instead of this one",
            status=412,
            method="PUT",
            path=f"/{container}/{name}",
        )
