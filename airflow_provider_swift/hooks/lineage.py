"""Hook-level lineage: the hook tells Airflow's hook lineage collector which objects it
read and wrote, so lineage is known even when a ``@task`` calls the hook directly
(no operator, no OpenLineage facets of its own).

Assets are ``swift://<container>/<object>`` (the provider's ``asset-uris`` factory).
Collecting is a no-op unless a hook lineage reader (e.g. the OpenLineage provider)
is installed, and it never makes a transfer fail.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def _collector() -> Any:
    from airflow.providers.common.compat.lineage.hook import get_hook_lineage_collector

    return get_hook_lineage_collector()  # type: ignore[no-untyped-call]


def record(
    hook: Any, *, read: tuple[str, str] | None = None, wrote: tuple[str, str] | None = None
) -> None:
    """Report the object read and/or written by ``hook`` (container, name)."""
    try:
        collector = _collector()
        if read is not None:
            collector.add_input_asset(
                context=hook, scheme="swift", asset_kwargs={"container": read[0], "name": read[1]}
            )
        if wrote is not None:
            collector.add_output_asset(
                context=hook, scheme="swift", asset_kwargs={"container": wrote[0], "name": wrote[1]}
            )
    except Exception as exc:  # lineage is best effort; the data already moved
        log.debug("Hook lineage not recorded: %s", exc)
