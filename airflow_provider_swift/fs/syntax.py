"""The ``swift://`` path syntax, declared to universal_pathlib as early as possible.

Swift paths have the shape of other object stores' (``swift://container/object``: the
container in the URL's netloc, like a bucket): the container is the path's anchor and
empty name parts (``a//b``) are kept, as for ``s3://`` and ``gs://``. universal_pathlib
has no public way to declare this: its flavour reads a class table,
``WrappedFileSystemFlavour.protocol_config`` (marked internal), once per protocol, on
the first path it parses -- and on Airflow 3.0, whose ObjectStoragePath never asks for
the ``swift`` path class, nothing of this provider may have been imported by then. So
the package's ``__init__`` declares it (any import of the provider, including Airflow's
providers manager reading its info), and :mod:`airflow_provider_swift.fs.upath` again,
strictly. Adding to that table is the one write into universal_pathlib's state; the
range below pins the releases that have it.

This module imports nothing of the provider: the package's ``__init__`` calls it.
"""

from __future__ import annotations

#: The URL scheme of Swift paths.
PROTOCOL = "swift"

#: The universal_pathlib releases this syntax declaration (and ``fs/upath.py``) is
#: written and tested for; pyproject.toml declares the same range.
UPATH_RANGE = ">=0.2.6,<0.4"

_SYNTAX = ("netloc_is_anchor", "supports_empty_parts")


def declare_path_syntax(*, strict: bool) -> None:
    """Tell universal_pathlib that ``swift://`` paths have cloud path syntax.

    A flavour already made for ``swift`` (a path parsed before this ran) is dropped
    from universal_pathlib's cache, so the next use of any swift path reads the right
    one. Without universal_pathlib installed there is nothing to declare.

    :param strict: raise ImportError, naming what to change, when universal_pathlib's
        table is not what this code is written for (else leave it alone).
    """
    try:
        from upath._flavour import WrappedFileSystemFlavour
    except ImportError:
        if strict:
            raise
        return
    config = getattr(WrappedFileSystemFlavour, "protocol_config", None)
    if not isinstance(config, dict) or not all(isinstance(config.get(key), set) for key in _SYNTAX):
        if not strict:
            return
        raise ImportError(
            "universal_pathlib changed how a protocol declares its path syntax "
            "(WrappedFileSystemFlavour.protocol_config with the sets "
            f"{', '.join(_SYNTAX)}); airflow_provider_swift is written for "
            f"universal-pathlib{UPATH_RANGE}: install a release in that range, or port "
            "airflow_provider_swift/fs/syntax.py to the new release's way"
        )
    if all(PROTOCOL in config[key] for key in _SYNTAX):
        return
    for key in _SYNTAX:
        config[key].add(PROTOCOL)
    cache_clear = getattr(WrappedFileSystemFlavour.from_protocol, "cache_clear", None)
    if cache_clear is not None:
        cache_clear()
