"""Nightly ETL: wait for the upstream export to change, transform it into an extract,
upload the extract as a segmented large object, and archive a copy that expires.

- ``wait_for_export`` is a deferrable ETag sensor: it compares the export's ETag with
  the one the last successful run processed (kept as metadata on the archive
  container), so a re-upload of identical bytes does not start the pipeline, and
  while it waits the worker slot is free (the triggerer polls with conditional
  ``HEAD`` requests). No new export before the timeout: the run is skipped.
- ``transform_and_upload`` streams the export through a verified download, rewrites
  it row by row, and uploads the extract in segments (a static large object); its
  log shows the transfer's progress.
- ``archive`` copies the extract server-side into the archive container with an
  expiry set as the copy is created; ``remember_export`` records which export
  this run processed.

Runs against the connection ``swift_default``. The README's main-job command seeds
an export and runs this DAG with ``airflow dags test`` against an embedded Swift.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from datetime import datetime
from typing import Any

from airflow.sdk import Param, dag, task

from airflow_provider_swift.operators import SwiftCopyObjectOperator, SwiftUpdateMetadataOperator
from airflow_provider_swift.sensors import SwiftObjectChangedSensor

SOURCE = "etl-source"
EXPORT = "exports/orders.csv"
STAGING = "etl-staging"
ARCHIVE = "etl-archive"
#: the extract's name, as ``transform_and_upload`` returns it
EXTRACT = "{{ ti.xcom_pull(task_ids='transform_and_upload')['name'] }}"
#: metadata key, on the archive container, of the export ETag last processed
PROCESSED = "last-export-etag"


@dag(
    dag_id="example_swift_nightly_etl",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["example", "swift"],
    params={
        "segment_mib": Param(8, type="integer", minimum=1, description="segment size, MiB"),
        "archive_days": Param(30, type="integer", minimum=1, description="archive expiry"),
    },
)
def example_swift_nightly_etl() -> None:
    @task
    def last_processed_export() -> str:
        """Create the containers on a first run; the export ETag last processed ("" if none)."""
        from airflow_provider_swift.hooks.swift import SwiftHook

        hook = SwiftHook()
        for container in (STAGING, ARCHIVE):
            hook.create_container(container)
        headers = hook.head_container(ARCHIVE) or {}
        etag = headers.get(f"x-container-meta-{PROCESSED}", "")
        print(f"last processed export: {etag or 'none yet'}")
        return etag

    # [START howto_sensor_swift_object_changed]
    wait_for_export = SwiftObjectChangedSensor(
        task_id="wait_for_export",
        container=SOURCE,
        name=EXPORT,
        etag="{{ ti.xcom_pull(task_ids='last_processed_export') }}",
        deferrable=True,
        poke_interval=30,
        timeout=6 * 3600,
        soft_fail=True,  # no new export tonight: skip, do not fail
    )
    # [END howto_sensor_swift_object_changed]

    @task(multiple_outputs=False)  # one XCom: Airflow 3.0 rejects its None values one by one
    def transform_and_upload(
        export_etag: str, dag_run: Any = None, params: Any = None
    ) -> dict[str, Any]:
        """Download (verified), transform row by row, upload in segments."""
        from airflow_provider_swift.hooks.swift import SwiftHook

        hook = SwiftHook()
        # the run's day: its logical date, or when it ran if triggered without one
        name = f"orders/{(dag_run.logical_date or dag_run.run_after):%Y-%m-%d}.csv"
        with tempfile.TemporaryDirectory() as tmp:
            export, extract = os.path.join(tmp, "export.csv"), os.path.join(tmp, "extract.csv")
            started = time.monotonic()
            got = hook.download_file(SOURCE, EXPORT, export)
            downloaded = time.monotonic() - started
            if got["etag"] != export_etag:
                raise ValueError(f"the export changed again while read: {got['etag']}")
            rows = transform(export, extract)
            started = time.monotonic()
            result = hook.upload_file(
                STAGING,
                name,
                extract,
                content_type="text/csv",
                segment_size=int(params["segment_mib"]) * 1024 * 1024,
                large_object="slo",
                metadata={"source-etag": export_etag, "rows": rows},
            )
            uploaded = time.monotonic() - started
        print(
            f"export /{SOURCE}/{EXPORT}: {got['bytes']:,} bytes, ETag {export_etag}, "
            f"downloaded and verified in {downloaded:.2f}s"
        )
        print(
            f"extract /{STAGING}/{name}: {rows:,} rows, {result['bytes']:,} bytes "
            + (
                f"in {result['segments']} segments ({result['large_object']})"
                if result["large_object"]
                else "in one object"
            )
            + f", ETag {result['etag']}, "
            f"uploaded in {uploaded:.2f}s ({result['bytes'] / max(uploaded, 1e-9) / 1e6:.1f} MB/s)"
        )
        return result

    # [START howto_operator_swift_copy_with_expiry]
    archive = SwiftCopyObjectOperator(
        task_id="archive",
        source_container=STAGING,
        source_name=EXTRACT,
        dest_container=ARCHIVE,
        dest_name=EXTRACT,
        delete_after="{{ params.archive_days * 86400 }}",
    )
    # [END howto_operator_swift_copy_with_expiry]

    remember_export = SwiftUpdateMetadataOperator(
        task_id="remember_export",
        container=ARCHIVE,
        metadata={PROCESSED: "{{ ti.xcom_pull(task_ids='wait_for_export') }}"},
    )

    @task
    def report(archived: dict[str, Any]) -> None:
        from airflow_provider_swift.hooks.swift import SwiftHook

        stored = SwiftHook().head_object(ARCHIVE, archived["destination"].split("/", 2)[2]) or {}
        expires = datetime.fromtimestamp(int(stored.get("x-delete-at", 0)))
        print(
            f"archived {archived['destination']}: {archived['bytes']:,} bytes, "
            f"ETag {archived['etag']}, {archived['segments']} segments copied server-side, "
            f"expires {expires:%Y-%m-%d %H:%M}"
        )

    processed = last_processed_export()
    uploaded = transform_and_upload(wait_for_export.output)
    processed >> wait_for_export
    uploaded >> archive >> remember_export
    report(archive.output)


def transform(export: str, extract: str) -> int:
    """The "T": keep valid rows, normalise amounts to cents, add a size band."""
    rows = 0
    with open(export, newline="") as source, open(extract, "w", newline="") as target:
        reader, writer = csv.DictReader(source), csv.writer(target)
        writer.writerow(["order_id", "customer", "amount_cents", "band"])
        for row in reader:
            if not row.get("order_id"):
                continue
            cents = round(float(row["amount"]) * 100)
            band = "large" if cents >= 50_000 else "medium" if cents >= 5_000 else "small"
            writer.writerow([row["order_id"], row["customer"].strip().lower(), cents, band])
            rows += 1
    return rows


example_swift_nightly_etl()
