"""OpenLineage datasets for Swift objects, and the lineage of each operator.

A Swift object is the dataset ``swift://<container>`` / ``<object name>`` -- the
same shape as ``s3://bucket`` / ``key`` -- so lineage reads like the paths users
write. Deletes and expiries mark their datasets ``DROP``; a move marks its
destination ``RENAME`` with the source as previous identifier.

The OpenLineage provider is optional: these functions are called by its listener
only when it is installed, and import it only then.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SCHEME = "swift"


def namespace(container: str) -> str:
    return f"{SCHEME}://{container}"


def dataset(container: str, name: str, lifecycle: str | None = None, previous: Any = None) -> Any:
    """An OpenLineage ``Dataset`` for an object (``lifecycle``: e.g. ``"DROP"``)."""
    from airflow.providers.common.compat.openlineage.facet import (
        Dataset,
        LifecycleStateChange,
        LifecycleStateChangeDatasetFacet,
        PreviousIdentifier,
    )

    facets: dict[str, Any] = {}
    if lifecycle:
        facets["lifecycleStateChange"] = LifecycleStateChangeDatasetFacet(
            lifecycleStateChange=LifecycleStateChange[lifecycle],
            previousIdentifier=(
                PreviousIdentifier(namespace=namespace(previous[0]), name=previous[1])
                if previous
                else None
            ),
        )
    return Dataset(namespace=namespace(container), name=name, facets=facets)


def lineage(
    inputs: Iterable[tuple[str, str]] = (),
    outputs: Iterable[tuple[str, str]] = (),
    *,
    lifecycle: str | None = None,
    previous: tuple[str, str] | None = None,
) -> Any:
    """An ``OperatorLineage`` from (container, name) pairs."""
    from airflow.providers.openlineage.extractors import OperatorLineage

    return OperatorLineage(
        inputs=[dataset(c, n) for c, n in inputs],
        outputs=[dataset(c, n, lifecycle, previous) for c, n in outputs],
    )
