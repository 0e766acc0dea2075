"""Options as data: the typed option sets of uploads and copies, and their enumerations.

The same options reach the client from the hook and from the operators. They are
declared once, here, as ``TypedDict`` s with ``Literal`` enumerations: a call such as
``hook.upload_file(c, o, path, if_exists="fial")`` or an unknown option is a mypy
error, and at run time :func:`upload_options` / :func:`copy_options` refuse it with a
:class:`SwiftValidationError` naming the choices.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Literal, TypedDict, get_args

from airflow_provider_swift.client.base.errors import SwiftValidationError

#: What an upload does when the object exists: overwrite it; leave an object with the
#: same bytes alone; refuse (``If-None-Match: *``).
IfExists = Literal["replace", "skip_identical", "fail"]
#: Static (manifest of segments, checked by Swift) or dynamic (every object under a
#: prefix) large objects.
LargeObjectKind = Literal["slo", "dlo"]
#: What an ETag sensor does when the watched object is deleted.
OnDelete = Literal["wait", "succeed", "fail"]
#: What a read does when its bytes cannot be checked end to end (a large object whose
#: segment list the server does not give, an ETag that is not an MD5): fail with
#: :class:`SwiftUnverifiedError`, or go on, say so in the log and in the result.
Verify = Literal["required", "when_possible"]

#: How a sync compares a local file with an object: by MD5 (default), or by size and
#: modification time (the copy is newer than the original).
Compare = Literal["md5", "size_mtime"]

IF_EXISTS: tuple[str, ...] = get_args(IfExists)
COMPARE: tuple[str, ...] = get_args(Compare)
LARGE_OBJECT_KINDS: tuple[str, ...] = get_args(LargeObjectKind)
ON_DELETE: tuple[str, ...] = get_args(OnDelete)
VERIFY: tuple[str, ...] = get_args(Verify)


class UploadOptions(TypedDict, total=False):
    """How an object is written (every key optional; defaults in :data:`UPLOAD_DEFAULTS`).

    :param segment_size: cut data bigger than this into segments (default: only what
        exceeds the cluster's ``max_file_size``).
    :param large_object: ``"slo"`` or ``"dlo"``.
    :param segment_container: where segments go (default ``<container>_segments``).
    :param threads: segments sent at once.
    :param content_type: the object's ``Content-Type``.
    :param metadata: user metadata (``X-Object-Meta-*``).
    :param headers: other object headers (``Content-Disposition``...).
    :param delete_at: Unix time at which the object (and its segments) expire.
    :param if_exists: see :data:`IfExists`.
    :param leave_segments: on failure keep the segments sent, for a later resume.
    """

    segment_size: int | None
    large_object: LargeObjectKind
    segment_container: str | None
    threads: int
    content_type: str | None
    metadata: Mapping[str, object] | None
    headers: Mapping[str, object] | None
    delete_at: int | None
    if_exists: IfExists
    leave_segments: bool


UPLOAD_DEFAULTS: UploadOptions = {
    "segment_size": None,
    "large_object": "slo",
    "segment_container": None,
    "threads": 4,
    "content_type": None,
    "metadata": None,
    "headers": None,
    "delete_at": None,
    "if_exists": "replace",
    "leave_segments": False,
}


class CopyOptions(TypedDict, total=False):
    """How a server-side copy (or move) is made.

    :param source_account: copy from another account (``AUTH_x``) of the cluster.
    :param dest_account: copy into another account of the cluster.
    :param fresh_metadata: do not carry the source's metadata over.
    :param metadata: metadata to set on the copy (merged over the source's).
    :param keep_expiry: carry the source's ``X-Delete-At`` (dropped by default).
    :param delete_at: Unix time at which the copy (and its segments) expire, set in the
        request that creates it.
    :param threads: segments copied at once (large objects).
    """

    source_account: str | None
    dest_account: str | None
    fresh_metadata: bool
    metadata: Mapping[str, object] | None
    keep_expiry: bool
    delete_at: int | None
    threads: int


COPY_DEFAULTS: CopyOptions = {
    "source_account": None,
    "dest_account": None,
    "fresh_metadata": False,
    "metadata": None,
    "keep_expiry": False,
    "delete_at": None,
    "threads": 4,
}


class SyncOptions(TypedDict, total=False):
    """How a directory and a prefix are made the same (either way).

    :param compare: see :data:`Compare`.
    :param delete: also delete what the source does not have (objects under the
        prefix, or files under the directory), among the names the filters select.
    :param dry_run: only plan: nothing is sent, written or deleted.
    :param include: shell-style globs on the name relative to the prefix/directory
        (``*`` also matches ``/``); only names matching one of them take part.
    :param exclude: globs whose matches take no part (not sent, not deleted).
    :param threads: files (objects) transferred at once; also the hashing threads.
    """

    compare: Compare
    delete: bool
    dry_run: bool
    include: Sequence[str] | None
    exclude: Sequence[str] | None
    threads: int


class SyncUpOptions(SyncOptions, total=False):
    """A local directory -> prefix sync: the sync options and how objects are written
    (as in :class:`UploadOptions`; ``segment_threads`` are one large object's
    segments sent at once)."""

    segment_size: int | None
    large_object: LargeObjectKind
    segment_container: str | None
    segment_threads: int
    content_type: str | None
    metadata: Mapping[str, object] | None
    headers: Mapping[str, object] | None
    delete_at: int | None
    leave_segments: bool


SYNC_DEFAULTS: SyncOptions = {
    "compare": "md5",
    "delete": False,
    "dry_run": False,
    "include": None,
    "exclude": None,
    "threads": 10,
}
SYNC_UP_DEFAULTS: SyncUpOptions = {
    **SYNC_DEFAULTS,
    "segment_size": None,
    "large_object": "slo",
    "segment_container": None,
    "segment_threads": 4,
    "content_type": None,
    "metadata": None,
    "headers": None,
    "delete_at": None,
    "leave_segments": False,
}


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    """Refuse a value outside an enumeration, naming the choices."""
    if value not in choices:
        raise SwiftValidationError(f"{name}={value!r}; expected one of {', '.join(choices)}")


def _known(given: Mapping[str, object], defaults: Mapping[str, object], what: str) -> None:
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise SwiftValidationError(
            f"unknown {what} option(s) {', '.join(unknown)}; known: {', '.join(defaults)}"
        )


def _check_delete_at(delete_at: int | None) -> None:
    if delete_at is not None and delete_at <= time.time():
        raise SwiftValidationError(f"delete_at={delete_at} is in the past")


def upload_options(given: UploadOptions) -> UploadOptions:
    """The options with defaults filled in, checked before anything is sent."""
    _known(given, UPLOAD_DEFAULTS, "upload")
    options: UploadOptions = {**UPLOAD_DEFAULTS, **given}
    check_choice("if_exists", options["if_exists"], IF_EXISTS)
    check_choice("large_object", options["large_object"], LARGE_OBJECT_KINDS)
    if options["threads"] < 1:
        raise SwiftValidationError(f"threads={options['threads']} must be at least 1")
    _check_delete_at(options["delete_at"])
    return options


def copy_options(given: CopyOptions) -> CopyOptions:
    """The copy options with defaults filled in, checked."""
    _known(given, COPY_DEFAULTS, "copy")
    options: CopyOptions = {**COPY_DEFAULTS, **given}
    if options["delete_at"] is not None and options["keep_expiry"]:
        raise SwiftValidationError("give delete_at or keep_expiry, not both")
    _check_delete_at(options["delete_at"])
    return options


def sync_options(given: SyncOptions) -> SyncOptions:
    """The Swift -> local sync options with defaults filled in, checked."""
    _known(given, SYNC_DEFAULTS, "sync")
    options: SyncOptions = {**SYNC_DEFAULTS, **given}
    _check_sync(options)
    return options


def sync_up_options(given: SyncUpOptions) -> SyncUpOptions:
    """The local -> Swift sync options with defaults filled in, checked."""
    _known(given, SYNC_UP_DEFAULTS, "sync")
    options: SyncUpOptions = {**SYNC_UP_DEFAULTS, **given}
    _check_sync(options)
    check_choice("large_object", options["large_object"], LARGE_OBJECT_KINDS)
    if options["segment_threads"] < 1:
        raise SwiftValidationError(
            f"segment_threads={options['segment_threads']} must be at least 1"
        )
    _check_delete_at(options["delete_at"])
    return options


def _check_sync(options: SyncOptions) -> None:
    check_choice("compare", options["compare"], COMPARE)
    if options["threads"] < 1:
        raise SwiftValidationError(f"threads={options['threads']} must be at least 1")
    for key in ("include", "exclude"):
        value = options[key]
        if isinstance(value, str):
            raise SwiftValidationError(f"{key} must be a list of globs, not one string")
