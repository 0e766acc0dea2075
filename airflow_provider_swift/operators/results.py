"""Results that scale: past a number of objects, a summary in XCom and the full
per-object report as a JSON object in Swift.

An XCom lives in Airflow's metadata database; 100,000 entries in one would burden
the database and every task that pulls it. So a many-object operator returns its
per-object list only up to ``report_threshold`` entries; past that it returns the
counts, bytes and a few example names per action, and the name of a JSON object
(``{"summary": ..., "objects": [...]}``) holding every entry. The report is written
to a temporary file entry by entry, then uploaded: memory does not grow with it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from airflow_provider_swift.client.transfers.plan import PlanSummary
from airflow_provider_swift.hooks.swift import SwiftHook

#: Default number of objects up to which an operator returns them all in XCom.
DEFAULT_REPORT_THRESHOLD = 1000


def report_name(context: Mapping[str, Any]) -> str:
    """``<dag_id>/<run_id>/<task_id>[.<map_index>].json``: one report per task try
    that finishes (a retry overwrites the failed try's)."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", None) or "dag"
    run_id = getattr(ti, "run_id", None) or "run"
    task_id = getattr(ti, "task_id", None) or "task"
    map_index = getattr(ti, "map_index", -1)
    suffix = f".{map_index}" if isinstance(map_index, int) and map_index >= 0 else ""
    return f"{dag_id}/{run_id}/{task_id}{suffix}.json"


def summarize(
    entries: Iterable[Mapping[str, Any]], action: Callable[[Mapping[str, Any]], str]
) -> dict[str, Any]:
    """Counts, bytes and examples per action of per-object entries."""
    summary = PlanSummary({}, {}, {})
    for entry in entries:
        summary.add(action(entry), str(entry.get("name", "")), int(entry.get("bytes") or 0))
    return summary.as_dict()


def write_report(
    hook: SwiftHook,
    container: str,
    name: str,
    summary: Mapping[str, Any],
    entries: Iterable[Any],
) -> dict[str, str]:
    """Write ``{"summary": ..., "objects": [...]}`` to ``container/name`` (the
    container is created if needed), streaming the entries through a temporary file.

    :return: ``{"container": ..., "name": ...}`` of the report.
    """
    hook.client.put_container(container)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        try:
            handle.write('{"summary": ' + json.dumps(summary) + ', "objects": [')
            for index, entry in enumerate(entries):
                handle.write(("," if index else "") + "\n" + json.dumps(entry))
            handle.write("\n]}\n")
            handle.close()
            hook.upload_file(container, name, handle.name, content_type="application/json")
        finally:
            os.unlink(handle.name)
    return {"container": container, "name": name}


def scaled(
    hook: SwiftHook,
    context: Mapping[str, Any],
    entries: list[Any],
    summary: Mapping[str, Any],
    *,
    threshold: int,
    container: str,
) -> dict[str, Any] | None:
    """None when ``entries`` fit in XCom (the caller returns them as they are); else
    the summary with a ``report`` naming the JSON object written with all of them."""
    if len(entries) <= threshold:
        return None
    report = write_report(hook, container, report_name(context), summary, entries)
    return {**summary, "report": report}
