"""Server-side copy and move."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, cast

from airflow_provider_swift.client.base.options import COPY_DEFAULTS, CopyOptions
from airflow_provider_swift.openlineage import lineage
from airflow_provider_swift.operators.base import (
    SwiftBaseOperator,
    option_values,
    templated_int,
)


class SwiftCopyObjectOperator(SwiftBaseOperator):
    """Copy an object inside Swift: no data through the worker, no 5 GiB limit.

    A large object's copy gets segments of its own (copied server-side), so the two
    objects never share segments. The copy keeps the source's metadata (unless
    ``fresh_metadata``) but not its expiry (unless ``keep_expiry``).

    :param source_container: (templated)
    :param source_name: (templated)
    :param dest_container: (templated)
    :param dest_name: (templated)
    :param source_account: copy from another account of the cluster (``AUTH_x``)
        (templated).
    :param dest_account: copy into another account of the cluster (templated).
    :param fresh_metadata: start the copy with no metadata (a switch, not templated).
    :param metadata: metadata to set on the copy (templated).
    :param keep_expiry: carry ``X-Delete-At`` over (a switch, not templated).
    :param delete_at: Unix time at which the copy expires (templated).
    :param delete_after: seconds after which the copy expires (templated); set in the
        request that creates the copy, so it never exists without its expiry.
    :param segment_threads: segments of a large object copied at once.
    :return: ``{source, destination, etag, bytes, large_object, segments}``.
    """

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "source_container",
        "source_name",
        "dest_container",
        "dest_name",
        "source_account",
        "dest_account",
        "metadata",
        "delete_at",
        "delete_after",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"metadata": "json"}
    _verb = "copy_object"

    def __init__(
        self,
        *,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        source_account: str | None = None,
        dest_account: str | None = None,
        fresh_metadata: bool = False,
        metadata: Mapping[str, object] | None = None,
        keep_expiry: bool = False,
        delete_at: float | str | None = None,
        delete_after: float | str | None = None,
        segment_threads: int = 4,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source_container = source_container
        self.source_name = source_name
        self.dest_container = dest_container
        self.dest_name = dest_name
        self.source_account = source_account
        self.dest_account = dest_account
        self.fresh_metadata = fresh_metadata
        self.metadata = metadata
        self.keep_expiry = keep_expiry
        self.delete_at = delete_at
        self.delete_after = delete_after
        self.segment_threads = segment_threads

    def get_openlineage_facets_on_start(self) -> Any:
        """Input: the source; output: the copy (for a move, marked RENAME)."""
        source = (self.source_container, self.source_name)
        moved = self._verb == "move_object"
        return lineage(
            inputs=[source],
            outputs=[(self.dest_container, self.dest_name)],
            lifecycle="RENAME" if moved else None,
            previous=source if moved else None,
        )

    def execute(self, context: Any) -> dict[str, Any]:
        run = self.hook.move_object if self._verb == "move_object" else self.hook.copy_object
        return run(
            self.source_container,
            self.source_name,
            self.dest_container,
            self.dest_name,
            delete_after=templated_int(self.delete_after),
            **self.copy_options(),
        )

    def copy_options(self) -> CopyOptions:
        """The options as the hook takes them (templated numbers arrive as strings)."""
        delete_at = templated_int(self.delete_at)
        return cast(CopyOptions, option_values(self, COPY_DEFAULTS, delete_at=delete_at))


class SwiftMoveObjectOperator(SwiftCopyObjectOperator):
    """Move ("rename") an object: Swift cannot rename, so this is a verified
    server-side copy, then a delete of the source only if it is still exactly the
    version copied. If the source changed in between, the task fails and nothing is
    deleted. Arguments as :class:`SwiftCopyObjectOperator`.

    Retries are safe: if the source is gone and the destination exists, an earlier
    attempt completed the move, and the task succeeds (with a warning; the result says
    ``already_moved``) -- see :meth:`~airflow_provider_swift.hooks.swift.SwiftHook.move_object`.
    """

    _verb = "move_object"
