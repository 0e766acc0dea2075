"""Container and object names: validation and percent-encoding for request paths.

Swift names are arbitrary UTF-8 (object names may contain ``/``, ``%``, ``?``, ``#``,
``;``, spaces and dot segments). Every path segment is percent-encoded here, dot-only
segments included, so that neither requests nor urllib3 can re-interpret or
normalise them: ``a/../b`` must reach Swift as an object called ``a/../b``.
"""

from __future__ import annotations

from urllib.parse import quote

from airflow_provider_swift.client.base.errors import SwiftValidationError

#: Swift's defaults; the server's ``/info`` may state other limits.
MAX_CONTAINER_NAME_LENGTH = 256
MAX_OBJECT_NAME_LENGTH = 1024


def quote_segment(segment: str) -> str:
    """Percent-encode one path segment, including ``/`` and dot-only segments."""
    if segment and set(segment) == {"."}:
        return "%2E" * len(segment)
    return quote(segment, safe="")


def quote_name(name: str) -> str:
    """Percent-encode an object name, keeping its ``/`` separators as they are."""
    return "/".join(quote_segment(part) for part in name.split("/"))


def validate_container_name(container: str, *, max_length: int = MAX_CONTAINER_NAME_LENGTH) -> str:
    """Return ``container`` if Swift would accept it as a container name, else raise."""
    if not isinstance(container, str) or not container:
        raise SwiftValidationError("container name must be a non-empty string")
    if "/" in container:
        raise SwiftValidationError(
            f"container name {container!r} contains '/'; containers cannot be nested "
            "(put the '/' in the object name instead)"
        )
    if "\x00" in container:
        raise SwiftValidationError(f"container name {container!r} contains a NUL byte")
    size = len(container.encode("utf-8", "surrogatepass"))
    if size > max_length:
        raise SwiftValidationError(
            f"container name is {size} bytes long; Swift allows at most {max_length}"
        )
    return container


def validate_object_name(name: str, *, max_length: int = MAX_OBJECT_NAME_LENGTH) -> str:
    """Return ``name`` if Swift would accept it as an object name, else raise."""
    if not isinstance(name, str) or not name:
        raise SwiftValidationError("object name must be a non-empty string")
    if "\x00" in name:
        raise SwiftValidationError(f"object name {name!r} contains a NUL byte")
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > max_length:
        raise SwiftValidationError(
            f"object name is {size} bytes long; Swift allows at most {max_length}"
        )
    return name


def container_path(container: str) -> tuple[str, str]:
    """Return (encoded, readable) account-relative paths of a container."""
    validate_container_name(container)
    return "/" + quote_segment(container), "/" + container


def object_path(container: str, name: str) -> tuple[str, str]:
    """Return (encoded, readable) account-relative paths of an object."""
    validate_container_name(container)
    validate_object_name(name)
    return f"/{quote_segment(container)}/{quote_name(name)}", f"/{container}/{name}"
