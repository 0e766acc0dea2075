"""Ingestion past one machine: a landing prefix split into batches, one mapped task
per batch, on whichever worker is free.

``plan`` lists ``ingest-landing/incoming/`` once and cuts the names into batches of
``batch_size``; ``ingest`` is mapped over the batches (``.expand()``), so with the
CeleryExecutor (or any executor with several workers) each batch runs on whichever
worker is free; ``report`` merges what the batches did.

Each batch copies its objects into the lake container (``ingest-lake``) with
``SwiftHook.transfer_object`` -- server-side here, both containers being on one
cluster; give the lake its own connection (``swift_lake``) and the same code streams
between clusters, MD5-checked end to end -- then deletes them from ``incoming/``. A
retried batch finds what an earlier try copied identical in the lake and skips it:
nothing is uploaded twice. The copy records who ingested it
(``X-Object-Meta-Ingested-By``: the ``SWIFT_INGEST_WORKER`` environment variable
of the worker, else its host name).

Runs against the connection ``swift_default`` (and ``swift_lake`` if defined).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime
from typing import Any

from airflow.sdk import dag, task

LANDING = "ingest-landing"
INCOMING = "incoming/"
LAKE = "ingest-lake"
#: The lake's connection, if defined; else the landing's.
LAKE_CONN_ID = "swift_lake"


def _worker() -> str:
    return os.environ.get("SWIFT_INGEST_WORKER") or socket.gethostname()


@dag(
    dag_id="example_swift_ingest_mapped",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"batch_size": 25},
    tags=["example", "swift"],
)
def example_swift_ingest_mapped() -> None:
    # [START howto_swift_ingest_mapped]
    @task
    def plan(params: Any = None) -> list[list[str]]:
        """One listing of the landing prefix, cut into batches."""
        from airflow_provider_swift.hooks.swift import SwiftHook

        size = int((params or {}).get("batch_size", 25))
        names = SwiftHook().list_objects(LANDING, prefix=INCOMING)
        batches = [names[i : i + size] for i in range(0, len(names), size)]
        print(f"{len(names)} objects under /{LANDING}/{INCOMING}: {len(batches)} batches")
        return batches

    @task(retries=2)
    def ingest(batch: list[str]) -> dict[str, Any]:
        """Copy one batch into the lake (identical copies skipped), then delete it
        from the landing prefix."""
        from airflow.providers.common.compat.sdk import BaseHook

        from airflow_provider_swift.client import SwiftNotFoundError
        from airflow_provider_swift.hooks.swift import SwiftHook

        landing = SwiftHook()
        try:
            BaseHook.get_connection(LAKE_CONN_ID)
            lake = SwiftHook(LAKE_CONN_ID)
        except Exception:  # no lake connection: the lake is on the landing's cluster
            lake = landing
        lake.create_container(LAKE)
        worker = _worker()
        done: dict[str, list[str]] = {"copied": [], "skipped": []}
        size = 0
        for name in batch:
            try:
                result = landing.transfer_object(lake, LANDING, name, LAKE, name)
            except SwiftNotFoundError:  # an earlier try copied and deleted it
                continue
            if result["method"] != "skipped":
                lake.update_object_metadata(LAKE, name, {"ingested-by": worker})
            done["skipped" if result["method"] == "skipped" else "copied"].append(name)
            size += result["bytes"]
        landing.delete_objects_with_segments(LANDING, batch)
        print(f"{worker}: {len(done['copied'])} copied, {len(done['skipped'])} skipped")
        return {"worker": worker, "bytes": size, **done}

    @task
    def report(results: list[dict[str, Any]]) -> dict[str, Any]:
        """The batches' results merged."""
        merged: dict[str, Any] = {
            "batches": 0,
            "copied": 0,
            "skipped": 0,
            "bytes": 0,
            "workers": {},
        }
        for result in results:
            merged["batches"] += 1
            merged["copied"] += len(result["copied"])
            merged["skipped"] += len(result["skipped"])
            merged["bytes"] += result["bytes"]
            workers = merged["workers"]
            workers[result["worker"]] = workers.get(result["worker"], 0) + 1
        print(f"ingested: {merged}")
        return merged

    report(ingest.expand(batch=plan()))
    # [END howto_swift_ingest_mapped]


example_swift_ingest_mapped()
