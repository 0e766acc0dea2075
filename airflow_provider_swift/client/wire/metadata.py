"""Header values and user metadata on the wire.

Swift stores header values as the bytes it was sent and returns the same bytes.
Values go out as UTF-8 and come back decoded from UTF-8 -- and nothing else: a
value such as ``50%25off`` is returned as ``50%25off``, never URL-decoded. The
encoding itself happens once, in the request core (:func:`core.wire_headers`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_swift.client.base.errors import SwiftValidationError
from airflow_provider_swift.client.wire.core import check_header_value

#: HTTP token characters: what a header (and so a metadata key) may be made of.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")

META_PREFIX = {
    "account": "x-account-meta-",
    "container": "x-container-meta-",
    "object": "x-object-meta-",
}


@dataclass(frozen=True)
class MetadataLimits:
    """Swift's metadata constraints (``/info`` ``swift`` section); defaults are Swift's."""

    max_meta_name_length: int = 128
    max_meta_value_length: int = 256
    max_meta_count: int = 90
    max_meta_overall_size: int = 4096

    @classmethod
    def from_info(cls, swift_info: Mapping[str, Any]) -> MetadataLimits:
        """Read the limits from the ``swift`` section of ``/info``."""
        defaults = cls()
        return cls(
            **{
                field: int(swift_info.get(field, getattr(defaults, field)))
                for field in cls.__dataclass_fields__
            }
        )


def metadata_from_headers(headers: Mapping[str, str], kind: str) -> dict[str, str]:
    """Extract user metadata (lower-case keys, prefix removed) from decoded headers."""
    prefix = META_PREFIX[kind]
    return {
        key[len(prefix) :]: value
        for key, value in headers.items()
        if key.lower().startswith(prefix)
    }


def validate_metadata(
    metadata: Mapping[str, object], limits: MetadataLimits | None = None
) -> dict[str, str]:
    """Check metadata against Swift's limits; return it with lower-case string keys.

    Raises :class:`SwiftValidationError` naming the offending key, before anything is sent.
    """
    limits = limits or MetadataLimits()
    clean: dict[str, str] = {}
    overall = 0
    for raw_key, raw_value in metadata.items():
        key = str(raw_key).lower()
        if not key or not _TOKEN.match(key):
            raise SwiftValidationError(
                f"metadata key {raw_key!r} is not a valid header name "
                "(use ASCII letters, digits and '-' or '_')"
            )
        value = "" if raw_value is None else str(raw_value)
        check_header_value(f"metadata {key}", value)
        key_len = len(key.encode("utf-8"))
        value_len = len(value.encode("utf-8"))
        if key_len > limits.max_meta_name_length:
            raise SwiftValidationError(
                f"metadata key {key!r} is {key_len} bytes; "
                f"Swift allows at most {limits.max_meta_name_length}"
            )
        if value_len > limits.max_meta_value_length:
            raise SwiftValidationError(
                f"metadata value of {key!r} is {value_len} bytes; "
                f"Swift allows at most {limits.max_meta_value_length}"
            )
        overall += key_len + value_len
        clean[key] = value
    if len(clean) > limits.max_meta_count:
        raise SwiftValidationError(
            f"{len(clean)} metadata items; Swift allows at most {limits.max_meta_count}"
        )
    if overall > limits.max_meta_overall_size:
        raise SwiftValidationError(
            f"metadata totals {overall} bytes; Swift allows at most {limits.max_meta_overall_size}"
        )
    return clean


def metadata_headers(metadata: Mapping[str, object], kind: str) -> dict[str, str]:
    """Turn metadata into ``X-<Kind>-Meta-*`` request headers (text: the driver encodes
    every header value once, see :func:`core.wire_headers`)."""
    prefix = META_PREFIX[kind]
    return {prefix + key: str(value) for key, value in metadata.items()}


#: The user-metadata key python-swiftclient and rclone keep a file's modification
#: time under (``X-Object-Meta-Mtime``), as Unix seconds with a fraction.
MTIME_KEY = "mtime"


def mtime_value(mtime_ns: int) -> str:
    """A modification time as ``X-Object-Meta-Mtime`` holds it: exact to the
    nanosecond (``1733616000.123456789``; python-swiftclient writes microseconds,
    and both it and rclone read any decimal)."""
    return f"{mtime_ns // 10**9}.{mtime_ns % 10**9:09d}"


def parse_mtime(value: str | None) -> int | None:
    """``X-Object-Meta-Mtime`` in nanoseconds; None when absent or not a number."""
    if not value:
        return None
    whole, _, fraction = value.strip().partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        return None
    return int(whole) * 10**9 + int((fraction + "0" * 9)[:9] or 0)


def with_mtime(metadata: Mapping[str, object] | None, mtime_ns: int) -> dict[str, object]:
    """The user's metadata plus the file's modification time -- unless they set one."""
    given = dict(metadata or {})
    if not any(str(key).lower() == MTIME_KEY for key in given):
        given[MTIME_KEY] = mtime_value(mtime_ns)
    return given
