"""Listings as a filesystem sees them: Swift's JSON entries as fsspec infos, and one
flat listing of a prefix turned into the whole tree of pseudo-directories under it.

``find``, ``walk``, ``glob``, ``du`` and a recursive ``rm`` each need every name under
a prefix: one flat (delimiter-less) listing gives them all, page by page, however
deep the tree -- instead of one listing per pseudo-directory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from airflow_provider_swift.client import SwiftClient
from airflow_provider_swift.client.rest.objects import strip_etag
from airflow_provider_swift.client.transfers.local_names import is_directory_marker

#: Swift's default ``container_listing_limit``, when ``/info`` does not say.
DEFAULT_LISTING_LIMIT = 10_000

Info = dict[str, Any]


def listing_limit(client: SwiftClient) -> int:
    """The most entries one listing request may return on this cluster."""
    swift = client.capabilities().get("swift", {})
    return int(swift.get("container_listing_limit") or DEFAULT_LISTING_LIMIT)


def iter_flat_listing(
    client: SwiftClient, container: str, prefix: str, *, limit: int
) -> Iterator[dict[str, Any]]:
    """Every object whose name starts with ``prefix``, ``limit`` entries a request: a
    listing of ``n`` objects takes ``n // limit + 1`` requests (a page shorter than the
    limit asked for is the last)."""
    return client.iter_objects(container, prefix=prefix or None, page_size=limit)


def mtime_of(last_modified: str | None) -> float | None:
    """A listing's ``last_modified`` (ISO 8601, UTC, no zone) as a Unix time."""
    if not last_modified:
        return None
    try:
        moment = datetime.fromisoformat(last_modified)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def file_info(path: str, entry: Mapping[str, Any]) -> Info:
    """An object's listing entry as an fsspec info (an SLO's ETag is its ``slo_etag``)."""
    return {
        "name": path,
        "size": int(entry["bytes"]),
        "type": "file",
        "etag": strip_etag(entry.get("slo_etag") or entry.get("hash")),
        "last_modified": entry.get("last_modified"),
        "mtime": mtime_of(entry.get("last_modified")),
        "content_type": entry.get("content_type"),
    }


def file_info_from_headers(path: str, headers: Mapping[str, str]) -> Info:
    """An object's HEAD headers as an fsspec info."""
    stamp = headers.get("x-timestamp")
    return {
        "name": path,
        "size": int(headers.get("content-length", 0)),
        "type": "file",
        "etag": strip_etag(headers.get("etag")),
        "last_modified": headers.get("last-modified"),
        "mtime": float(stamp) if stamp else None,
        "content_type": headers.get("content-type"),
    }


def directory_info(path: str) -> Info:
    """A container or pseudo-directory (they have no size of their own)."""
    return {"name": path, "size": 0, "type": "directory"}


def delimited_entries(
    container: str, entries: Iterable[Mapping[str, Any]], prefix: str
) -> list[Info]:
    """One level of a ``delimiter=/`` listing as infos; the directory's own marker
    object (a name equal to the prefix, as some tools create) is not an entry."""
    out: list[Info] = []
    directories: set[str] = set()
    for entry in entries:
        if "subdir" in entry:
            path = f"{container}/{str(entry['subdir']).rstrip('/')}"
        elif entry["name"] == prefix:
            continue
        elif _is_marker(entry):  # another tool's marker of a directory
            path = f"{container}/{str(entry['name']).rstrip('/')}"
        else:
            out.append(file_info(f"{container}/{entry['name']}", entry))
            continue
        if path not in directories:
            directories.add(path)
            out.append(directory_info(path))
    return out


def _is_marker(entry: Mapping[str, Any]) -> bool:
    name = str(entry.get("name", ""))
    return is_directory_marker(name, int(entry.get("bytes", 0)), entry.get("content_type"))


@dataclass
class Tree:
    """Everything under one directory, from one flat listing.

    ``children`` maps each directory (the root included) to its entries; a name can
    be both an object and a pseudo-directory (``a`` and ``a/b``), so both entries are
    kept. ``objects`` are the object names listed (directory markers included).
    """

    root: str
    children: dict[str, list[Info]] = field(default_factory=dict)
    objects: list[str] = field(default_factory=list)

    def depth(self, path: str) -> int:
        """1 for the root's own entries, 2 for theirs, ..."""
        relative = path[len(self.root) + 1 :] if self.root else path
        return relative.count("/") + 1

    def entries(self) -> Iterator[Info]:
        """Every file and directory below the root."""
        for items in self.children.values():
            yield from items


def build_tree(root: str, prefix: str, entries: Iterable[Mapping[str, Any]]) -> Tree:
    """The tree under ``root`` (``container`` or ``container/dir``) from a flat listing
    of ``prefix`` (``""`` or ``dir/``): every pseudo-directory a name implies, and
    marker objects (names ending in ``/``, zero-byte ``application/directory``
    objects) as the directories they stand for."""
    tree = Tree(root, {root: []})
    for entry in entries:
        name = str(entry["name"])
        tree.objects.append(name)
        relative = name[len(prefix) :]
        is_marker = _is_marker(entry)
        parts = relative.rstrip("/").split("/") if relative.strip("/") else []
        if not parts:
            continue  # the root's own marker
        directory = root
        for part in parts[:-1] if not is_marker else parts:
            child = f"{directory}/{part}"
            if child not in tree.children:
                tree.children[child] = []
                tree.children[directory].append(directory_info(child))
            directory = child
        if not is_marker:
            tree.children[directory].append(file_info(f"{root}/{relative}", entry))
    return tree


def walk_tree(
    tree: Tree, path: str, maxdepth: int | None, topdown: bool, detail: bool
) -> Iterator[tuple[str, Any, Any]]:
    """``os.walk``-style ``(directory, dirnames, filenames)`` over a tree, as fsspec's
    ``walk`` yields them (dicts of infos with ``detail``); top-down, a caller may prune
    ``dirnames`` in place."""
    dirs: dict[str, Info] = {}
    files: dict[str, Info] = {}
    for entry in tree.children.get(path, ()):
        base = entry["name"].rsplit("/", 1)[-1]
        (dirs if entry["type"] == "directory" else files)[base] = entry
    shown_dirs: Any = dirs if detail else list(dirs)
    shown_files: Any = files if detail else list(files)
    if topdown:
        yield path, shown_dirs, shown_files
    if maxdepth is None or maxdepth > 1:
        deeper = None if maxdepth is None else maxdepth - 1
        for base in list(shown_dirs):
            yield from walk_tree(tree, f"{path}/{base}", deeper, topdown, detail)
    if not topdown:
        yield path, shown_dirs, shown_files
