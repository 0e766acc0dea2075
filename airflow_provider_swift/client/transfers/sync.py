"""Tree sync: a local directory and a prefix made the same, either way, at listing speed.

A sync lists the prefix once (paged), walks the directory once, hashes in parallel
only the files whose size matches an object's, and lets :mod:`plan` decide each
name. Then it executes the plan ``object_threads`` files at a time (a large object's
segments ``segment_threads`` at a time):

* up: a PUT per new or changed file with the stored state the listing gave (no HEAD:
  ``Uploads.upload_planned``); large files become large objects; extraneous objects
  go in one bulk delete (segments too) when ``delete``;
* down: a verified GET per new or changed object into a temporary file that replaces
  the target only once its MD5 matched, names checked against path traversal before
  anything is written; extraneous local files removed when ``delete``.

A HEAD is sent only for the steps the listing cannot decide (``check``). A task
retry simply plans again: what the failed attempt already transferred now matches
and is skipped, and an interrupted large upload resumes from its stored segments.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat as stat_module
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Unpack

from airflow_provider_swift.client.base.errors import (
    SwiftError,
    SwiftLocalNameError,
    SwiftNotFoundError,
    SwiftPreconditionFailedError,
    SwiftValidationError,
)
from airflow_provider_swift.client.base.options import (
    Compare,
    SyncOptions,
    SyncUpOptions,
    UploadOptions,
    object_part,
    sync_options,
    sync_up_options,
    upload_options,
)
from airflow_provider_swift.client.base.parallel import map_streamed, run_each
from airflow_provider_swift.client.large.large_objects import LargeObjects
from airflow_provider_swift.client.large.reads import Reads
from airflow_provider_swift.client.large.segments import (
    choose_segment_size,
    composite_etag,
    segment_sizes,
)
from airflow_provider_swift.client.rest.containers import Containers
from airflow_provider_swift.client.rest.info import Info
from airflow_provider_swift.client.rest.objects import CHUNK, Objects
from airflow_provider_swift.client.transfers.local_names import (
    Entry,
    check_layout,
    folder,
    name_of,
    shown,
    target_of,
)
from airflow_provider_swift.client.transfers.plan import (
    CHECK,
    DELETE,
    GET,
    PUT,
    SKIP,
    LocalFile,
    PlanSummary,
    Step,
    Stored,
    decide_download,
    decide_upload,
    digest_needed,
    pair_up,
    selected,
)
from airflow_provider_swift.client.transfers.uploads import UploadResult, Uploads

log = logging.getLogger(__name__)

Direction = Literal["up", "down"]
#: One object's outcome: action done, name, bytes, reason, ETag (when known).
Record = tuple[str, str, int, str, str | None]


@dataclass
class SyncResult:
    """What a sync did (or, with ``dry_run``, would do).

    ``records`` holds one small tuple per object (action, name, bytes, reason, ETag):
    :meth:`objects` turns them into dicts one at a time, for a report.
    """

    direction: Direction
    container: str
    prefix: str
    directory: str
    dry_run: bool
    summary: PlanSummary = field(default_factory=lambda: PlanSummary({}, {}, {}))
    records: list[Record] = field(default_factory=list)

    def objects(self) -> Iterator[dict[str, Any]]:
        for action, name, size, reason, etag in self.records:
            yield {"action": action, "name": name, "bytes": size, "reason": reason, "etag": etag}

    def add(self, action: str, name: str, size: int, reason: str, etag: str | None) -> None:
        self.records.append((action, name, size, reason, etag))
        self.summary.add(action, name, size)

    def as_dict(self) -> dict[str, Any]:
        """The summary (counts, bytes, examples per action) without the records."""
        return {
            "direction": self.direction,
            "container": self.container,
            "prefix": self.prefix,
            "directory": self.directory,
            "dry_run": self.dry_run,
            **self.summary.as_dict(),
        }


@dataclass
class LocalTree:
    """The files of a tree a sync takes part with, and what it left out, said."""

    files: list[LocalFile] = field(default_factory=list)
    #: (path relative to the root, why): left out on purpose (links not followed,
    #: fifos, sockets, dangling links), reported and counted as skips
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: (path relative to the root, error): files that should take part and cannot
    #: (a name that is not UTF-8, a link leaving the tree, a loop): counted failures
    failed: list[tuple[str, BaseException]] = field(default_factory=list)


def local_files(
    root: Path,
    prefix: str,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    *,
    follow_symlinks: bool = False,
    outside_links: bool = False,
) -> LocalTree:
    """The regular files under ``root`` the filters select, as object names under
    ``prefix`` (``/`` separators, :mod:`.local_names`), in name order.

    Symbolic links are left out and reported unless ``follow_symlinks``; followed
    links must stay inside ``root`` (else a failure, unless ``outside_links``), and
    a link back to a directory being walked is a loop (a failure), not a descent.
    """
    include, exclude = list(include), list(exclude)
    tree = LocalTree()
    top = root.resolve()
    start = os.stat(top)
    pending: list[tuple[str, str, frozenset[tuple[int, int]]]] = [
        ("", str(top), frozenset({(start.st_dev, start.st_ino)}))
    ]
    while pending:
        relative_dir, folder, ancestors = pending.pop()
        try:
            with os.scandir(folder) as listed:
                entries = list(listed)
        except OSError as exc:
            tree.failed.append((shown(relative_dir or "."), exc))
            continue
        for entry in entries:
            relative = f"{relative_dir}/{entry.name}" if relative_dir else entry.name
            try:
                status = _status(entry, top, follow_symlinks, outside_links)
            except _Skip as skip:
                tree.skipped.append((shown(relative), str(skip)))
                continue
            except (OSError, SwiftError) as exc:
                tree.failed.append((shown(relative), exc))
                continue
            if stat_module.S_ISDIR(status.st_mode):
                key = (status.st_dev, status.st_ino)
                if key in ancestors:
                    loop = SwiftLocalNameError(f"'{shown(relative)}': a symbolic link loop")
                    tree.failed.append((shown(relative), loop))
                else:
                    pending.append((relative, entry.path, ancestors | {key}))
                continue
            if not stat_module.S_ISREG(status.st_mode):
                tree.skipped.append((shown(relative), "not a regular file"))
                continue
            try:
                name = name_of(relative)
            except SwiftLocalNameError as exc:
                tree.failed.append((shown(relative), exc))
                continue
            if selected(name, include, exclude):
                tree.files.append(
                    LocalFile(prefix + name, entry.path, status.st_size, status.st_mtime)
                )
    tree.files.sort(key=lambda f: f.name)
    return tree


class _Skip(Exception):
    """An entry left out on purpose (the message says why)."""


def _status(entry: os.DirEntry[str], top: Path, follow: bool, outside: bool) -> os.stat_result:
    """An entry's status as the walk treats it (a followed link: its target's)."""
    if not entry.is_symlink():
        return entry.stat(follow_symlinks=False)
    if not follow:
        raise _Skip("symbolic link (follow_symlinks=False)")
    target = Path(os.path.realpath(entry.path))
    if not outside and target != top and top not in target.parents:
        raise SwiftLocalNameError(
            f"symbolic link '{shown(entry.path)}' points outside the tree (to "
            f"'{shown(target)}'); not followed -- allow it with outside_links=True"
        )
    try:
        return entry.stat(follow_symlinks=True)
    except FileNotFoundError:
        raise _Skip("dangling symbolic link") from None


def file_digest(path: str, segment_size: int | None = None) -> str:
    """A file's MD5, or with ``segment_size`` the ETag Swift gives the SLO it becomes
    (MD5 of the segments' MD5s)."""
    size = os.path.getsize(path)
    sizes = segment_sizes(size, segment_size) if segment_size else [size]
    etags = []
    with open(path, "rb") as handle:
        for piece in sizes:
            digest = hashlib.md5(usedforsecurity=False)
            left = piece
            while left > 0:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    break
                digest.update(chunk)
                left -= len(chunk)
            etags.append(digest.hexdigest())
    return composite_etag(etags) if segment_size else etags[0]


class Sync:
    """Directory <-> prefix syncs planned from one listing."""

    def __init__(
        self,
        info: Info,
        containers: Containers,
        objects: Objects,
        reads: Reads,
        large_objects: LargeObjects,
        uploads: Uploads,
    ) -> None:
        self.info = info
        self.containers = containers
        self.objects = objects
        self.reads = reads
        self.large_objects = large_objects
        self.uploads = uploads

    # -- up -----------------------------------------------------------------------------

    def sync_up(
        self,
        directory: str | os.PathLike[str],
        container: str,
        prefix: str = "",
        **options: Unpack[SyncUpOptions],
    ) -> SyncResult:
        """Make ``container/prefix`` hold what ``directory`` holds.

        :param options: see :class:`~airflow_provider_swift.client.base.options.SyncUpOptions`.
        """
        opts = sync_up_options(options)
        prefix = folder(prefix)
        root = _directory(directory)
        result = SyncResult("up", container, prefix, str(root), opts["dry_run"])
        tree = local_files(
            root,
            prefix,
            opts["include"] or (),
            opts["exclude"] or (),
            follow_symlinks=opts["follow_symlinks"],
            outside_links=opts["outside_links"],
        )
        files = tree.files
        exists = [True]
        listing = self._listing(container, prefix, opts, exists, missing_ok=True)
        limits = self.info.large_object_limits()

        def segment_size(file: LocalFile) -> int | None:
            return choose_segment_size(
                file.size, limits, segment_size=opts["segment_size"], kind=opts["large_object"]
            )

        steps = self._plan(files, listing, opts, decide_upload, segment_size)
        _left_out(result, tree)
        if opts["dry_run"]:
            return _planned(result, steps, tree)
        if not exists[0]:
            self.containers.put_container(container)
        upload = object_part(opts)

        def put(step: Step) -> Record:
            assert step.path is not None
            current = step.stored.headers() if step.stored is not None else None
            if step.action == CHECK:
                current = self.objects.head_or_none(container, step.name)
                if current is not None and self.reads.matches_file(
                    container, step.name, step.path, current
                ):
                    return SKIP, step.name, step.size, "identical", current.get("etag")
            done = self.uploads.upload_planned(container, step.name, step.path, current, **upload)
            return PUT, step.name, done.bytes, step.reason, done.etag

        self._execute(steps, put, opts["object_threads"], result, tree.failed)
        doomed = [s.name for s in steps if s.action == DELETE]
        if doomed:
            removed = self.large_objects.delete_objects_with_segments(container, doomed)
            removed.raise_for_errors()
            for step in steps:
                if step.action == DELETE:
                    result.add(DELETE, step.name, step.size, step.reason, None)
        _log_done(result)
        return result

    # -- many named files -----------------------------------------------------------------

    def upload_files(
        self,
        container: str,
        files: Sequence[tuple[str | os.PathLike[str], str]],
        *,
        object_threads: int = 10,
        **options: Unpack[UploadOptions],
    ) -> list[UploadResult]:
        """Upload many local files, each to the object name given, ``object_threads``
        at once -- planned from one listing like a sync, so no HEAD per file: the
        listing says which names exist (and what they hold, for ``skip_identical``).

        With ``if_exists="fail"`` any name that exists is refused before anything is
        sent. Every file is attempted; failures (of any kind) are raised together at
        the end, naming each, once the others are done.

        :param files: ``(local path, object name)`` pairs.
        :param options: see :class:`~airflow_provider_swift.client.base.options.UploadOptions`.
        """
        opts = upload_options(options)
        if object_threads < 1:
            raise SwiftValidationError(f"object_threads={object_threads} must be at least 1")
        names = [name for _, name in files]
        twice = (
            sorted({name for name in names if names.count(name) > 1})
            if len(set(names)) < len(names)
            else []
        )
        if twice:
            raise SwiftValidationError(f"several files would be uploaded as {twice[:5]}")
        known = self._listed(container, names) if len(names) > 1 else None
        if opts["if_exists"] == "fail" and known:
            taken = sorted(known)
            raise SwiftPreconditionFailedError(
                f"{len(taken)} objects already exist and if_exists='fail', e.g. {taken[:5]}; "
                "nothing was uploaded",
                status=412,
                method="PUT",
                path=f"/{container}",
            )

        def one(pair: tuple[str | os.PathLike[str], str]) -> UploadResult:
            path, name = pair
            if known is None:
                return self.uploads.upload_file(container, name, path, **opts)
            stored = known.get(name)
            if stored is not None and stored.ambiguous:  # a DLO or an empty object
                current = self.objects.head_or_none(container, name)
            else:
                current = stored.headers() if stored is not None else None
            return self.uploads.upload_planned(container, name, path, current, **opts)

        done, failed = run_each(one, files, object_threads, name="swift-upload")
        if failed:
            listed = "; ".join(f"{name}: {_said(error)}" for (_, name), error in failed[:5])
            more = f" (and {len(failed) - 5} more)" if len(failed) > 5 else ""
            raise SwiftError(
                f"upload to /{container}: {len(failed)} of {len(files)} files failed: "
                f"{listed}{more}"
            ) from failed[0][1]
        return [result for _, result in done]

    def _listed(self, container: str, names: list[str]) -> dict[str, Stored]:
        """The listing entries of ``names`` (one listing of their common prefix)."""
        wanted = set(names)
        try:
            return {
                entry["name"]: Stored.from_listing(entry)
                for entry in self.containers.iter_objects(
                    container,
                    prefix=os.path.commonprefix(names) or None,  # noqa: RUF071
                )
                if entry.get("name") in wanted
            }
        except SwiftNotFoundError:
            return {}

    # -- down ---------------------------------------------------------------------------

    def sync_down(
        self,
        container: str,
        prefix: str,
        directory: str | os.PathLike[str],
        **options: Unpack[SyncOptions],
    ) -> SyncResult:
        """Make ``directory`` hold what ``container/prefix`` holds (verified downloads).

        Object names that would land outside ``directory`` raise
        :class:`SwiftPathTraversalError` before anything is written.

        :param options: see :class:`~airflow_provider_swift.client.base.options.SyncOptions`.
        """
        opts = sync_options(options)
        prefix = folder(prefix)
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        root = _directory(root)
        result = SyncResult("down", container, prefix, str(root), opts["dry_run"])
        tree = local_files(root, prefix, opts["include"] or (), opts["exclude"] or ())
        listed = list(
            self._listing(container, prefix, opts, [True], missing_ok=False, markers=True)
        )
        # every name has one path, and no path is a file and a directory at once:
        # checked for the whole listing before anything is written
        check_layout(Entry(obj.name[len(prefix) :], obj.directory) for obj in listed)
        markers = [root / obj.name[len(prefix) :] for obj in listed if obj.directory]
        stored = [obj for obj in listed if not obj.directory]
        targets = {obj.name: target_of(root, obj.name[len(prefix) :]) for obj in stored}
        steps = self._plan(tree.files, stored, opts, decide_download, lambda _: None)
        _left_out(result, tree)
        if opts["dry_run"]:
            return _planned(result, steps, tree)
        for marker in markers:
            marker.mkdir(parents=True, exist_ok=True)

        def get(step: Step) -> Record:
            target = targets[step.name]
            if step.action == CHECK:
                current = self.objects.head_or_none(container, step.name)
                if current is None:
                    return SKIP, step.name, 0, "gone", None
                if self.reads.matches_file(container, step.name, str(target), current):
                    return SKIP, step.name, step.size, "identical", current.get("etag")
            target.parent.mkdir(parents=True, exist_ok=True)
            done = self.reads.download_object(
                container, step.name, target, segment_threads=opts["segment_threads"]
            )
            return GET, step.name, done.bytes, step.reason, done.etag

        self._execute(
            [s for s in steps if s.action != DELETE],
            get,
            opts["object_threads"],
            result,
            tree.failed,
        )
        for step in steps:
            if step.action == DELETE and step.path is not None:
                Path(step.path).unlink(missing_ok=True)
                result.add(DELETE, step.name, step.size, step.reason, None)
        _log_done(result)
        return result

    # -- shared -------------------------------------------------------------------------

    def _listing(
        self,
        container: str,
        prefix: str,
        opts: SyncOptions,
        exists: list[bool],
        *,
        missing_ok: bool,
        markers: bool = False,
    ) -> Iterator[Stored]:
        """The prefix's objects the filters select, in name order, one page at a time.
        Directory markers (names ending in ``/``, zero-byte ``application/directory``
        objects: :mod:`.local_names`) are files of no tree: only with ``markers``."""
        include, exclude = opts["include"] or (), opts["exclude"] or ()
        try:
            for entry in self.containers.iter_objects(container, prefix=prefix or None):
                obj = Stored.from_listing(entry)
                if obj.name == prefix or (obj.directory and not markers):
                    continue
                if selected(obj.name[len(prefix) :].rstrip("/"), include, exclude):
                    yield obj
        except SwiftNotFoundError:
            if not missing_ok:
                raise
            exists[0] = False

    def _plan(
        self,
        files: list[LocalFile],
        listing: Iterable[Stored],
        opts: SyncOptions,
        decide: Callable[..., Step | None],
        segment_size: Callable[[LocalFile], int | None],
    ) -> list[Step]:
        return plan_steps(
            files,
            listing,
            decide,
            compare=opts["compare"],
            delete=opts["delete"],
            object_threads=opts["object_threads"],
            segment_size=segment_size,
        )

    def _execute(
        self,
        steps: list[Step],
        work: Callable[[Step], Record],
        object_threads: int,
        result: SyncResult,
        failed_before: list[tuple[str, BaseException]],
    ) -> None:
        """Run ``work`` on every PUT/GET/CHECK step, ``object_threads`` at once; skips are
        recorded as they are. Failures do not stop the others: they are raised
        together at the end (a retry then redoes only them)."""
        for step in steps:
            if step.action == SKIP:
                etag = step.stored.etag if step.stored is not None else None
                result.add(SKIP, step.name, step.size, step.reason, etag)
        active = (step for step in steps if step.action not in (SKIP, DELETE))
        done, failed = run_each(work, active, object_threads, name="swift-sync")
        for _, record in done:
            result.add(*record)
        failures = failed_before + [(step.name, error) for step, error in failed]
        if failures:
            listed = "; ".join(f"{name}: {_said(error)}" for name, error in failures[:5])
            more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
            total = len(steps) + len(failed_before)
            raise SwiftError(
                f"sync {result.direction} of /{result.container}/{result.prefix}: "
                f"{len(failures)} of {total} objects failed: {listed}{more}"
            ) from failures[0][1]


def _said(error: BaseException) -> str:
    """An error as a failure list shows it: Swift's and the OS's errors speak for
    themselves; anything else (a bug) is named by its type."""
    if isinstance(error, SwiftError | OSError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def plan_steps(
    files: list[LocalFile],
    listing: Iterable[Stored],
    decide: Callable[..., Step | None],
    *,
    compare: Compare = "md5",
    delete: bool = False,
    object_threads: int = 10,
    segment_size: Callable[[LocalFile], int | None] = lambda _: None,
) -> list[Step]:
    """Pair files and objects by name, hash where needed (``object_threads`` at once), and
    decide each name with ``decide`` (:func:`plan.decide_upload` or
    :func:`plan.decide_download`). The listing is consumed as it streams.

    :param segment_size: the segment size a file would be cut into (None: one PUT);
        needed to compare a file with an SLO by composite ETag.
    """

    def one(pair: tuple[LocalFile | None, Stored | None]) -> Step | None:
        file, obj = pair
        slo = file is not None and obj is not None and obj.slo
        chosen = segment_size(file) if slo and file is not None else None
        kind = digest_needed(file, obj, compare, chosen)
        digest = None
        if kind is not None and file is not None:
            digest = file_digest(file.path, chosen if kind == "composite" else None)
        return decide(file, obj, compare=compare, digest=digest, delete=delete)

    decided = map_streamed(one, pair_up(files, listing), object_threads, name="swift-plan")
    return [step for step in decided if step is not None]


def _directory(directory: str | os.PathLike[str]) -> Path:
    root = Path(directory)
    if not root.is_dir():
        raise SwiftValidationError(f"{str(root)!r} is not a directory")
    return root.resolve()


def _planned(result: SyncResult, steps: list[Step], tree: LocalTree) -> SyncResult:
    """A dry run's result: the plan itself, as records; what would fail, raised."""
    for step in steps:
        result.add(step.action, step.name, step.size, step.reason, None)
    if tree.failed:
        shown_failures = "; ".join(f"{path}: {error}" for path, error in tree.failed[:5])
        raise SwiftError(
            f"sync {result.direction} (dry run) of /{result.container}/{result.prefix}: "
            f"{len(tree.failed)} local files cannot take part: {shown_failures}"
        ) from tree.failed[0][1]
    return result


def _left_out(result: SyncResult, tree: LocalTree) -> None:
    """Count what the walk left out on purpose, as skips saying why (never silent)."""
    for path, why in tree.skipped:
        result.add(SKIP, path, 0, why, None)
    if tree.skipped:
        log.info(
            "Left out %d local entries: %s",
            len(tree.skipped),
            "; ".join(f"{p} ({w})" for p, w in tree.skipped[:5]),
        )


def _log_done(result: SyncResult) -> None:
    counts = ", ".join(f"{n} {a}" for a, n in sorted(result.summary.counts.items())) or "nothing"
    log.info(
        "Sync %s /%s/%s <-> %s: %s",
        result.direction,
        result.container,
        result.prefix,
        result.directory,
        counts,
    )
