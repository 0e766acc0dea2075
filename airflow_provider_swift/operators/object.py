"""Object operators: upload, create from data, download, list, delete, metadata."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar, cast

from airflow_provider_swift.client import SwiftError, SwiftValidationError
from airflow_provider_swift.client.base.options import (
    UPLOAD_DEFAULTS,
    VERIFY,
    IfExists,
    LargeObjectKind,
    UploadOptions,
    Verify,
    check_choice,
)
from airflow_provider_swift.client.base.parallel import run_each
from airflow_provider_swift.client.transfers.local_names import (
    Entry,
    check_layout,
    folder,
    glob_pattern,
    is_directory_marker,
    target_of,
)
from airflow_provider_swift.client.transfers.plan import LocalFile
from airflow_provider_swift.client.transfers.sync import LocalTree, local_files
from airflow_provider_swift.openlineage import lineage
from airflow_provider_swift.operators.base import (
    SwiftBaseOperator,
    check_choice_or_template,
    option_values,
    templated_int,
)
from airflow_provider_swift.operators.results import DEFAULT_REPORT_THRESHOLD, scaled, summarize

_MAGIC = ("*", "?", "[")


def _local_files(source: str, name: str | None, prefix: str, follow: bool) -> LocalTree:
    """The files of one source -- a file, a directory tree or a glob -- with their
    object names: paths under a directory (or a glob's literal root) keep their
    relative path, with ``/`` separators, below ``prefix``. Trees and globs are walked
    by the sync's rules (:func:`~airflow_provider_swift.client.transfers.sync.local_files`):
    links left out and reported unless ``follow``, names that are not UTF-8 failures."""
    if any(ch in source for ch in _MAGIC):
        literal = source[: min(source.index(ch) for ch in _MAGIC if ch in source)]
        # the glob's literal directory is the root its matches' names are relative to
        cut = len(literal) if literal.endswith(os.sep) else len(literal) - len(Path(literal).name)
        root, relative = Path(literal[:cut] or "."), source[cut:]
        pattern = glob_pattern(relative.replace(os.sep, "/"))
        tree = local_files(root, "", follow_symlinks=follow)
        return LocalTree(
            [replace(f, name=prefix + f.name) for f in tree.files if pattern.fullmatch(f.name)],
            [entry for entry in tree.skipped if pattern.fullmatch(entry[0])],
            [entry for entry in tree.failed if pattern.fullmatch(entry[0])],
        )
    path = Path(source)
    if path.is_dir():
        return local_files(path, prefix, follow_symlinks=follow)
    if not path.is_file():
        raise SwiftValidationError(f"source {source!r} is not a file, a directory or a glob")
    status = path.stat()  # a file named explicitly is taken, link or not
    target = name if name is not None else prefix + path.name
    return LocalTree([LocalFile(target, str(path), status.st_size, status.st_mtime)])


def _is_marker(entry: Mapping[str, Any]) -> bool:
    name, size = str(entry["name"]), int(entry.get("bytes", 0))
    return is_directory_marker(name, size, entry.get("content_type"))


_WRITE_TEMPLATED = (
    "if_exists",
    "metadata",
    "headers",
    "content_type",
    "delete_at",
    "delete_after",
    "segment_size",
    "large_object",
    "segment_container",
)
_WRITE_RENDERERS: dict[str, str] = {"metadata": "json", "headers": "json"}


class _SwiftWriteOperator(SwiftBaseOperator):
    """The options every object-writing operator takes: ``UploadOptions``, one keyword
    each (see ``SwiftHook.upload_file``).

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
    :param segment_threads: segments of one large object sent at once (not templated:
        concurrency is sized for the worker, not per run).
    :param leave_segments: keep the segments of a failed large upload, to resume (a
        switch, not templated).
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
        segment_threads: int = 4,
        leave_segments: bool = False,
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
        self.segment_threads = segment_threads
        self.leave_segments = leave_segments

    def upload_options(self) -> UploadOptions:
        """The options as the hook takes them (templated numbers arrive as strings)."""
        return cast(
            UploadOptions,
            option_values(
                self,
                UPLOAD_DEFAULTS,
                delete_at=templated_int(self.delete_at),
                segment_size=templated_int(self.segment_size),
                segment_container=self.segment_container or None,
            ),
        )


class SwiftUploadOperator(_SwiftWriteOperator):
    """Upload files: one, a list, a glob or a directory tree (relative paths kept).

    Large files become segmented objects (see the hook's ``upload_file``);
    ``object_threads`` files are uploaded at once. Retries are safe: with
    ``if_exists="skip_identical"`` files already stored intact are skipped, and an
    interrupted large upload resumes.

    :param container: the container (templated).
    :param source: a file, a directory, a glob (``**`` recursive), or a list of them
        (templated).
    :param name: the object name, for a single file (templated).
    :param prefix: put under this prefix (templated), e.g. ``"landing/2026-11-28/"``.
    :param object_threads: files uploaded at once (not templated).
    :param follow_symlinks: follow symbolic links that stay inside a tree (default:
        links are left out and reported; a switch, not templated).
    :param report_threshold: past this many files, return a summary and write the
        per-file list as a JSON object in Swift (``report_container``, default
        ``<container>_reports``; templated); the threshold itself is not templated.
    :param kwargs: also, as on ``SwiftHook.upload_file``: ``if_exists`` (``replace``,
        ``skip_identical``, ``fail``), ``metadata``, ``headers``, ``content_type``,
        ``delete_at``/``delete_after``, and the large-object options
        ``segment_size``, ``large_object``, ``segment_container`` (all templated),
        ``segment_threads`` (segments of one file at once) and ``leave_segments`` (keep
        the segments of a failed large upload, to resume).
    :return: a list of ``{name, etag, bytes, large_object, skipped}``; past
        ``report_threshold`` files, ``{counts, bytes, examples, report}`` instead.
    """

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "container",
        "source",
        "name",
        "prefix",
        "report_container",
        *_WRITE_TEMPLATED,
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {**_WRITE_RENDERERS}

    def __init__(
        self,
        *,
        container: str,
        source: str | list[str],
        name: str | None = None,
        prefix: str | None = None,
        object_threads: int = 4,
        follow_symlinks: bool = False,
        report_threshold: int = DEFAULT_REPORT_THRESHOLD,
        report_container: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.source = source
        self.name = name
        self.prefix = prefix
        self.object_threads = object_threads
        self.follow_symlinks = follow_symlinks
        self.report_threshold = report_threshold
        self.report_container = report_container
        self._names: list[str] = []

    def files(self) -> LocalTree:
        """Every file to upload with its object name; what was left out, and why."""
        sources = [self.source] if isinstance(self.source, str) else list(self.source)
        if self.name is not None and len(sources) != 1:
            raise SwiftValidationError("name= is for one file; use prefix= for several")
        prefix = folder(self.prefix or "")
        found = LocalTree()
        for source in sources:
            tree = _local_files(str(source), self.name, prefix, self.follow_symlinks)
            found.files += tree.files
            found.skipped += tree.skipped
            found.failed += tree.failed
        if self.name is not None and len(found.files) != 1:
            raise SwiftValidationError(
                f"name= is for one file, {self.source!r} has {len(found.files)}"
            )
        return found

    def execute(self, context: Any) -> list[dict[str, Any]] | dict[str, Any]:
        found = self.files()
        for path, why in found.skipped:
            self.log.warning("Not uploaded: %s (%s)", path, why)
        if not found.files and not found.failed:
            raise SwiftValidationError(f"no files found in {self.source!r}")
        pairs = [(f.path, f.name) for f in found.files]
        self._names = [name for _, name in pairs]
        self.log.info("Uploading %d files to %s", len(pairs), self.container)
        results = self.hook.upload_files(
            self.container,
            pairs,
            object_threads=self.object_threads,
            delete_after=templated_int(self.delete_after),
            **self.upload_options(),
        )
        if found.failed:
            listed = "; ".join(f"{path}: {error}" for path, error in found.failed[:5])
            raise SwiftError(
                f"{len(found.failed)} local files could not be uploaded (the other "
                f"{len(results)} were): {listed}"
            ) from found.failed[0][1]
        kept = ("name", "etag", "bytes", "large_object", "skipped")
        done = [{k: result[k] for k in kept} for result in results]
        summary = summarize(done, lambda e: "skip" if e["skipped"] else "put")
        if found.skipped:
            summary["counts"]["left out"] = len(found.skipped)
        big = scaled(
            self.hook,
            context,
            done,
            summary,
            threshold=self.report_threshold,
            container=self.report_container or f"{self.container}_reports",
        )
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
        "swift_conn_id",
        "container",
        "name",
        "data",
        *_WRITE_TEMPLATED,
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {**_WRITE_RENDERERS}

    def __init__(self, *, container: str, name: str, data: str | bytes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.name = name
        self.data = data

    def execute(self, context: Any) -> dict[str, Any]:
        return self.hook.upload_bytes(
            self.container,
            self.name,
            self.data,
            delete_after=templated_int(self.delete_after),
            **self.upload_options(),
        )

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
    :param object_threads: objects downloaded at once (with ``prefix``).
    :param segment_threads: segments of one large object fetched at once.
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

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "container",
        "name",
        "prefix",
        "destination",
        "if_exists",
        "verify",
        "report_container",
    )

    def __init__(
        self,
        *,
        container: str,
        destination: str,
        name: str | None = None,
        prefix: str | None = None,
        if_exists: IfExists = "replace",
        object_threads: int = 4,
        segment_threads: int = 4,
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
        self.object_threads = object_threads
        self.segment_threads = segment_threads
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
            pairs = self._prefix_targets(Path(self.destination), self.prefix or "")
        self._names = [name for name, _ in pairs]

        def download(pair: tuple[str, Path]) -> dict[str, Any]:
            name, target = pair
            result = self.hook.download_file(
                self.container,
                name,
                target,
                if_exists=self.if_exists,
                verify=self.verify,
                segment_threads=self.segment_threads,
            )
            kept = ("name", "path", "etag", "bytes", "skipped", "verified", "unverified")
            return {k: result[k] for k in kept}

        finished, failed = run_each(download, pairs, max(1, self.object_threads))
        if failed:
            listed = "; ".join(f"{name}: {error}" for (name, _), error in failed[:5])
            raise SwiftError(
                f"{len(failed)} of {len(pairs)} objects failed to download: {listed}"
            ) from failed[0][1]
        done = [result for _, result in finished]
        summary = summarize(done, lambda e: "skip" if e["skipped"] else "get")
        big = scaled(
            self.hook,
            context,
            done,
            summary,
            threshold=self.report_threshold,
            container=self.report_container or f"{self.container}_reports",
        )
        return big if big is not None else done

    def _prefix_targets(self, directory: Path, prefix: str) -> list[tuple[str, Path]]:
        """Each object under ``prefix`` with its file under ``directory``; directory
        markers made directories; every name checked before anything is written."""
        listed = list(self.hook.client.iter_objects(self.container, prefix=prefix or None))
        entries = [
            Entry(str(e["name"])[len(prefix) :], _is_marker(e))
            for e in listed
            if str(e["name"]) != prefix
        ]
        check_layout(entries)
        pairs = []
        for entry in entries:
            target = target_of(directory, entry.name)
            if entry.directory:
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            pairs.append((prefix + entry.name, target))
        return pairs

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

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "container",
        "prefix",
        "delimiter",
        "glob",
        "report_container",
    )

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
            self.hook,
            context,
            names,
            summary,
            threshold=self.report_threshold,
            container=self.report_container or f"{self.container}_reports",
        )
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
        return self.hook.delete_objects_with_segments(self.container, names)

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

    template_fields: Sequence[str] = ("swift_conn_id", "container", "name", "metadata", "remove")
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
