"""Tree sync: a local directory and a prefix made the same, planned from one listing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, cast

from airflow_provider_swift.client import SwiftValidationError
from airflow_provider_swift.client.base.options import (
    SYNC_DEFAULTS,
    SYNC_UP_DEFAULTS,
    Compare,
    LargeObjectKind,
    SyncOptions,
    SyncUpOptions,
    check_choice,
)
from airflow_provider_swift.openlineage import lineage
from airflow_provider_swift.operators.base import (
    SwiftBaseOperator,
    check_choice_or_template,
    option_values,
    templated_int,
)
from airflow_provider_swift.operators.results import DEFAULT_REPORT_THRESHOLD, scaled

DIRECTIONS = ("up", "down")


class SwiftSyncOperator(SwiftBaseOperator):
    """Make ``container/prefix`` hold what a local directory holds (``direction="up"``),
    or the directory hold what the prefix holds (``"down"``).

    One listing of the prefix decides what to send, fetch, skip or delete; local
    MD5s are computed ``object_threads`` at once, only where sizes agree. New and
    changed files go ``object_threads`` at a time (large ones as large objects, their
    segments ``segment_threads`` at a time); downloads are verified and
    atomic, and object names that would escape the directory raise
    :class:`SwiftPathTraversalError` before anything is written. A retried task plans
    again and transfers only what is still missing.

    :param container: the container (templated).
    :param prefix: the prefix, e.g. ``"landing/2026-11-28/"`` (templated).
    :param directory: the local directory (templated).
    :param direction: ``"up"`` (directory -> prefix) or ``"down"`` (templated).
    :param compare: ``"md5"`` (default) or ``"size_mtime"`` (templated).
    :param delete: also delete what the source lacks (among the selected names; a
        switch, not templated).
    :param dry_run: only return the plan (a switch, not templated).
    :param include: globs on names relative to the prefix; only matches take part
        (templated).
    :param exclude: globs whose matches take no part (templated).
    :param object_threads: files transferred (and hashed) at once (not templated).
    :param segment_threads: segments of one large object sent or fetched at once (not
        templated).
    :param report_threshold: past this many objects, return a summary and write the
        per-object list as a JSON object in Swift (see :mod:`.results`).
    :param report_container: where that report goes (default ``<container>_reports``)
        (templated).
    :param kwargs: up only: ``content_type``, ``metadata``, ``headers``,
        ``delete_at``/``delete_after``, ``segment_size``, ``large_object``,
        ``segment_container`` (all templated), ``leave_segments``.
    :param follow_symlinks: (up) follow symbolic links that stay inside the directory;
        by default links are left out and counted as skipped (a switch, not templated).
    :param outside_links: (up) with ``follow_symlinks``, follow links leaving the
        directory too (a switch, not templated).
    :return: ``direction``, ``container``, ``prefix``, ``directory``, ``dry_run``,
        ``counts``/``bytes``/``examples`` per action (``put``, ``get``, ``skip``,
        ``delete``, ``check``), and ``objects`` (one entry per object) -- or, past
        ``report_threshold``, ``report``: ``{container, name}`` of the JSON report.
    """

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "container",
        "prefix",
        "directory",
        "direction",
        "compare",
        "include",
        "exclude",
        "report_container",
        "metadata",
        "headers",
        "content_type",
        "delete_at",
        "delete_after",
        "segment_size",
        "large_object",
        "segment_container",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"metadata": "json", "headers": "json"}

    def __init__(
        self,
        *,
        container: str,
        directory: str,
        prefix: str = "",
        direction: Literal["up", "down"] = "up",
        compare: Compare = "md5",
        delete: bool = False,
        dry_run: bool = False,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] | None = None,
        object_threads: int = 10,
        segment_threads: int = 4,
        report_threshold: int = DEFAULT_REPORT_THRESHOLD,
        report_container: str | None = None,
        content_type: str | None = None,
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        delete_at: int | str | None = None,
        delete_after: int | str | None = None,
        segment_size: int | str | None = None,
        large_object: LargeObjectKind = "slo",
        segment_container: str | None = None,
        leave_segments: bool = False,
        follow_symlinks: bool = False,
        outside_links: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_choice_or_template("direction", direction, DIRECTIONS)
        self.container = container
        self.directory = directory
        self.prefix = prefix
        self.direction = direction
        self.compare: Compare = compare
        self.delete = delete
        self.plan_only = dry_run  # BaseOperator.dry_run is a method
        self.include = include
        self.exclude = exclude
        self.object_threads = object_threads
        self.segment_threads = segment_threads
        self.report_threshold = report_threshold
        self.report_container = report_container
        self.content_type = content_type
        self.metadata = metadata
        self.headers = headers
        self.delete_at = delete_at
        self.delete_after = delete_after
        self.segment_size = segment_size
        self.large_object: LargeObjectKind = large_object
        self.segment_container = segment_container
        self.leave_segments = leave_segments
        self.follow_symlinks = follow_symlinks
        self.outside_links = outside_links
        self._moved: list[str] = []

    def execute(self, context: Any) -> dict[str, Any]:
        check_choice("direction", self.direction, DIRECTIONS)
        given = {
            "dry_run": self.plan_only,
            "include": list(self.include) if self.include else None,
            "exclude": list(self.exclude) if self.exclude else None,
            "delete_at": templated_int(self.delete_at),
            "segment_size": templated_int(self.segment_size),
            "segment_container": self.segment_container or None,
        }
        if self.direction == "up":
            up = cast(SyncUpOptions, option_values(self, SYNC_UP_DEFAULTS, **given))
            result = self.hook.sync_up(
                self.directory,
                self.container,
                self.prefix,
                delete_after=templated_int(self.delete_after),
                **up,
            )
        else:
            if self.delete_at is not None or self.delete_after is not None:
                raise SwiftValidationError("delete_at/delete_after are for direction='up'")
            down = cast(SyncOptions, option_values(self, SYNC_DEFAULTS, **given))
            result = self.hook.sync_down(self.container, self.prefix, self.directory, **down)
        moved = "put" if self.direction == "up" else "get"
        self._moved = [name for action, name, *_ in result.records if action == moved]
        summary = result.as_dict()
        objects = list(result.objects())
        big = scaled(
            self.hook,
            context,
            objects,
            summary,
            threshold=self.report_threshold,
            container=self.report_container or f"{self.container}_reports",
        )
        return big if big is not None else {**summary, "objects": objects}

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Inputs or outputs: the objects sent or fetched."""
        pairs = [(self.container, name) for name in self._moved]
        return lineage(outputs=pairs) if self.direction == "up" else lineage(inputs=pairs)
