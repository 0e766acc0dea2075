"""``swift://`` path syntax, and Swift errors as the ``OSError``s fsspec callers expect.

A filesystem path is ``container/object`` with no protocol and no leading or trailing
``/``; ``""`` is the account (its containers are the top-level directories).
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator

from airflow_provider_swift.client import (
    SwiftForbiddenError,
    SwiftNotFoundError,
    SwiftPreconditionFailedError,
)
from airflow_provider_swift.fs.syntax import PROTOCOL


def strip_protocol(path: object) -> str:
    """``swift://conn@container/a/b/`` -> ``container/a/b``."""
    text = str(path)
    if text.startswith(f"{PROTOCOL}://"):
        text = text[len(PROTOCOL) + 3 :]
        head, _, rest = text.partition("/")
        if "@" in head:  # swift://conn_id@container/...: the connection is not part of the path
            text = head.split("@", 1)[1] + ("/" + rest if rest else "")
    return text.strip("/")


def split(path: str) -> tuple[str, str]:
    """``container/a/b`` -> ``("container", "a/b")``; the object part may be empty."""
    container, _, name = path.partition("/")
    return container, name


def parent(path: str) -> str:
    """The directory holding ``path`` (``""`` for a container)."""
    return path.rsplit("/", 1)[0] if "/" in path else ""


def ancestors(path: str) -> Iterator[str]:
    """``a/b/c`` -> ``a/b``, ``a`` (not the account root)."""
    while "/" in path:
        path = parent(path)
        yield path


@contextlib.contextmanager
def as_os_errors(path: str, *, exists_error: bool = False) -> Iterator[None]:
    """Raise Swift's answers as the OSErrors fsspec and pathlib callers handle.

    :param exists_error: a 412 means "already exists" (a create-only write).
    """
    try:
        yield
    except SwiftNotFoundError:
        raise FileNotFoundError(errno.ENOENT, "no such object or container", path) from None
    except SwiftForbiddenError as exc:
        raise PermissionError(errno.EACCES, exc.message, path) from None
    except SwiftPreconditionFailedError as exc:
        if not exists_error:
            raise
        raise FileExistsError(errno.EEXIST, exc.message, path) from None
