"""Object operators: upload, create from data, download, list, delete, metadata."""

from __future__ import annotations

import glob as globbing
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

from airflow_provider_swift.client import SwiftValidationError
from airflow_provider_swift.client.options import (
    VERIFY,
    IfExists,
    LargeObjectKind,
    UploadOptions,
    Verify,
    check_choice,
)
from airflow_provider_swift.client.plan import safe_target
from airflow_provider_swift.openlineage import lineage
from airflow_provider_swift.operators.base import (
    SwiftBaseOperator,
    check_choice_or_template,
    templated_int,
)
from airflow_provider_swift.operators.results import DEFAULT_REPORT_THRESHOLD, scaled, summarize

_MAGIC = ("*", "?", "[")


def _local_files(source: str, name: str | None, prefix: str) -> Iterator[tuple[Path, str]]:
    """(local file, object name) pairs for one source: a file, a directory tree or a glob.

    Paths under a directory (or under a glob's literal root) keep their relative
    path, with ``/`` separators, below ``prefix``.
    """
    if any(ch in source for ch in _MAGIC):
        literal = source[: min(source.index(ch) for ch in _MAGIC if ch in source)]
        root = Path(literal).parent if not literal.endswith(os.sep) else Path(literal)
        matches = sorted(Path(p) for p in globbing.glob(source, recursive=True))
        for path in matches:
            if path.is_file():
                yield path, prefix + path.relative_to(root).as_posix()
        return
    path = Path(source)
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            yield file, prefix + file.relative_to(path).as_posix()
        return
    if not path.is_file():
        raise SwiftValidationError(f"source {source!r} is not a file, a directory or a glob")
    yield path, name if name is not None else prefix + path.name


_WRITE_TEMPLATED = (
    "if_exists", "metadata", "headers", "content_type", "delete_at", "delete_after",
    "segment_size", "large_object", "segment_container",
)  # fmt: skip
_WRITE_RENDERERS: dict[str, str] = {"metadata": "json", "headers": "json"}


