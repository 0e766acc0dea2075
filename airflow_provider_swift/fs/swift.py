"""``swift://`` for Airflow's ObjectStoragePath: an fsspec filesystem over the client.

    ObjectStoragePath("swift://swift_default@reports/2026/11/28/extract.csv")

Paths are ``container/object``. Directories are pseudo-directories (name prefixes up
to a ``/``): one exists while an object is under it. ``mkdir`` of a container
creates it. Each operation goes to the client's own path for it: ``get_file`` is a
verified download into a temporary file renamed on success, ``put_file`` the
segmented, resumable ``upload_file``, ``rm`` a bulk delete that takes large objects'
segments along, ``cp_file`` a server-side copy, ``mv`` of one object a server-side
move, ``cat_file`` one verified GET (or a ranged one), ``pipe_file`` one PUT, and
``open(..., "xb")`` / ``mode="create"`` a create-only PUT (``If-None-Match: *``).

``find``, ``walk``, ``glob`` and ``du`` read one flat listing of the prefix (paged);
the pseudo-directories found are kept in a directory cache, which this filesystem's
own writes invalidate, so ``info``/``isdir``/``ls`` answered from it send nothing.

Large-object settings -- ``segment_size``, ``large_object`` (``slo``/``dlo``) and
``segment_threads`` -- and the cache's ``listings_expiry_time`` are read from the
connection's extras (Airflow 3's ObjectStoragePath passes no storage options to
``get_fs``); constructor arguments win over them.
"""

from __future__ import annotations

import errno
import io
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fsspec import AbstractFileSystem
from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from fsspec.utils import isfilelike

from airflow_provider_swift.client import (
    SwiftClient,
    SwiftConflictError,
    SwiftLocalNameError,
    SwiftNameCollisionError,
    SwiftNotFoundError,
)
from airflow_provider_swift.client.base.options import LargeObjectKind
from airflow_provider_swift.client.transfers.local_names import Entry, check_layout, relative_parts
from airflow_provider_swift.fs.files import READ_BLOCK, Spool, SwiftFile
from airflow_provider_swift.fs.listing import Info, walk_tree
from airflow_provider_swift.fs.namespace import Namespace
from airflow_provider_swift.fs.paths import as_os_errors, parent, split, strip_protocol
from airflow_provider_swift.fs.syntax import PROTOCOL

log = logging.getLogger(__name__)

schemes = [PROTOCOL]

#: Connection extras that tune the directory cache (see fsspec's ``DirCache``).
CACHE_EXTRAS = ("use_listings_cache", "listings_expiry_time")


def get_fs(conn_id: str | None, storage_options: dict[str, Any] | None = None) -> SwiftFileSystem:
    """The filesystem for a connection (Airflow calls this for ``swift://`` paths)."""
    return SwiftFileSystem(conn_id=conn_id, **(storage_options or {}))


