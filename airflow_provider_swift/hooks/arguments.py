"""Hook argument helpers: expiry times, glob prefixes, local MD5s."""

from __future__ import annotations

import re
import time

from airflow_provider_swift.client import SwiftValidationError


def absolute_expiry(delete_at: float | None, delete_after: float | None) -> int | None:
    """One Unix expiry time from ``delete_at`` or ``delete_after`` (validated).

    A relative expiry is made absolute once, so every segment of a large object
    and its manifest expire at the same moment.
    """
    if delete_at is not None and delete_after is not None:
        raise SwiftValidationError("give delete_at or delete_after, not both")
    if delete_at is not None:
        if int(delete_at) <= time.time():
            raise SwiftValidationError(
                f"delete_at={delete_at} is in the past; give a future Unix timestamp"
            )
        return int(delete_at)
    if delete_after is not None:
        if int(delete_after) <= 0:
            raise SwiftValidationError(f"delete_after={delete_after} must be a positive number")
        return int(time.time() + delete_after)
    return None


def glob_prefix(pattern: str) -> str:
    """The literal start of a glob pattern: the listing prefix that narrows the search."""
    match = re.search(r"[*?\[]", pattern)
    return pattern if match is None else pattern[: match.start()]
