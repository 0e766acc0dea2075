"""``swift://`` for Airflow's ObjectStoragePath: an fsspec filesystem over the hook.

    ObjectStoragePath("swift://swift_default@reports/2026/11/28/extract.csv")

Paths are ``container/object``. Directories are pseudo-directories (name prefixes up
to a ``/``); ``mkdir`` of a container creates it. Files open for reading stream by
ranged GETs (fsspec caches read-ahead blocks); files open for writing are spooled
(to disk past 8 MiB) and uploaded on close -- as one PUT, or as a large object past
``segment_size``. ``copy`` is server-side; ``rm`` removes large objects' segments too.

Large-object settings -- ``segment_size``, ``large_object`` (``slo``/``dlo``) and
``threads`` -- are read from the connection's extras (Airflow 3's ObjectStoragePath
passes no storage options to ``get_fs``); constructor arguments win over them.
"""

from __future__ import annotations

import tempfile
from typing import Any

from fsspec import AbstractFileSystem
from fsspec.spec import AbstractBufferedFile

from airflow_provider_swift.client import SwiftClient, SwiftNotFoundError
from airflow_provider_swift.client.objects import strip_etag
from airflow_provider_swift.client.options import LargeObjectKind
from airflow_provider_swift.client.pieces import SPOOL_IN_MEMORY

schemes = ["swift"]


def get_fs(conn_id: str | None, storage_options: dict[str, Any] | None = None) -> SwiftFileSystem:
    """The filesystem for a connection (Airflow calls this for ``swift://`` paths)."""
    return SwiftFileSystem(conn_id=conn_id, **(storage_options or {}))


class SwiftFileSystem(AbstractFileSystem):  # type: ignore[misc]
    """fsspec filesystem for one Swift account."""

    protocol = "swift"
    root_marker = ""
    cachable = False

    def __init__(
        self,
        client: SwiftClient | None = None,
        *,
        conn_id: str | None = None,
        segment_size: int | None = None,
        large_object: LargeObjectKind = "slo",
        threads: int = 4,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        extra: dict[str, Any] = {}
        if client is None:
            from airflow_provider_swift.hooks.swift import SwiftHook

            hook = SwiftHook(conn_id or SwiftHook.default_conn_name)
            client = hook.get_conn()
            extra = hook.get_connection(hook.swift_conn_id).extra_dejson
        self.client = client
        configured = extra.get("segment_size")
        self.segment_size = segment_size or (int(configured) if configured else None)
        self.large_object: LargeObjectKind = extra.get("large_object") or large_object
        self.threads = int(extra.get("threads") or threads)

    @classmethod
    def _strip_protocol(cls, path: Any) -> str:
        text = str(path)
        if text.startswith("swift://"):
            text = text[len("swift://") :]
            head, _, rest = text.partition("/")
            if "@" in head:  # swift://conn_id@container/...
                text = head.split("@", 1)[1] + ("/" + rest if rest else "")
        return text.strip("/")

    @staticmethod
    def split(path: str) -> tuple[str, str]:
        container, _, name = path.partition("/")
        return container, name

    # -- reading the namespace -----------------------------------------------------

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        path = self._strip_protocol(path)
        if not path:
            entries = [
                {"name": c["name"], "size": 0, "type": "directory"}
                for c in self.client.iter_containers()
            ]
        else:
            container, name = self.split(path)
            prefix = f"{name}/" if name else ""
            try:
                listing = list(self.client.iter_objects(container, prefix=prefix, delimiter="/"))
            except SwiftNotFoundError:
                raise FileNotFoundError(path) from None
            entries = [self._entry(container, e) for e in listing]
            if not entries and name:
                entries = [self.info(path)]  # a file lists as itself
        return entries if detail else [e["name"] for e in entries]

    @staticmethod
    def _entry(container: str, entry: dict[str, Any]) -> dict[str, Any]:
        if "subdir" in entry:
            return {
                "name": f"{container}/{entry['subdir'].rstrip('/')}",
                "size": 0,
                "type": "directory",
            }
        return {
            "name": f"{container}/{entry['name']}",
            "size": int(entry["bytes"]),
            "type": "file",
            "etag": strip_etag(entry.get("slo_etag") or entry.get("hash")),
            "last_modified": entry.get("last_modified"),
            "content_type": entry.get("content_type"),
        }

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        path = self._strip_protocol(path)
        container, name = self.split(path)
        if not container:
            return {"name": "", "size": 0, "type": "directory"}
        if not name:
            try:
                self.client.head_container(container)
            except SwiftNotFoundError:
                raise FileNotFoundError(path) from None
            return {"name": container, "size": 0, "type": "directory"}
        try:
            headers = self.client.head_object(container, name)
            return {
                "name": path,
                "size": int(headers.get("content-length", 0)),
                "type": "file",
                "etag": strip_etag(headers.get("etag")),
                "last_modified": headers.get("last-modified"),
                "content_type": headers.get("content-type"),
            }
        except SwiftNotFoundError:
            pass
        try:
            first = next(iter(self.client.iter_objects(container, prefix=name + "/")), None)
        except SwiftNotFoundError:
            first = None
        if first is None:
            raise FileNotFoundError(path)
        return {"name": path, "size": 0, "type": "directory"}

    # -- changing it -------------------------------------------------------------------

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        container, name = self.split(self._strip_protocol(path))
        if container and not name:
            self.client.put_container(container)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        self.mkdir(path)

    def rm_file(self, path: str) -> None:
        container, name = self.split(self._strip_protocol(path))
        if not self.client.remove_object(container, name, missing_ok=True):
            raise FileNotFoundError(path)

    def _rm(self, path: str) -> None:
        self.rm_file(path)

    def rmdir(self, path: str) -> None:
        container, name = self.split(self._strip_protocol(path))
        if not name:
            self.client.delete_container(container)

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Server-side copy: no bytes pass through this process."""
        source = self.split(self._strip_protocol(path1))
        dest = self.split(self._strip_protocol(path2))
        self.client.copy_object(*source, *dest, threads=self.threads)

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
            self, self._strip_protocol(path), mode, block_size=block_size or 8 * 1024**2,
            cache_options=cache_options, **kwargs,
        )  # fmt: skip


class SwiftFile(AbstractBufferedFile):  # type: ignore[misc]
    """Reads by ranged GETs; writes to a spool uploaded (segmented if needed) on close."""

    fs: SwiftFileSystem

    def _fetch_range(self, start: int, end: int) -> bytes:
        container, name = self.fs.split(self.path)
        return self.fs.client.get_range(container, name, start, end)

    def _initiate_upload(self) -> None:
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115

    def _upload_chunk(self, final: bool = False) -> bool:
        self.buffer.seek(0)
        self._spool.write(self.buffer.read())
        if final:
            container, name = self.fs.split(self.path)
            self._spool.seek(0)
            try:
                self.fs.client.upload_stream(
                    container,
                    name,
                    self._spool,
                    segment_size=self.fs.segment_size,
                    large_object=self.fs.large_object,
                    threads=self.fs.threads,
                )
            finally:
                self._spool.close()
        return True
