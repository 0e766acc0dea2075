"""Options as data: the typed option sets of uploads, syncs, copies and transfers, and
their enumerations.

The same options reach the client from the hook and from the operators. They are
declared once, here, as ``TypedDict`` s with ``Literal`` enumerations, each option in
one part, and the option sets composed of those parts (the upload options inside the
sync options; the segment options inside the transfer options), with their defaults
and checks composed the same way. A call such as
``hook.upload_file(c, o, path, if_exists="fial")`` or an unknown option is a mypy
error, and at run time :func:`upload_options`, :func:`sync_up_options`,
:func:`copy_options`, :func:`transfer_options`... refuse it with a
:class:`SwiftValidationError` naming the choices. Operators build their option dicts
from the keys of these defaults (``UPLOAD_DEFAULTS``...), never by listing keys again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Literal, TypedDict, cast, get_args

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
#: What a transfer does when the destination object exists: overwrite it, or leave
#: it alone when it holds the same bytes (a transfer has no create-only mode).
TransferIfExists = Literal["replace", "skip_identical"]
TRANSFER_IF_EXISTS: tuple[str, ...] = get_args(TransferIfExists)

# -- the parts -------------------------------------------------------------------------
#
# Each option is declared once, in one part; the option sets below are made of parts
# (``UploadOptions`` inside ``SyncUpOptions``...), and so are their defaults and their
# checks. The two concurrency knobs are the same everywhere (docs/operators.md,
# "Concurrency"): ``object_threads``, objects (files) transferred at once, and
# ``segment_threads``, segments of one large object sent, copied or fetched at once.


class ObjectThreads(TypedDict, total=False):
    """How many objects at once.

    :param object_threads: objects (files) transferred at once (a sync also hashes
        local files ``object_threads`` at once).
    """

    object_threads: int


class SegmentThreads(TypedDict, total=False):
    """How many segments at once.

    :param segment_threads: segments of one large object sent, copied or fetched at once.
    """

    segment_threads: int


class SegmentOptions(SegmentThreads, total=False):
    """How a large object is cut and written.

    :param segment_size: cut data bigger than this into segments (default: only what
        exceeds the cluster's ``max_file_size``).
    :param large_object: ``"slo"`` or ``"dlo"``.
    :param leave_segments: on failure keep the segments sent, for a later resume.
    """

    segment_size: int | None
    large_object: LargeObjectKind
    leave_segments: bool


class ObjectOptions(SegmentOptions, total=False):
    """How an object is written (besides what to do when it exists).

    :param segment_container: where segments go (default ``<container>_segments``).
    :param content_type: the object's ``Content-Type``.
    :param metadata: user metadata (``X-Object-Meta-*``).
    :param headers: other object headers (``Content-Disposition``...).
    :param delete_at: Unix time at which the object (and its segments) expire.
    """

    segment_container: str | None
    content_type: str | None
    metadata: Mapping[str, object] | None
    headers: Mapping[str, object] | None
    delete_at: int | None


class UploadOptions(ObjectOptions, total=False):
    """How an object is written (every key optional; defaults in :data:`UPLOAD_DEFAULTS`):
    :class:`ObjectOptions` and

    :param if_exists: see :data:`IfExists`.
    """

    if_exists: IfExists


OBJECT_THREADS_DEFAULTS: ObjectThreads = {"object_threads": 4}
SEGMENT_DEFAULTS: SegmentOptions = {
    "segment_size": None,
    "large_object": "slo",
    "segment_threads": 4,
    "leave_segments": False,
}
OBJECT_DEFAULTS: ObjectOptions = {
    **SEGMENT_DEFAULTS,
    "segment_container": None,
    "content_type": None,
    "metadata": None,
    "headers": None,
    "delete_at": None,
}
UPLOAD_DEFAULTS: UploadOptions = {**OBJECT_DEFAULTS, "if_exists": "replace"}


class CopyOptions(SegmentThreads, total=False):
    """How a server-side copy (or move) is made (a large object's segments are copied
    ``segment_threads`` at once).

    :param source_account: copy from another account (``AUTH_x``) of the cluster.
    :param dest_account: copy into another account of the cluster.
    :param fresh_metadata: do not carry the source's metadata over.
    :param metadata: metadata to set on the copy (merged over the source's).
    :param keep_expiry: carry the source's ``X-Delete-At`` (dropped by default).
    :param delete_at: Unix time at which the copy (and its segments) expire, set in the
        request that creates it.
    """

    source_account: str | None
    dest_account: str | None
    fresh_metadata: bool
    metadata: Mapping[str, object] | None
    keep_expiry: bool
    delete_at: int | None


COPY_DEFAULTS: CopyOptions = {
    "source_account": None,
    "dest_account": None,
    "fresh_metadata": False,
    "metadata": None,
    "keep_expiry": False,
    "delete_at": None,
    "segment_threads": SEGMENT_DEFAULTS["segment_threads"],
}


class SyncOptions(ObjectThreads, SegmentThreads, total=False):
    """How a directory and a prefix are made the same (either way); files go
    ``object_threads`` at once, a large object's segments ``segment_threads`` at once.

    :param compare: see :data:`Compare`.
    :param delete: also delete what the source does not have (objects under the
        prefix, or files under the directory), among the names the filters select.
    :param dry_run: only plan: nothing is sent, written or deleted.
    :param include: shell-style globs on the name relative to the prefix/directory
        (``*`` also matches ``/``); only names matching one of them take part.
    :param exclude: globs whose matches take no part (not sent, not deleted).
    """

    compare: Compare
    delete: bool
    dry_run: bool
    include: Sequence[str] | None
    exclude: Sequence[str] | None


class SyncUpOptions(SyncOptions, ObjectOptions, total=False):
    """A local directory -> prefix sync: :class:`SyncOptions`, how objects are
    written (:class:`ObjectOptions`), and which links the walk follows.

    :param follow_symlinks: follow symbolic links that stay inside the directory
        (default: links are left out, and reported as skipped); a loop is a failure.
    :param outside_links: with ``follow_symlinks``, also follow links that leave the
        directory (default: each is a failure naming it).
    """

    follow_symlinks: bool
    outside_links: bool


SYNC_DEFAULTS: SyncOptions = {
    "compare": "md5",
    "delete": False,
    "dry_run": False,
    "include": None,
    "exclude": None,
    "object_threads": 10,
    "segment_threads": SEGMENT_DEFAULTS["segment_threads"],
}
SYNC_UP_DEFAULTS: SyncUpOptions = {
    **OBJECT_DEFAULTS,
    **SYNC_DEFAULTS,
    "follow_symlinks": False,
    "outside_links": False,
}


class TransferOptions(SegmentOptions, ObjectThreads, total=False):
    """How a Swift-to-Swift transfer copies (every key optional; defaults in
    :data:`TRANSFER_DEFAULTS`): :class:`SegmentOptions` (``segment_size`` and
    ``large_object`` for large objects written on the destination by streaming;
    ``leave_segments`` defaults to True, so a retry sends only the missing segments),
    ``object_threads`` (objects copied at once) and

    :param if_exists: see :data:`TransferIfExists` (default ``"skip_identical"``).
    :param server_side: copy server-side when both are on the same cluster (default
        True; False always streams).
    """

    if_exists: TransferIfExists
    server_side: bool


TRANSFER_DEFAULTS: TransferOptions = {
    **SEGMENT_DEFAULTS,
    **OBJECT_THREADS_DEFAULTS,
    "leave_segments": True,
    "if_exists": "skip_identical",
    "server_side": True,
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


def _check_threads(options: Mapping[str, object]) -> None:
    """``object_threads`` and ``segment_threads``, where given, are at least 1."""
    for key in ("object_threads", "segment_threads"):
        value = options.get(key)
        if isinstance(value, int) and value < 1:
            raise SwiftValidationError(f"{key}={value} must be at least 1")


def _check_delete_at(delete_at: int | None) -> None:
    if delete_at is not None and delete_at <= time.time():
        raise SwiftValidationError(f"delete_at={delete_at} is in the past")


def _check_segment(options: SegmentOptions) -> None:
    check_choice("large_object", options["large_object"], LARGE_OBJECT_KINDS)
    _check_threads(options)


def _check_object(options: ObjectOptions) -> None:
    _check_segment(options)
    _check_delete_at(options["delete_at"])


def _check_sync(options: SyncOptions) -> None:
    check_choice("compare", options["compare"], COMPARE)
    _check_threads(options)
    for key in ("include", "exclude"):
        value = options[key]
        if isinstance(value, str):
            raise SwiftValidationError(f"{key} must be a list of globs, not one string")


def upload_options(given: UploadOptions) -> UploadOptions:
    """The options with defaults filled in, checked before anything is sent."""
    _known(given, UPLOAD_DEFAULTS, "upload")
    options: UploadOptions = {**UPLOAD_DEFAULTS, **given}
    check_choice("if_exists", options["if_exists"], IF_EXISTS)
    _check_object(options)
    return options


def copy_options(given: CopyOptions) -> CopyOptions:
    """The copy options with defaults filled in, checked."""
    _known(given, COPY_DEFAULTS, "copy")
    options: CopyOptions = {**COPY_DEFAULTS, **given}
    if options["delete_at"] is not None and options["keep_expiry"]:
        raise SwiftValidationError("give delete_at or keep_expiry, not both")
    _check_delete_at(options["delete_at"])
    _check_threads(options)
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
    _check_object(options)
    return options


def object_part(options: Mapping[str, object]) -> UploadOptions:
    """The :class:`ObjectOptions` in a composed option set (a sync's, to upload each
    file with)."""
    return cast(UploadOptions, {k: v for k, v in options.items() if k in OBJECT_DEFAULTS})


def transfer_options(given: TransferOptions) -> TransferOptions:
    """The transfer options with defaults filled in, checked before anything is sent."""
    _known(given, TRANSFER_DEFAULTS, "transfer")
    options: TransferOptions = {**TRANSFER_DEFAULTS, **given}
    check_choice("if_exists", options["if_exists"], TRANSFER_IF_EXISTS)
    _check_segment(options)
    return options