class SwiftFileSystem(AbstractFileSystem):  # type: ignore[misc]
    """fsspec filesystem for one Swift account."""

    protocol = PROTOCOL
    root_marker = ""
    cachable = False

    def __init__(
        self,
        client: SwiftClient | None = None,
        *,
        conn_id: str | None = None,
        segment_size: int | None = None,
        large_object: LargeObjectKind = "slo",
        segment_threads: int = 4,
        follow_symlinks: bool = False,
        **kwargs: Any,
    ) -> None:
        extra: dict[str, Any] = {}
        if client is None:
            from airflow_provider_swift.hooks.swift import SwiftHook

            hook = SwiftHook(conn_id or SwiftHook.default_conn_name)
            client = hook.get_conn()
            extra = hook.get_connection(hook.swift_conn_id).extra_dejson
        for key in CACHE_EXTRAS:
            if key in extra and key not in kwargs:
                kwargs[key] = extra[key]
        super().__init__(**kwargs)
        self.client = client
        configured = extra.get("segment_size")
        self.segment_size = segment_size or (int(configured) if configured else None)
        self.large_object: LargeObjectKind = extra.get("large_object") or large_object
        self.segment_threads = int(extra.get("segment_threads") or segment_threads)
        #: follow local symbolic links inside a tree that ``put`` uploads (see :meth:`put`)
        self.follow_symlinks = follow_symlinks
        self.namespace = Namespace(client, self.dircache)

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [strip_protocol(p) for p in path]
        return strip_protocol(path)

    @classmethod
    def _parent(cls, path: str) -> str:
        return parent(strip_protocol(path))

    @staticmethod
    def split(path: str) -> tuple[str, str]:
        """``container/a/b`` -> ``("container", "a/b")``."""
        return split(path)

    # -- reading the namespace (see :mod:`.namespace`) ----------------------------------

    def invalidate_cache(self, path: str | None = None) -> None:
        """Forget listings that a write at ``path`` may have changed."""
        self.namespace.invalidate(path)
        super().invalidate_cache(path)

    def ls(self, path: str, detail: bool = True, refresh: bool = False, **kwargs: Any) -> list[Any]:
        """One level: containers at the root, else one ``delimiter=/`` listing."""
        entries = self.namespace.ls(strip_protocol(path), refresh=refresh)
        return entries if detail else [entry["name"] for entry in entries]

    def info(self, path: str, refresh: bool = False, **kwargs: Any) -> Info:
        """From cached listings when they say, else a HEAD (see :mod:`.namespace`)."""
        return self.namespace.info(strip_protocol(path), refresh=refresh)

    def object_headers(self, path: str) -> dict[str, str] | None:
        """An object's HEAD headers, or None if there is no object by that name."""
        return self.namespace.object_headers(strip_protocol(path))

    def modified(self, path: str) -> datetime:
        """When the object was last written."""
        mtime = self.info(path).get("mtime")
        if mtime is None:
            raise IsADirectoryError(errno.EISDIR, "pseudo-directories have no time", path)
        return datetime.fromtimestamp(mtime, tz=UTC)

    def ukey(self, path: str) -> str:
        """The object's ETag: it changes whenever its content does."""
        return str(self.info(path).get("etag"))

    def find(
        self,
        path: str,
        maxdepth: int | None = None,
        withdirs: bool = False,
        detail: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Files (and with ``withdirs``, directories, ``path`` included) below ``path``,
        from one flat listing (one ``delimiter=/`` listing when ``maxdepth`` is 1)."""
        if maxdepth is not None and maxdepth < 1:
            raise ValueError("maxdepth must be at least 1")
        out = self.namespace.find(strip_protocol(path), maxdepth, withdirs)
        names = sorted(out)
        return {name: out[name] for name in names} if detail else names

    def walk(
        self,
        path: str,
        maxdepth: int | None = None,
        topdown: bool = True,
        on_error: str = "omit",
        **kwargs: Any,
    ) -> Iterator[Any]:
        """``os.walk`` over pseudo-directories, from one flat listing of ``path``."""
        if maxdepth is not None and maxdepth < 1:
            raise ValueError("maxdepth must be at least 1")
        path = strip_protocol(path)
        detail = kwargs.pop("detail", False)
        tree = self.namespace.tree(path) if path and maxdepth != 1 else None
        if tree is None:  # the account, one level, a file or nothing: fsspec's own walk
            yield from super().walk(
                path,
                maxdepth=maxdepth,
                topdown=topdown,
                on_error=on_error,
                detail=detail,
                **kwargs,
            )
            return
        yield from walk_tree(tree, path, maxdepth, topdown, detail)

    def du(
        self,
        path: str,
        total: bool = True,
        maxdepth: int | None = None,
        withdirs: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Bytes below ``path``, from the listing (a DLO counts as its 0-byte manifest)."""
        found = self.find(path, maxdepth=maxdepth, withdirs=withdirs, detail=True)
        sizes = {name: int(entry.get("size") or 0) for name, entry in found.items()}
        return sum(sizes.values()) if total else sizes

    # -- reading objects ------------------------------------------------------------

    def cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        """The whole object in one verified GET, or a range of it in one ranged GET."""
        path = strip_protocol(path)
        container, name = split(path)
        if not name:
            raise IsADirectoryError(errno.EISDIR, "a container is not a file", path)
        with as_os_errors(path):
            if not start and end is None:
                return self.client.get_object(container, name)[1]
            if end is None or end < 0 or (start or 0) < 0:
                size = int(self.info(path)["size"])
                start = max(0, size + start) if start is not None and start < 0 else start
                end = size if end is None else (size + end if end < 0 else end)
            return self.client.get_range(container, name, start or 0, end)

    def get(
        self,
        rpath: Any,
        lpath: Any,
        recursive: bool = False,
        callback: Callback = DEFAULT_CALLBACK,
        maxdepth: int | None = None,
        **kwargs: Any,
    ) -> None:
        """fsspec's ``get`` (the same paths, the same names), with every object name
        checked before the first byte is written: a name whose local path would not be
        its own (an empty or ``.`` part, as in ``a//b``) is a
        :class:`SwiftLocalNameError`, and two names that would land on one local path,
        or on a path that is a file and a directory at once, a
        :class:`SwiftNameCollisionError` naming both."""
        planner = _Planner(self)
        AbstractFileSystem.get(
            planner, rpath, lpath, recursive=recursive, maxdepth=maxdepth, **kwargs
        )
        taken: dict[str, str] = {}
        layout: list[Entry] = []
        for remote, _ in planner.gets:
            name = split(strip_protocol(remote))[1]
            if name:  # a container's own entry has no name
                relative_parts(name)  # refuses a//b, ./x, ..
        for remote, local in planner.gets:
            name = split(strip_protocol(remote))[1]
            where = os.path.normpath(os.path.abspath(local))
            if where in taken:
                raise SwiftNameCollisionError(
                    f"objects {taken[where]!r} and {remote!r} would both be written to "
                    f"{where!r}; nothing was written"
                )
            taken[where] = remote
            is_dir = not name or self.namespace.cached_kinds(remote) == {"directory"}
            layout.append(Entry(os.path.relpath(where, os.sep), is_dir))
        check_layout(layout)
        if planner.gets:
            AbstractFileSystem.get(
                self,
                [r for r, _ in planner.gets],
                [loc for _, loc in planner.gets],
                callback=callback,
                **kwargs,
            )

    def get_file(
        self,
        rpath: str,
        lpath: Any,
        callback: Callback = DEFAULT_CALLBACK,
        outfile: Any = None,
        **kwargs: Any,
    ) -> None:
        """Download verified into a temporary file beside ``lpath``, renamed on success."""
        if outfile is not None or isfilelike(lpath):
            super().get_file(rpath, lpath, callback=callback, outfile=outfile, **kwargs)
            return
        rpath = strip_protocol(rpath)
        container, name = split(rpath)
        local = os.fspath(lpath)
        if not name or self.namespace.cached_kinds(rpath) == {"directory"}:
            os.makedirs(local, exist_ok=True)
            return
        os.makedirs(os.path.dirname(os.path.abspath(local)), exist_ok=True)
        try:
            result = self.client.download_object(
                container, name, local, segment_threads=self.segment_threads
            )
        except SwiftNotFoundError:
            if self.isdir(rpath):
                os.makedirs(local, exist_ok=True)
                return
            raise FileNotFoundError(errno.ENOENT, "no such object", rpath) from None
        callback.set_size(result.bytes)
        callback.relative_update(result.bytes)

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SwiftFile:
        return SwiftFile(
            self,
            strip_protocol(path),
            mode,
            block_size=block_size or READ_BLOCK,
            autocommit=autocommit,
            cache_options=cache_options,
            **kwargs,
        )

    # -- writing ------------------------------------------------------------------------

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Create the container; deeper pseudo-directories need nothing (they appear
        with their first object)."""
        container, name = split(strip_protocol(path))
        if not container or (name and not create_parents):
            return
        if not self.namespace.container_exists(container):
            with as_os_errors(container):
                self.client.put_container(container)
            self.namespace.containers.add(container)
            self.invalidate_cache(container)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        path = strip_protocol(path)
        container, name = split(path)
        if container and not name and self.namespace.container_exists(container) and not exist_ok:
            raise FileExistsError(errno.EEXIST, "container exists", path)
        self.mkdir(path, create_parents=True)

    def put_directory_marker(self, path: str) -> None:
        """Store a zero-byte ``name/`` object: the pseudo-directory then exists with
        nothing under it (listings show it as the directory; ``rm -r`` removes it)."""
        path = strip_protocol(path)
        container, name = split(path)
        if not name:
            return
        self.mkdir(container)
        with as_os_errors(path):
            self.client.put_object(container, f"{name}/", b"")
        self.invalidate_cache(path)

    def rmdir(self, path: str) -> None:
        """Delete an empty container; pseudo-directories vanish with their last object."""
        path = strip_protocol(path)
        container, name = split(path)
        if container and not name:
            try:
                with as_os_errors(path):
                    self.client.delete_container(container)
            except SwiftConflictError:
                raise OSError(errno.ENOTEMPTY, "container is not empty", path) from None
            self.namespace.containers.discard(container)
            self.invalidate_cache(container)

    def _put_bytes(self, path: str, data: bytes, *, create_only: bool) -> None:
        """Store ``data`` at ``path``: one PUT, or a large object past the segment size;
        a replaced large object's segments go. Create-only is the client's
        ``if_exists="fail"``: refused when the object exists, ``If-None-Match: *`` on the
        PUT, and the stored object checked afterwards -- which also holds on servers
        that ignore ``If-None-Match`` (RGW, docs/compatibility.md row F8)."""
        container, name = split(path)
        if not name:
            raise IsADirectoryError(errno.EISDIR, "a container is not a file", path)
        with as_os_errors(path, exists_error=True):
            self.client.upload_stream(
                container,
                name,
                io.BytesIO(data),
                segment_size=self.segment_size,
                large_object=self.large_object,
                segment_threads=self.segment_threads,
                if_exists="fail" if create_only else "replace",
            )
        self.invalidate_cache(path)

    def upload_spool(self, path: str, spool: Spool, *, create_only: bool) -> None:
        """Upload what an open file wrote (see :mod:`.files`)."""
        data = spool.in_memory
        if data is not None:
            self._put_bytes(path, data, create_only=create_only)
            return
        self._upload_file(path, spool.path(), create_only=create_only)

    def _upload_file(self, path: str, local: str, *, create_only: bool) -> None:
        container, name = split(path)
        if not name:
            raise IsADirectoryError(errno.EISDIR, "a container is not a file", path)
        with as_os_errors(path, exists_error=True):
            self.client.upload_file(
                container,
                name,
                local,
                segment_size=self.segment_size,
                large_object=self.large_object,
                segment_threads=self.segment_threads,
                if_exists="fail" if create_only else "replace",
            )
        self.invalidate_cache(path)

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        """Store bytes; ``mode="create"`` refuses an existing object (FileExistsError)."""
        self._put_bytes(strip_protocol(path), bytes(value), create_only=mode == "create")

    def touch(self, path: str, truncate: bool = True, **kwargs: Any) -> None:
        if not truncate and self.exists(path):
            raise NotImplementedError("Swift cannot touch an object without rewriting it")
        self.pipe_file(path, b"")

    def put(
        self,
        lpath: Any,
        rpath: Any,
        recursive: bool = False,
        callback: Callback = DEFAULT_CALLBACK,
        maxdepth: int | None = None,
        **kwargs: Any,
    ) -> None:
        """fsspec's ``put`` (the same paths, the same names), with the provider's rule
        for local symbolic links inside a tree or glob: left out and logged unless the
        filesystem was made with ``follow_symlinks=True``; then followed while they
        stay inside the tree, and a link leaving it, or looping back, fails the put
        (after the other files) naming each. A file named explicitly is taken as is."""
        planner = _Planner(self)
        AbstractFileSystem.put(
            planner, lpath, rpath, recursive=recursive, maxdepth=maxdepth, **kwargs
        )
        roots = [_literal_root(p) for p in ([lpath] if isinstance(lpath, str) else lpath)]
        kept: list[tuple[str, str]] = []
        refused: list[str] = []
        for local, remote in planner.pairs:
            why = link_rule(local, roots, follow=self.follow_symlinks)
            if why is None:
                kept.append((local, remote))
            elif why.startswith("symbolic link (follow_symlinks=False)"):
                log.warning("Not uploaded: %s (%s)", local, why)
            else:
                refused.append(f"{local}: {why}")
        if kept:
            AbstractFileSystem.put(
                self, [k for k, _ in kept], [r for _, r in kept], callback=callback, **kwargs
            )
        if refused:
            raise SwiftLocalNameError(
                f"{len(refused)} local files were not uploaded: {'; '.join(refused[:5])}"
            )

    def put_file(
        self,
        lpath: str,
        rpath: str,
        callback: Callback = DEFAULT_CALLBACK,
        mode: str = "overwrite",
        **kwargs: Any,
    ) -> None:
        """Upload with the client's ``upload_file``: one PUT, or parallel segments of a
        large object past the segment size (resumable)."""
        if os.path.isdir(lpath):
            self.makedirs(rpath, exist_ok=True)
            return
        size = os.path.getsize(lpath)
        callback.set_size(size)
        self._upload_file(strip_protocol(rpath), os.fspath(lpath), create_only=mode == "create")
        callback.relative_update(size)

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Server-side copy: no bytes pass through this process."""
        source, target = strip_protocol(path1), strip_protocol(path2)
        if self.namespace.cached_kinds(source) == {"directory"}:
            return  # a pseudo-directory is copied through the objects under it
        source_container, source_name = split(source)
        if not source_name:
            return
        target_container, target_name = split(target)
        with as_os_errors(source):
            self.client.copy_object(
                source_container,
                source_name,
                target_container,
                target_name,
                segment_threads=self.segment_threads,
            )
        self.invalidate_cache(target)

    def mv(
        self,
        path1: Any,
        path2: Any,
        recursive: bool = False,
        maxdepth: int | None = None,
        **kwargs: Any,
    ) -> None:
        """One object to a new name: a server-side move (copy, then delete the source
        only if it is still the version copied). Anything else: copy, then ``rm``."""
        if isinstance(path1, str) and isinstance(path2, str) and not path2.endswith("/"):
            source, target = strip_protocol(path1), strip_protocol(path2)
            if source == target:
                return
            if (
                split(source)[1]
                and split(target)[1]
                and self.object_headers(source) is not None
                and not (recursive and self.isdir(source))
                and not self.isdir(target)
            ):
                with as_os_errors(source):
                    self.client.move_object(
                        *split(source), *split(target), segment_threads=self.segment_threads
                    )
                self.invalidate_cache(source)
                self.invalidate_cache(target)
                return
        super().mv(path1, path2, recursive=recursive, maxdepth=maxdepth, **kwargs)

    def rm_file(self, path: str) -> None:
        """Delete one object (a large object's segments too)."""
        path = strip_protocol(path)
        container, name = split(path)
        with as_os_errors(path):
            self.client.delete_object_with_segments(container, name)
        self.invalidate_cache(path)

    def _rm(self, path: str) -> None:
        self.rm_file(path)

    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        """Delete objects (bulk delete, segments of large objects included); with
        ``recursive``, everything under pseudo-directories, and a container named
        itself is deleted too once empty."""
        paths = self.expand_path(path, recursive=recursive, maxdepth=maxdepth)
        names: dict[str, list[str]] = {}
        for found in paths:
            container, name = split(found)
            if not name:
                continue
            kinds = self.namespace.cached_kinds(found)
            wanted = names.setdefault(container, [])
            if "file" in kinds or not kinds or recursive:
                wanted.append(name)
            if recursive and "directory" in kinds:
                wanted.append(f"{name}/")  # a directory marker object, if one was made
        deleted = not_found = 0
        for container, doomed in names.items():
            with as_os_errors(container):
                result = self.client.delete_objects_with_segments(container, doomed)
            result.raise_for_errors()
            deleted += result.deleted
            not_found += result.not_found
        given = [strip_protocol(p) for p in (path if isinstance(path, list) else [path])]
        for root in given:
            self.invalidate_cache(root)
        if not recursive and not_found and not deleted:
            raise FileNotFoundError(errno.ENOENT, "no such object", ", ".join(given))
        if recursive:
            for root in given:
                if root and "/" not in root and root in paths:
                    self.rmdir(root)


class _Planner:
    """The filesystem as fsspec's ``put`` and ``get`` see it, recording the pairs of
    paths they would transfer instead of transferring them."""

    def __init__(self, fs: SwiftFileSystem) -> None:
        self._fs = fs
        self.pairs: list[tuple[str, str]] = []
        self.gets: list[tuple[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fs, name)

    def put_file(self, lpath: str, rpath: str, **kwargs: Any) -> None:
        self.pairs.append((lpath, rpath))

    def get_file(self, rpath: str, lpath: str, **kwargs: Any) -> None:
        self.gets.append((rpath, lpath))


def _literal_root(source: Any) -> str:
    """The part of a put's source before any glob character: the tree it names."""
    text = str(os.fspath(source))
    cut = min((text.index(ch) for ch in "*?[" if ch in text), default=len(text))
    return text[:cut] if cut == len(text) else os.path.dirname(text[:cut])


def link_rule(path: str, roots: list[str], *, follow: bool) -> str | None:
    """Why ``path`` (found under one of ``roots``) is not uploaded as is, or None.

    A path with no symbolic link between its root and itself is fine; with one, it is
    left out unless ``follow``; followed, it must resolve inside the root and not
    loop back to a directory it came through."""
    for root in roots:
        base = os.path.abspath(root)
        here = os.path.abspath(path)
        if here != base and not here.startswith(base.rstrip(os.sep) + os.sep):
            continue
        step, links = base, []
        for part in os.path.relpath(here, base).split(os.sep) if here != base else []:
            step = os.path.join(step, part)
            if os.path.islink(step):
                links.append(step)
        if not links:
            return None
        if not follow:
            return "symbolic link (follow_symlinks=False)"
        top = os.path.realpath(base)
        for link in links:
            target = os.path.realpath(link)
            if target != top and not target.startswith(top + os.sep):
                return f"symbolic link {link} points outside the tree"
            where = os.path.realpath(os.path.dirname(link))
            if where == target or where.startswith(target + os.sep):
                return f"symbolic link {link} loops back to {target}"
        return None
    return None  # named explicitly
