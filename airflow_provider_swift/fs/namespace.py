"""The namespace as a filesystem sees it: listings, ``info``, and the directory cache.

Directories are Swift's pseudo-directories. One level (``ls``) is one ``delimiter=/``
listing; a subtree (``find``, ``walk``, ``glob``, ``du``) is one flat listing of its
prefix, whose every pseudo-directory goes into fsspec's directory cache. ``info``
answers from cached listings when they say, else with a HEAD -- and, for a name that
is no object, a one-entry listing of ``name/``.
"""

from __future__ import annotations

import contextlib
import errno

from fsspec.dircache import DirCache

from airflow_provider_swift.client import SwiftClient
from airflow_provider_swift.client.transfers.local_names import is_directory_marker
from airflow_provider_swift.fs.listing import (
    Info,
    Tree,
    build_tree,
    delimited_entries,
    directory_info,
    file_info_from_headers,
    iter_flat_listing,
    listing_limit,
)
from airflow_provider_swift.fs.paths import ancestors, as_os_errors, parent, split, strip_protocol


class Namespace:
    """Listings and infos of one account, cached in ``dircache``."""

    def __init__(self, client: SwiftClient, dircache: DirCache) -> None:
        self.client = client
        self.dircache = dircache
        self.containers: set[str] = set()  # containers known to exist
        self._limit: int | None = None

    def invalidate(self, path: str | None = None) -> None:
        """Forget listings that a write at ``path`` may have changed: its own, those
        below it (a replaced or deleted tree) and those above it (a pseudo-directory
        appears or vanishes with its first or last object)."""
        if path is None:
            self.dircache.clear()
        else:
            path = strip_protocol(path)
            for key in list(self.dircache):
                if key == path or key.startswith(path + "/"):
                    self.dircache.pop(key, None)
            for above in ancestors(path):
                self.dircache.pop(above, None)
            if "/" not in path:  # a container came or went
                self.dircache.pop("", None)

    def entries_from_parent(self, path: str) -> list[Info] | None:
        """The cached entries named ``path`` in its parent's listing: None when that
        listing is not cached, ``[]`` when it is and ``path`` is not in it."""
        try:
            listing = self.dircache[parent(path)]
        except KeyError:
            return None
        return [entry for entry in listing if entry["name"] == path]

    def cached_kinds(self, path: str) -> set[str]:
        """``file`` and/or ``directory``, as far as cached listings say."""
        kinds = {entry["type"] for entry in self.entries_from_parent(path) or ()}
        with contextlib.suppress(KeyError):
            self.dircache[path]
            kinds.add("directory")
        return kinds

    def info_from_cache(self, path: str) -> Info | None:
        """``path``'s info from cached listings, or None when they do not say.

        A listed object of 0 bytes may be a DLO manifest (listed with its own size,
        not its data's), so its size is asked of the object itself.
        """
        entries = self.entries_from_parent(path)
        if entries is None:
            with contextlib.suppress(KeyError):
                self.dircache[path]
                return directory_info(path)
            return None
        if not entries:
            raise FileNotFoundError(errno.ENOENT, "not in the cached listing", path)
        for entry in entries:
            if entry["type"] == "file":
                return entry if entry["size"] else None
        return entries[0]

    def ls(self, path: str, refresh: bool = False) -> list[Info]:
        """One level: containers at the root, else one ``delimiter=/`` listing."""
        path = strip_protocol(path)
        entries: list[Info] | None = None
        if not refresh:
            with contextlib.suppress(KeyError):
                entries = self.dircache[path]
            if entries is None and path:
                cached = self.entries_from_parent(path)
                if cached == []:
                    raise FileNotFoundError(errno.ENOENT, "not in the cached listing", path)
                if cached and all(entry["type"] == "file" for entry in cached):
                    entries = cached  # a file lists as itself
        if entries is None:
            entries = self._list_level(path)
        return entries

    def _list_level(self, path: str) -> list[Info]:
        if not path:
            entries = [directory_info(c["name"]) for c in self.client.iter_containers()]
            self.containers.update(entry["name"] for entry in entries)
            self.dircache[""] = entries
            return entries
        container, name = split(path)
        prefix = f"{name}/" if name else ""
        with as_os_errors(path):
            raw = list(self.client.iter_objects(container, prefix=prefix or None, delimiter="/"))
        if raw or not name:
            entries = delimited_entries(container, raw, prefix)
            self.dircache[path] = entries
            return entries
        headers = self.object_headers(path)
        if headers is None:
            raise FileNotFoundError(errno.ENOENT, "no such object or pseudo-directory", path)
        return [file_info_from_headers(path, headers)]

    def object_headers(self, path: str) -> dict[str, str] | None:
        """An object's HEAD headers, or None if there is no object by that name."""
        container, name = split(strip_protocol(path))
        if not name:
            return None
        with as_os_errors(path):
            return self.client.head_or_none(container, name)

    def info(self, path: str, refresh: bool = False) -> Info:
        """From cached listings when they say; else a HEAD, and for a name that is no
        object, a one-entry listing of ``name/`` (a pseudo-directory)."""
        path = strip_protocol(path)
        if not path:
            return directory_info("")
        if not refresh:
            cached = self.info_from_cache(path)
            if cached is not None:
                return cached
        container, name = split(path)
        if not name:
            with as_os_errors(path):
                self.client.head_container(container)
            self.containers.add(container)
            return directory_info(container)
        headers = self.object_headers(path)
        if headers is not None:
            size, kind = int(headers.get("content-length", 0)), headers.get("content-type")
            if is_directory_marker(name, size, kind):  # another tool's directory
                return directory_info(path)
            return file_info_from_headers(path, headers)
        with as_os_errors(path):
            below = self.client.iter_objects(container, prefix=f"{name}/", page_size=1)
            first = next(iter(below), None)
        if first is None:
            raise FileNotFoundError(errno.ENOENT, "no such object or pseudo-directory", path)
        return directory_info(path)

    def tree(self, path: str) -> Tree | None:
        """Everything under ``path`` from one flat listing (cached as directories), or
        None when nothing is there (no container, or no object under the prefix)."""
        container, name = split(path)
        prefix = f"{name}/" if name else ""
        if self._limit is None:
            self._limit = listing_limit(self.client)
        try:
            with as_os_errors(path):
                entries = list(iter_flat_listing(self.client, container, prefix, limit=self._limit))
        except FileNotFoundError:
            return None
        if not entries and name:
            return None
        tree = build_tree(path, prefix, entries)
        for directory, items in tree.children.items():
            self.dircache[directory] = items
        return tree

    def below(self, path: str, maxdepth: int | None) -> tuple[list[Info], bool]:
        """Entries below ``path`` within ``maxdepth``, and whether ``path`` is a directory.

        One level is one delimited listing; deeper, one flat listing of the whole
        prefix (its pages hold every name, whatever the depth).
        """
        if maxdepth == 1:
            try:
                entries = self.ls(path)
            except FileNotFoundError:
                return [], False
            if entries and all(entry["name"] == path for entry in entries):
                return [], False  # a file lists as itself
            return entries, True
        tree = self.tree(path)
        if tree is None:
            return [], False
        below = [
            entry
            for entry in tree.entries()
            if maxdepth is None or tree.depth(entry["name"]) <= maxdepth
        ]
        return below, True

    def find(self, path: str, maxdepth: int | None, withdirs: bool) -> dict[str, Info]:
        """Files (and with ``withdirs``, directories, ``path`` included) below ``path``."""
        out: dict[str, Info] = {}
        if not path:
            for container in self.ls(""):
                name = container["name"]
                if withdirs:
                    out[name] = container
                if maxdepth is None or maxdepth > 1:
                    out.update(
                        self.find(name, None if maxdepth is None else maxdepth - 1, withdirs)
                    )
            return out
        below, is_dir = self.below(path, maxdepth)
        if withdirs and is_dir:
            out[path] = directory_info(path)
        for entry in below:
            if entry["type"] == "directory" and not withdirs:
                continue
            if entry["type"] == "file" or entry["name"] not in out:
                out[entry["name"]] = entry  # an object wins over a same-named directory
        if not out and not is_dir:
            with contextlib.suppress(FileNotFoundError):
                found = self.info(path)
                if found["type"] == "file":
                    out[path] = found
        return out

    def container_exists(self, container: str) -> bool:
        """Whether the container exists (remembered once seen)."""
        if container in self.containers:
            return True
        try:
            with as_os_errors(container):
                self.client.head_container(container)
        except FileNotFoundError:
            return False
        self.containers.add(container)
        return True
