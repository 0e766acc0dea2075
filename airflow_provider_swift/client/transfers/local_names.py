"""Local paths <-> object names: the one mapping between a directory and a prefix.

Both ways, and total: every local file either has exactly one object name or is
refused, and every object name either has exactly one local path or is refused --
with a typed error that names it, before anything is written.

* **Up** (a file under the tree's root -> a name): the relative path with ``/``
  separators. A path that is not valid UTF-8 (Linux allows any bytes but ``/`` and
  NUL; Swift names are UTF-8) has no name: :class:`SwiftLocalNameError`, which the
  callers count and report as a failure -- never a silent drop.
* **Down** (a name under the prefix -> a path): the name's ``/``-separated parts. A
  part that is empty (``a//b``, a leading ``/``), ``.``, or holds NUL has no path of
  its own -- mapping it would make two names one file -- and is refused
  (:class:`SwiftLocalNameError`; ``..`` is :class:`SwiftPathTraversalError`). Names
  ending in ``/``, and zero-byte ``application/directory`` objects (what ``swift
  upload`` stores for an empty directory), are directory markers: directories.
* **Together** (:func:`check_layout`): no path may be both a file and a directory
  (objects ``a`` and ``a/b``); such names are a :class:`SwiftNameCollisionError`
  naming both, raised before the first byte is written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from airflow_provider_swift.client.base.errors import (
    SwiftLocalNameError,
    SwiftNameCollisionError,
    SwiftPathTraversalError,
)

#: The content type ``swift upload`` (and this provider's ``swift://``) gives an empty
#: directory's marker object.
DIRECTORY_TYPE = "application/directory"


def shown(path: str | os.PathLike[str]) -> str:
    """A local path as a message shows it: bytes that are not UTF-8 escaped (``\\xff``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def folder(prefix: str) -> str:
    """A prefix as the folder a tree goes into: ``landing/day 1`` is ``landing/day 1/``
    (as rclone and ``swift upload --object-name`` treat it), so a tree's files never
    run into its name (``landing/day 1plain.txt``) and a sync down of ``in`` never takes
    ``inbox/`` along. ``""`` stays the container's top."""
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def name_of(relative: str) -> str:
    """The object name (below the prefix) of a path relative to the tree's root.

    :raises SwiftLocalNameError: the path is not valid UTF-8.
    """
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        raise SwiftLocalNameError(
            f"local file '{shown(relative)}' has a name that is not valid UTF-8, which "
            "an object name must be; rename it (e.g. convmv) or exclude it"
        ) from None
    return relative if os.sep == "/" else relative.replace(os.sep, "/")


def is_directory_marker(name: str, size: int, content_type: str | None) -> bool:
    """Whether an object stands for a directory rather than a file."""
    return name.endswith("/") or (size == 0 and content_type == DIRECTORY_TYPE)


def relative_parts(name: str) -> tuple[str, ...]:
    """The local path parts of an object name (relative to the prefix); a directory
    marker's trailing ``/`` is dropped.

    :raises SwiftPathTraversalError: a ``..`` part.
    :raises SwiftLocalNameError: an empty or ``.`` part, or a NUL.
    """
    parts = tuple(name[:-1].split("/") if name.endswith("/") else name.split("/"))
    if ".." in parts:
        raise SwiftPathTraversalError(
            f"object name {name!r} would be written outside the directory"
        )
    if "\0" in name or any(part in ("", ".") for part in parts):
        raise SwiftLocalNameError(
            f"object name {name!r} has no local path of its own (an empty or '.' path "
            "part, or a NUL): as a file it would be the same as another name; exclude it "
            "or rename the object"
        )
    return parts


def target_of(root: Path, name: str) -> Path:
    """Where an object (``name`` relative to the prefix) goes under ``root`` -- never
    outside it, also not through a symbolic link inside ``root`` that points out."""
    target = (root / Path(*relative_parts(name))).resolve()
    base = root.resolve()
    if base != target and base not in target.parents:
        raise SwiftPathTraversalError(
            f"object name {name!r} would be written outside {str(root)!r}"
        )
    return target


@dataclass(frozen=True)
class Entry:
    """An object as the layout check sees it: its name below the prefix, and whether
    it is a directory marker."""

    name: str
    directory: bool = False


def check_layout(entries: Iterable[Entry]) -> None:
    """Refuse names that would need one path to be a file and a directory at once.

    :raises SwiftNameCollisionError: naming the two objects.
    """
    files: dict[PurePosixPath, str] = {}
    directories: dict[PurePosixPath, str] = {}
    for entry in entries:
        path = PurePosixPath(*relative_parts(entry.name))
        if entry.directory:
            directories.setdefault(path, entry.name)
        else:
            files[path] = entry.name
        for parent in path.parents:
            if parent.parts:
                directories.setdefault(parent, entry.name)
    clashes = sorted(set(files) & set(directories))
    if clashes:
        first = clashes[0]
        raise SwiftNameCollisionError(
            f"{len(clashes)} local path(s) would be both a file and a directory, e.g. "
            f"{str(first)!r} for objects {files[first]!r} and {directories[first]!r}; "
            "nothing was written -- exclude or rename one of them"
        )


def glob_pattern(pattern: str) -> re.Pattern[str]:
    """A shell glob over ``/``-separated relative names, as :func:`glob.glob` reads it
    with ``recursive=True``: ``*`` and ``?`` stay within one part, ``**`` spans any
    number of parts, ``[...]`` is a class, and a wildcard does not match a leading
    ``.`` of a part (hidden files need an explicit ``.``)."""
    out: list[str] = []
    parts = pattern.split("/")
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append(r"(?:(?!\.)[^/]*(?:/|$))*")  # any parts, none hidden
            continue
        piece = "" if part.startswith(".") else r"(?!\.)"
        i = 0
        while i < len(part):
            char = part[i]
            if char == "*":
                piece += "[^/]*"
            elif char == "?":
                piece += "[^/]"
            elif char == "[" and "]" in part[i + 2 :]:
                end = part.index("]", i + 2)
                body = part[i + 1 : end]
                body = "^" + body[1:] if body.startswith("!") else body
                piece += f"[{body.replace(chr(92), chr(92) * 2)}]"
                i = end
            else:
                piece += re.escape(char)
            i += 1
        out.append(piece + ("" if last else "/"))
    return re.compile("".join(out))
