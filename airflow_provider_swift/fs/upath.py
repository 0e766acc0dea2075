"""universal_pathlib's class for ``swift://`` paths (registered by entry point).

Swift paths have the shape of other object stores' (``swift://container/object``:
the container in the URL's netloc, like a bucket), so they follow universal_pathlib's
cloud path rules, as ``s3://`` and ``gs://`` do: the container is the path's anchor,
``swift://container/`` is the container itself, empty name parts (``a//b``) are
kept, and ``mkdir`` without ``exist_ok`` refuses an existing directory.
Registering it keeps universal_pathlib from falling back to its untested generic
class (and from warning that it does).
"""

from __future__ import annotations

import fsspec
from upath._flavour import WrappedFileSystemFlavour
from upath.implementations.cloud import CloudPath

from airflow_provider_swift.fs.paths import PROTOCOL
from airflow_provider_swift.fs.swift import SwiftFileSystem

# universal_pathlib derives a protocol's path syntax from its fsspec class and these
# sets; it reads them once per protocol, on the first path -- after this import.
WrappedFileSystemFlavour.protocol_config["netloc_is_anchor"].add(PROTOCOL)
WrappedFileSystemFlavour.protocol_config["supports_empty_parts"].add(PROTOCOL)
fsspec.register_implementation(PROTOCOL, SwiftFileSystem, clobber=True)


class SwiftPath(CloudPath):
    """A ``swift://container/object`` path (Airflow's ObjectStoragePath wraps one)."""

    __slots__ = ()