class _SwiftWriteOperator(SwiftBaseOperator):
    """The options every object-writing operator takes (see ``SwiftHook.upload_file``).

    :param if_exists: ``replace``, ``skip_identical`` or ``fail`` (templated).
    :param metadata: user metadata (templated).
    :param headers: other object headers (templated).
    :param content_type: the ``Content-Type`` (templated).
    :param delete_at: Unix time at which the object expires (templated).
    :param delete_after: seconds after which it expires (templated).
    :param segment_size: cut data bigger than this into segments (templated).
    :param large_object: ``slo`` or ``dlo`` (templated).
    :param segment_container: where segments go (default ``<container>_segments``)
        (templated).
    :param threads: segments sent at once (not templated: concurrency is sized for
        the worker, not per run).
    """

    def __init__(
        self,
        *,
        if_exists: IfExists = "replace",
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        content_type: str | None = None,
        delete_at: int | str | None = None,
        delete_after: int | str | None = None,
        segment_size: int | str | None = None,
        large_object: LargeObjectKind = "slo",
        segment_container: str | None = None,
        threads: int = 4,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.if_exists: IfExists = if_exists
        self.metadata = metadata
        self.headers = headers
        self.content_type = content_type
        self.delete_at = delete_at
        self.delete_after = delete_after
        self.segment_size = segment_size
        self.large_object: LargeObjectKind = large_object
        self.segment_container = segment_container
        self.threads = threads

    def upload_options(self) -> UploadOptions:
        """The options as the hook takes them (templated numbers arrive as strings)."""
        return UploadOptions(
            if_exists=self.if_exists,
            metadata=self.metadata,
            headers=self.headers,
            content_type=self.content_type,
            delete_at=templated_int(self.delete_at),
            segment_size=templated_int(self.segment_size),
            large_object=self.large_object,
            segment_container=self.segment_container or None,
            threads=self.threads,
        )


class SwiftUploadOperator(_SwiftWriteOperator):
    """Upload files: one, a list, a glob or a directory tree (relative paths kept).

    Large files become segmented objects (see the hook's ``upload_file``). Several
    files are uploaded in parallel. Retries are safe: with
    ``if_exists="skip_identical"`` files already stored intact are skipped, and an
    interrupted large upload resumes.

    :param container: the container (templated).
    :param source: a file, a directory, a glob (``**`` recursive), or a list of them
        (templated).
    :param name: the object name, for a single file (templated).
    :param prefix: put under this prefix (templated), e.g. ``"landing/2026-11-28/"``.
    :param parallel: files uploaded at once (not templated).
    :param leave_segments: keep the segments of a failed large upload, to resume (a
        switch, not templated).
    :param report_threshold: past this many files, return a summary and write the
        per-file list as a JSON object in Swift (``report_container``, default
        ``<container>_reports``; templated); the threshold itself is not templated.
    :param kwargs: also, as on ``SwiftHook.upload_file``: ``if_exists`` (``replace``,
        ``skip_identical``, ``fail``), ``metadata``, ``headers``, ``content_type``,
        ``delete_at``/``delete_after``, and the large-object options
        ``segment_size``, ``large_object``, ``segment_container`` (all templated) and
        ``threads``.
    :return: a list of ``{name, etag, bytes, large_object, skipped}``; past
        ``report_threshold`` files, ``{counts, bytes, examples, report}`` instead.
    """

    template_fields: Sequence[str] = (
        "swift_conn_id", "container", "source", "name", "prefix", "report_container",
        *_WRITE_TEMPLATED,
    )  # fmt: skip
    template_fields_renderers: ClassVar[dict[str, str]] = {**_WRITE_RENDERERS}

    def __init__(
        self,
        *,
        container: str,
        source: str | list[str],
        name: str | None = None,
        prefix: str | None = None,
        parallel: int = 4,
        leave_segments: bool = False,
        report_threshold: int = DEFAULT_REPORT_THRESHOLD,
        report_container: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.source = source
        self.name = name
        self.prefix = prefix
        self.parallel = parallel
        self.leave_segments = leave_segments
        self.report_threshold = report_threshold
        self.report_container = report_container
        self._names: list[str] = []

    def files(self) -> list[tuple[Path, str]]:
        sources = [self.source] if isinstance(self.source, str) else list(self.source)
        if self.name is not None and len(sources) != 1:
            raise SwiftValidationError("name= is for one file; use prefix= for several")
        pairs = [p for s in sources for p in _local_files(str(s), self.name, self.prefix or "")]
        if self.name is not None and len(pairs) != 1:
            raise SwiftValidationError(f"name= is for one file, {self.source!r} has {len(pairs)}")
        names = [n for _, n in pairs]
        if len(set(names)) != len(names):
            raise SwiftValidationError("two local files map to the same object name")
        return pairs

    def execute(self, context: Any) -> list[dict[str, Any]] | dict[str, Any]:
        pairs = self.files()
        if not pairs:
            raise SwiftValidationError(f"no files found in {self.source!r}")
        self._names = [name for _, name in pairs]
        self.log.info("Uploading %d files to %s", len(pairs), self.container)

        options = self.upload_options()
        options["leave_segments"] = self.leave_segments
        delete_after = templated_int(self.delete_after)

        def upload(pair: tuple[Path, str]) -> dict[str, Any]:
            path, name = pair
            result = self.hook.upload_file(
                self.container, name, path, delete_after=delete_after, **options
            )
            return {k: result[k] for k in ("name", "etag", "bytes", "large_object", "skipped")}

        with ThreadPoolExecutor(max_workers=max(1, self.parallel)) as pool:
            done = list(pool.map(upload, pairs))
        summary = summarize(done, lambda e: "skip" if e["skipped"] else "put")
        big = scaled(
            self.hook, context, done, summary, threshold=self.report_threshold,
            container=self.report_container or f"{self.container}_reports",
        )  # fmt: skip
        return big if big is not None else done

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Outputs: the objects uploaded."""
        return lineage(outputs=[(self.container, n) for n in self._names])


class SwiftCreateObjectOperator(_SwiftWriteOperator):
    """Create an object from a string (UTF-8) or bytes.

    :param container: the container (templated).
    :param name: the object (templated).
    :param data: the content (templated).
    :param kwargs: also ``if_exists``, ``metadata``, ``headers``, ``content_type``,
        ``delete_at``/``delete_after`` and the large-object options, as on
        :class:`SwiftUploadOperator` (templated as there).
    :return: ``{name, etag, bytes, ...}``.
    """

    template_fields: Sequence[str] = (
        "swift_conn_id", "container", "name", "data", *_WRITE_TEMPLATED,
    )  # fmt: skip
    template_fields_renderers: ClassVar[dict[str, str]] = {**_WRITE_RENDERERS}

    def __init__(self, *, container: str, name: str, data: str | bytes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.name = name
        self.data = data

    def execute(self, context: Any) -> dict[str, Any]:
        return self.hook.upload_bytes(
            self.container, self.name, self.data, delete_after=templated_int(self.delete_after),
            **self.upload_options(),
        )  # fmt: skip

    def get_openlineage_facets_on_start(self) -> Any:
        """Output: the object created."""
        return lineage(outputs=[(self.container, self.name)])


class SwiftDownloadOperator(SwiftBaseOperator):
    """Download one object to a file, or every object under a prefix to a directory.

    Downloads are verified (whole MD5, or per segment) and atomic. Object names that
    would escape the destination directory (``..``) raise
    :class:`SwiftPathTraversalError` before anything is written.

    :param container: the container (templated).
    :param name: one object (templated); or
    :param prefix: every object under it, to ``destination/<name without prefix>``.
    :param destination: a file (with ``name``) or a directory (with ``prefix``) (templated).
    :param if_exists: ``replace``, ``skip_identical`` (If-None-Match) or ``fail``
        (templated).
    :param verify: ``when_possible`` (default): an object whose bytes cannot be checked
        (a large object whose segment list the server does not give) is downloaded
        with a warning; ``required``: that fails the task and writes nothing
        (templated).
    :param parallel: objects downloaded at once (not templated).
    :param report_threshold: past this many objects, return a summary and write the
        per-object list as a JSON object in Swift (``report_container``, default
        ``<container>_reports``; templated); the threshold itself is not templated.
    :return: a list of ``{name, path, etag, bytes, skipped, verified, unverified}``
        (``verified``: ``md5``, ``segments`` or None; ``unverified``: why not); past
        ``report_threshold`` objects, ``{counts, bytes, examples, report}`` instead.
    """

    template_fields: Sequence[str] = ("swift_conn_id", "container", "name", "prefix",
                                      "destination", "if_exists", "verify",
                                      "report_container")  # fmt: skip

    def __init__(
        self,
        *,
        container: str,
        destination: str,
        name: str | None = None,
        prefix: str | None = None,
        if_exists: IfExists = "replace",
        parallel: int = 4,
        report_threshold: int = DEFAULT_REPORT_THRESHOLD,
        report_container: str | None = None,
        verify: Verify = "when_possible",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_choice_or_template("verify", verify, VERIFY)
        self.container = container
        self.destination = destination
        self.name = name
        self.prefix = prefix
        self.if_exists: IfExists = if_exists
        self.verify: Verify = verify
        self.parallel = parallel
        self.report_threshold = report_threshold
        self.report_container = report_container
        self._names: list[str] = []

    def execute(self, context: Any) -> list[dict[str, Any]] | dict[str, Any]:
        check_choice("verify", self.verify, VERIFY)
        if (self.name is None) == (self.prefix is None):
            raise SwiftValidationError("give exactly one of name= and prefix=")
        if self.name is not None:
            pairs = [(self.name, Path(self.destination))]
        else:
            directory = Path(self.destination)
            names = [
                n for n in self.hook.list_objects(self.container, prefix=self.prefix)
                if not n.endswith("/")
            ]  # fmt: skip
            prefix = self.prefix or ""
            pairs = [(n, safe_target(directory, n[len(prefix) :])) for n in names]
            for _, target in pairs:
                target.parent.mkdir(parents=True, exist_ok=True)

        self._names = [name for name, _ in pairs]

        def download(pair: tuple[str, Path]) -> dict[str, Any]:
            name, target = pair
            result = self.hook.download_file(
                self.container, name, target, if_exists=self.if_exists, verify=self.verify
            )
            kept = ("name", "path", "etag", "bytes", "skipped", "verified", "unverified")
            return {k: result[k] for k in kept}

        with ThreadPoolExecutor(max_workers=max(1, self.parallel)) as pool:
            done = list(pool.map(download, pairs))
        summary = summarize(done, lambda e: "skip" if e["skipped"] else "get")
        big = scaled(
            self.hook, context, done, summary, threshold=self.report_threshold,
            container=self.report_container or f"{self.container}_reports",
        )  # fmt: skip
        return big if big is not None else done

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Inputs: the objects downloaded."""
        return lineage(inputs=[(self.container, n) for n in self._names])


class SwiftListOperator(SwiftBaseOperator):
    """List object names (and ``subdir`` pseudo-directories with a delimiter).

    :param container: the container (templated).
    :param prefix: only names under it (templated).
    :param delimiter: fold names at this character into ``subdir`` entries (templated).
    :param glob: shell-style filter on full names (``*`` also matches ``/``) (templated).
    :param report_threshold: past this many names, return ``{count, examples,
        report}`` and write the names as a JSON object in Swift (``report_container``,
        default ``<container>_reports``; templated); the threshold is not templated.
    :return: the names.
    """

    template_fields: Sequence[str] = ("swift_conn_id", "container", "prefix", "delimiter",
                                      "glob", "report_container")  # fmt: skip

    def __init__(
        self,
        *,
        container: str,
        prefix: str | None = None,
        delimiter: str | None = None,
        glob: str | None = None,
        report_threshold: int = DEFAULT_REPORT_THRESHOLD * 10,
        report_container: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.prefix = prefix
        self.delimiter = delimiter
        self.glob = glob
        self.report_threshold = report_threshold
        self.report_container = report_container

    def execute(self, context: Any) -> list[str] | dict[str, Any]:
        names = self.hook.list_objects(
            self.container,
            prefix=self.prefix,
            delimiter=self.delimiter or None,
            glob=self.glob or None,
        )
        summary = {"count": len(names), "examples": names[:5]}
        big = scaled(
            self.hook, context, names, summary, threshold=self.report_threshold,
            container=self.report_container or f"{self.container}_reports",
        )  # fmt: skip
        return big if big is not None else names


class SwiftDeleteObjectsOperator(SwiftBaseOperator):
    """Delete objects by name or by prefix (bulk delete; large objects' segments too).

    Missing objects are not an error, so a retried task finishes the job.

    :param container: the container (templated).
    :param names: names to delete (templated); or
    :param prefix: delete everything under this prefix (templated).
    :return: ``{deleted, not_found}``.
    """

    template_fields: Sequence[str] = ("swift_conn_id", "container", "names", "prefix")

    def __init__(
        self,
        *,
        container: str,
        names: Collection[str] | None = None,
        prefix: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.names = names
        self.prefix = prefix
        self._names: list[str] = []

    def execute(self, context: Any) -> dict[str, int]:
        if (self.names is None) == (self.prefix is None):
            raise SwiftValidationError("give exactly one of names= and prefix=")
        if self.prefix is not None and not self.prefix:
            raise SwiftValidationError("prefix='' would delete everything; use force delete")
        names = (
            list(self.names)
            if self.names is not None
            else self.hook.list_objects(self.container, prefix=self.prefix)
        )
        self._names = names
        return self.hook.delete_objects(self.container, names)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Outputs: the objects deleted, marked DROP."""
        names = self._names
        return lineage(outputs=[(self.container, n) for n in names], lifecycle="DROP")


class SwiftUpdateMetadataOperator(SwiftBaseOperator):
    """Set and remove metadata of an object (HEAD, merge, POST: nothing else is lost)
    or, without ``name``, of the container.

    :param container: the container (templated).
    :param name: the object (templated); None for the container itself.
    :param metadata: keys to set (templated).
    :param remove: keys to remove (templated; one key may be given as a string).
    :return: the metadata afterwards.
    """

    template_fields: Sequence[str] = ("swift_conn_id", "container", "name", "metadata",
                                      "remove")  # fmt: skip
    template_fields_renderers: ClassVar[dict[str, str]] = {"metadata": "json"}

    def __init__(
        self,
        *,
        container: str,
        name: str | None = None,
        metadata: Mapping[str, object] | None = None,
        remove: Collection[str] | str = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.name = name
        self.metadata = metadata
        self.remove = remove

    def execute(self, context: Any) -> dict[str, str]:
        remove = [self.remove] if isinstance(self.remove, str) else list(self.remove)
        remove = [key for key in remove if key]  # a template may render to ""
        if not self.metadata and not remove:
            raise SwiftValidationError("nothing to change: give metadata= or remove=")
        if self.name is None:
            return self.hook.update_container_metadata(self.container, self.metadata, remove=remove)
        return self.hook.update_object_metadata(
            self.container, self.name, self.metadata, remove=remove
        )
