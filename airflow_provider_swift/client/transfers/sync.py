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
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Literal, TypeVar, Unpack

from airflow_provider_swift.client.base.errors import (
    SwiftError,
    SwiftNotFoundError,
    SwiftValidationError,
)
from airflow_provider_swift.client.base.options import (
    Compare,
    SyncOptions,
    SyncUpOptions,
    object_part,
    sync_options,
    sync_up_options,
)
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
    safe_target,
    selected,
)
from airflow_provider_swift.client.transfers.uploads import Uploads

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_R = TypeVar("_R")
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


def local_files(
    root: Path, prefix: str, include: Iterable[str] = (), exclude: Iterable[str] = ()
) -> list[LocalFile]:
    """The regular files under ``root`` the filters select, as object names under
    ``prefix`` (``/`` separators), in name order."""
    include, exclude = list(include), list(exclude)
    found: list[LocalFile] = []
    base = len(str(root)) + 1
    for folder, _, names in os.walk(root):
        for entry in names:
            path = os.path.join(folder, entry)
            relative = path[base:].replace(os.sep, "/")
            if not selected(relative, include, exclude):
                continue
            try:
                stat = os.stat(path)
            except OSError:
                continue  # vanished, or a dangling link
            if os.path.isfile(path):
                found.append(LocalFile(prefix + relative, path, stat.st_size, stat.st_mtime))
    found.sort(key=lambda f: f.name)
    return found


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
        root = _directory(directory)
        result = SyncResult("up", container, prefix, str(root), opts["dry_run"])
        files = local_files(root, prefix, opts["include"] or (), opts["exclude"] or ())
        exists = [True]
        listing = self._listing(container, prefix, opts, exists, missing_ok=True)
        limits = self.info.large_object_limits()

        def segment_size(file: LocalFile) -> int | None:
            return choose_segment_size(
                file.size, limits, segment_size=opts["segment_size"], kind=opts["large_object"]
            )

        steps = self._plan(files, listing, opts, decide_upload, segment_size)
        if opts["dry_run"]:
            return _planned(result, steps)
        if not exists[0]:
            self.containers.put_container(container)
        upload = object_part(opts)

        def put(step: Step) -> Record:
            assert step.path is not None
            current = step.stored.headers() if step.stored is not None else None
            if step.action == CHECK:
                current = self.objects.head_or_none(container, step.name)
                if current is not None and self.large_objects.matches_file(
                    container, step.name, step.path, current
                ):
                    return SKIP, step.name, step.size, "identical", current.get("etag")
            done = self.uploads.upload_planned(container, step.name, step.path, current, **upload)
            return PUT, step.name, done.bytes, step.reason, done.etag

        self._execute(steps, put, opts["object_threads"], result)
        doomed = [s.name for s in steps if s.action == DELETE]
        if doomed:
            removed = self.large_objects.remove_objects(container, doomed)
            removed.raise_for_errors()
            for step in steps:
                if step.action == DELETE:
                    result.add(DELETE, step.name, step.size, step.reason, None)
        _log_done(result)
        return result

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
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        root = _directory(root)
        result = SyncResult("down", container, prefix, str(root), opts["dry_run"])
        files = local_files(root, prefix, opts["include"] or (), opts["exclude"] or ())
        stored = list(self._listing(container, prefix, opts, [True], missing_ok=False))
        targets = {obj.name: safe_target(root, obj.name[len(prefix) :]) for obj in stored}
        steps = self._plan(files, stored, opts, decide_download, lambda _: None)
        if opts["dry_run"]:
            return _planned(result, steps)

        def get(step: Step) -> Record:
            target = targets[step.name]
            if step.action == CHECK:
                current = self.objects.head_or_none(container, step.name)
                if current is None:
                    return SKIP, step.name, 0, "gone", None
                if self.large_objects.matches_file(container, step.name, str(target), current):
                    return SKIP, step.name, step.size, "identical", current.get("etag")
            target.parent.mkdir(parents=True, exist_ok=True)
            done = self.reads.download_object(
                container, step.name, target, segment_threads=opts["segment_threads"]
            )
            return GET, step.name, done.bytes, step.reason, done.etag

        self._execute([s for s in steps if s.action != DELETE], get, opts["object_threads"], result)
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
    ) -> Iterator[Stored]:
        """The prefix's objects the filters select, in name order, one page at a time
        (pseudo-directory markers, names ending in ``/``, take no part)."""
        include, exclude = opts["include"] or (), opts["exclude"] or ()
        try:
            for entry in self.containers.iter_objects(container, prefix=prefix or None):
                name = str(entry["name"])
                if name.endswith("/") or not selected(name[len(prefix) :], include, exclude):
                    continue
                yield Stored.from_listing(entry)
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
            files, listing, decide, compare=opts["compare"], delete=opts["delete"],
            object_threads=opts["object_threads"], segment_size=segment_size,
        )  # fmt: skip

    def _execute(
        self,
        steps: list[Step],
        work: Callable[[Step], Record],
        threads: int,
        result: SyncResult,
    ) -> None:
        """Run ``work`` on every PUT/GET/CHECK step, ``threads`` at once; skips are
        recorded as they are. Failures do not stop the others: they are raised
        together at the end (a retry then redoes only them)."""
        lock = threading.Lock()
        failures: list[tuple[str, str]] = []
        slots = threading.BoundedSemaphore(threads * 2)

        def run(step: Step) -> None:
            try:
                record = work(step)
            except (SwiftError, OSError) as exc:
                with lock:
                    failures.append((step.name, str(exc)))
                return
            finally:
                slots.release()
            with lock:
                result.add(*record)

        with ThreadPoolExecutor(threads, thread_name_prefix="swift-sync") as pool:
            for step in steps:
                if step.action == SKIP:
                    etag = step.stored.etag if step.stored is not None else None
                    result.add(SKIP, step.name, step.size, step.reason, etag)
                    continue
                if step.action == DELETE:
                    continue
                slots.acquire()
                pool.submit(run, step)
        if failures:
            listed = "; ".join(f"{name}: {error}" for name, error in failures[:5])
            more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
            raise SwiftError(
                f"sync {result.direction} of /{result.container}/{result.prefix}: "
                f"{len(failures)} of {len(steps)} objects failed: {listed}{more}"
            )


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

    with ThreadPoolExecutor(object_threads, thread_name_prefix="swift-plan") as pool:
        decided = _map_in_batches(pool, one, pair_up(files, listing), 2 * object_threads)
        return [step for step in decided if step is not None]


def _map_in_batches(
    pool: ThreadPoolExecutor, work: Callable[[_T], _R], items: Iterable[_T], window: int
) -> Iterator[_R]:
    """``pool.map`` in order, but with at most ``window`` batches of 256 items in
    flight: ``Executor.map`` would submit every item at once (a future each)."""
    pending: deque[Future[list[_R]]] = deque()
    source = iter(items)
    while batch := list(islice(source, 256)):
        pending.append(pool.submit(lambda chunk: [work(item) for item in chunk], batch))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _directory(directory: str | os.PathLike[str]) -> Path:
    root = Path(directory)
    if not root.is_dir():
        raise SwiftValidationError(f"{str(root)!r} is not a directory")
    return root.resolve()


def _planned(result: SyncResult, steps: list[Step]) -> SyncResult:
    """A dry run's result: the plan itself, as records."""
    for step in steps:
        result.add(step.action, step.name, step.size, step.reason, None)
    return result


def _log_done(result: SyncResult) -> None:
    counts = ", ".join(f"{n} {a}" for a, n in sorted(result.summary.counts.items())) or "nothing"
    log.info(
        "Sync %s /%s/%s <-> %s: %s", result.direction, result.container, result.prefix,
        result.directory, counts,
    )  # fmt: skip
