"""Quickstart: create a container, upload an extract, list it, download and verify it.

Runs against the connection ``swift_default``. The README's main-job command runs
this DAG with ``airflow dags test`` against an embedded local Swift.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
import time
from datetime import datetime
from typing import Any

from airflow.sdk import dag, task

CONTAINER = "quickstart"
ROWS = 200_000


@dag(
    dag_id="example_swift_quickstart",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["example", "swift"],
)
def example_swift_quickstart() -> None:
    @task
    def create_container() -> str:
        from airflow_provider_swift.hooks.swift import SwiftHook

        created = SwiftHook().create_container(CONTAINER, metadata={"purpose": "quickstart"})
        print(f"container {CONTAINER!r} {'created' if created else 'already existed'}")
        return CONTAINER

    @task(multiple_outputs=False)
    def upload_extract(container: str) -> dict[str, Any]:
        from airflow_provider_swift.hooks.swift import SwiftHook

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "extract.csv")
            with open(path, "w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["id", "name", "amount"])
                writer.writerows((i, f"customer-{i}", i * 3 % 1000) for i in range(ROWS))
            started = time.monotonic()
            result = SwiftHook().upload_file(
                container, "daily/extract.csv", path, content_type="text/csv"
            )
            seconds = time.monotonic() - started
        print(
            f"uploaded {result['name']}: {result['bytes']:,} bytes, ETag {result['etag']}, "
            f"{seconds:.2f}s ({result['bytes'] / max(seconds, 1e-9) / 1e6:.1f} MB/s)"
        )
        return result

    @task
    def list_container(uploaded: dict[str, Any]) -> list[str]:
        from airflow_provider_swift.hooks.swift import SwiftHook

        hook = SwiftHook()
        for entry in hook.iter_objects(uploaded["container"], prefix="daily/"):
            print(f"listed {entry['name']}: {entry['bytes']:,} bytes, ETag {entry['hash']}")
        return hook.list_objects(uploaded["container"], prefix="daily/")

    @task
    def download_and_verify(uploaded: dict[str, Any]) -> str:
        from airflow_provider_swift.hooks.swift import SwiftHook

        with tempfile.TemporaryDirectory() as tmp:
            target = os.path.join(tmp, "extract.csv")
            started = time.monotonic()
            result = SwiftHook().download_file(uploaded["container"], uploaded["name"], target)
            seconds = time.monotonic() - started
            with open(target, "rb") as handle:
                md5 = hashlib.md5(handle.read(), usedforsecurity=False).hexdigest()
        if md5 != uploaded["etag"]:
            raise ValueError(f"downloaded MD5 {md5} != uploaded ETag {uploaded['etag']}")
        print(f"downloaded {result['bytes']:,} bytes in {seconds:.2f}s; MD5 {md5} matches the ETag")
        return md5

    uploaded = upload_extract(create_container())
    list_container(uploaded)
    download_and_verify(uploaded)


example_swift_quickstart()
