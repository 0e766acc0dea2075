"""Swift to Swift: an object or a prefix copied to another connection."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any, cast

from airflow_provider_swift.client import SwiftValidationError
from airflow_provider_swift.client.base.options import (
    TRANSFER_DEFAULTS,
    LargeObjectKind,
    TransferIfExists,
    TransferOptions,
)
from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.openlineage import lineage
from airflow_provider_swift.operators.base import SwiftBaseOperator, option_values, templated_int
from airflow_provider_swift.operators.results import DEFAULT_REPORT_THRESHOLD, scaled


class SwiftToSwiftOperator(SwiftBaseOperator):
    """Copy an object, or every object under a prefix, from one Swift connection to
    another (another account, or another cluster).

    On one cluster the copy is server-side (no data through the worker). Between
    clusters each object is streamed from a GET into a PUT -- no local file -- and
    checked end to end: a plain object's MD5 against the source's ETag, a large
    object segment by segment (its segments MD5 for MD5, its manifest ETag equal to
    the source's). Objects bigger than the destination takes become large objects.
    Identical objects are skipped (one listing of each side for a prefix), so a task
    retry copies only what is missing; a large object resumes from its stored segments.

    :param swift_conn_id: the source connection (templated).
    :param dest_swift_conn_id: the destination connection (templated).
    :param source_container: (templated)
    :param source_name: the object to copy (templated); or give ``source_prefix``.
    :param source_prefix: copy every object under this prefix (templated; ``""`` for
        the whole container).
    :param dest_container: (templated)
    :param dest_name: the copy's name (templated; default ``source_name``).
    :param dest_prefix: the prefix replacing ``source_prefix`` (templated; default the same).
    :param if_exists: ``skip_identical`` (default) or ``replace`` (templated).
    :param object_threads: objects copied at once (with ``source_prefix``; not templated).
    :param segment_threads: segments of one large object copied at once (not templated).
    :param segment_size: cut streamed objects bigger than this into segments (templated).
    :param large_object: ``slo`` or ``dlo`` for large objects written by streaming
        (templated).
    :param leave_segments: keep the segments of a failed large object for the retry
        (a switch, not templated).
    :param server_side: copy server-side when both are on one cluster (a switch, not
        templated).
    :param report_threshold: up to this many objects, return each one's result; past
        it, the summary and a JSON report in Swift with every object's (not templated).
    :param report_container: where that report goes, on the destination (default
        ``<dest_container>_reports``; templated).
    :return: one object: ``{source, destination, etag, bytes, method, ...}``; a
        prefix: ``{objects, counts, bytes, examples}`` (the summary) and either
        ``objects``, every object's result, or past ``report_threshold``, ``report``:
        ``{container, name}`` of the JSON report (as the sync operator).
    """

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "dest_swift_conn_id",
        "source_container",
        "source_name",
        "source_prefix",
        "dest_container",
        "dest_name",
        "dest_prefix",
        "if_exists",
        "segment_size",
        "large_object",
        "report_container",
    )

    def __init__(
        self,
        *,
        dest_swift_conn_id: str,
        source_container: str,
        dest_container: str,
        source_name: str | None = None,
        source_prefix: str | None = None,
        dest_name: str | None = None,
        dest_prefix: str | None = None,
        if_exists: TransferIfExists = "skip_identical",
        object_threads: int = 4,
        segment_threads: int = 4,
        segment_size: int | str | None = None,
        large_object: LargeObjectKind = "slo",
        leave_segments: bool = True,
        server_side: bool = True,
        report_threshold: int = DEFAULT_REPORT_THRESHOLD,
        report_container: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (source_name is None) == (source_prefix is None):
            raise SwiftValidationError("give source_name or source_prefix (one of them)")
        if source_prefix is not None and dest_name is not None:
            raise SwiftValidationError("dest_name goes with source_name; use dest_prefix")
        if source_name is not None and dest_prefix is not None:
            raise SwiftValidationError("dest_prefix goes with source_prefix; use dest_name")
        self.dest_swift_conn_id = dest_swift_conn_id
        self.source_container = source_container
        self.source_name = source_name
        self.source_prefix = source_prefix
        self.dest_container = dest_container
        self.dest_name = dest_name
        self.dest_prefix = dest_prefix
        self.if_exists = if_exists
        self.object_threads = object_threads
        self.segment_threads = segment_threads
        self.segment_size = segment_size
        self.large_object = large_object
        self.leave_segments = leave_segments
        self.server_side = server_side
        self.report_threshold = report_threshold
        self.report_container = report_container

    @cached_property
    def dest_hook(self) -> SwiftHook:
        return SwiftHook(swift_conn_id=self.dest_swift_conn_id)

    def transfer_options(self) -> TransferOptions:
        return cast(
            TransferOptions,
            option_values(self, TRANSFER_DEFAULTS, segment_size=templated_int(self.segment_size)),
        )

    def get_openlineage_facets_on_start(self) -> Any:
        """Input: the source object (or prefix); output: the copy."""
        source = self.source_name if self.source_name is not None else self.source_prefix
        dest = self.dest_name or self.dest_prefix or source
        return lineage(
            inputs=[(self.source_container, source or "")],
            outputs=[(self.dest_container, dest or "")],
        )

    def execute(self, context: Any) -> dict[str, Any]:
        if self.source_name is not None:
            return self.hook.transfer_object(
                self.dest_hook,
                self.source_container,
                self.source_name,
                self.dest_container,
                self.dest_name or self.source_name,
                **self.transfer_options(),
            )
        result = self.hook.transfer_prefix(
            self.dest_hook,
            self.source_container,
            self.source_prefix or "",
            self.dest_container,
            self.dest_prefix,
            **self.transfer_options(),
        )
        summary, objects = result["summary"], result["objects"]
        big = scaled(
            self.dest_hook,
            context,
            objects,
            summary,
            threshold=self.report_threshold,
            container=self.report_container or f"{self.dest_container}_reports",
        )
        return big if big is not None else {**summary, "objects": objects}
