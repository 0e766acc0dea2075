"""universal_pathlib's class for ``swift://`` paths (registered by entry point).

Swift paths have the shape of other object stores' (``swift://container/object``:
the container in the URL's netloc, like a bucket), so they follow universal_pathlib's
cloud path rules, as ``s3://`` and ``gs://`` do: the container is the path's anchor,
``swift://container/`` is the container itself, empty name parts (``a//b``) are
kept, and ``mkdir`` without ``exist_ok`` refuses an existing directory.
Registering it keeps universal_pathlib from falling back to its untested generic
class (and from warning that it does).

``mkdir`` keeps pathlib's promise that the directory exists afterwards: a pseudo-
directory with nothing under it gets a zero-byte marker object ``name/`` (what
Airflow's ``ObjectStoragePath.copy`` relies on to copy a tree into a new directory).
The filesystem lists a marker as its directory, never as a file.
"""

from __future__ import annotations

import fsspec
from upath.implementations.cloud import CloudPath

from airflow_provider_swift.fs.paths import split, strip_protocol
from airflow_provider_swift.fs.swift import SwiftFileSystem
from airflow_provider_swift.fs.syntax import PROTOCOL, declare_path_syntax

declare_path_syntax(strict=True)
fsspec.register_implementation(PROTOCOL, SwiftFileSystem, clobber=True)


class SwiftPath(CloudPath):
    """A ``swift://container/object`` path (Airflow's ObjectStoragePath wraps one)."""

    __slots__ = ()

    def mkdir(
        self,
        mode: int = 0o777,
        parents: bool = False,
        exist_ok: bool = False,
        *,
        parent_mode: int | None = None,
    ) -> None:
        """Create the container, or mark a pseudo-directory so that it exists.

        Takes every argument of ``UPath.mkdir``; ``mode`` and ``parent_mode`` mean
        nothing to Swift (as for every object store), and only releases that know
        ``parent_mode`` (universal_pathlib 0.3.11 and later) are passed it.
        """
        if parent_mode is None:
            super().mkdir(mode=mode, parents=parents, exist_ok=exist_ok)
        else:
            super().mkdir(mode=mode, parents=parents, exist_ok=exist_ok, parent_mode=parent_mode)
        fs = self.fs
        if not isinstance(fs, SwiftFileSystem) or not split(strip_protocol(self.path))[1]:
            return
        try:
            kind = fs.info(self.path)["type"]
        except FileNotFoundError:
            kind = None
        if kind == "file":
            raise FileExistsError(str(self))
        if kind is None:
            fs.put_directory_marker(self.path)
