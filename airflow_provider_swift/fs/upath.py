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
from upath._flavour import WrappedFileSystemFlavour
from upath.implementations.cloud import CloudPath

from airflow_provider_swift.fs.paths import PROTOCOL, split, strip_protocol
from airflow_provider_swift.fs.swift import SwiftFileSystem

# universal_pathlib derives a protocol's path syntax from its fsspec class and these
# sets; it reads them once per protocol, on the first path -- after this import.
WrappedFileSystemFlavour.protocol_config["netloc_is_anchor"].add(PROTOCOL)
WrappedFileSystemFlavour.protocol_config["supports_empty_parts"].add(PROTOCOL)
fsspec.register_implementation(PROTOCOL, SwiftFileSystem, clobber=True)


class SwiftPath(CloudPath):
    """A ``swift://container/object`` path (Airflow's ObjectStoragePath wraps one)."""

    __slots__ = ()

    def mkdir(self, mode: int = 0o777, parents: bool = False, exist_ok: bool = False) -> None:
        """Create the container, or mark a pseudo-directory so that it exists."""
        super().mkdir(mode=mode, parents=parents, exist_ok=exist_ok)
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
