"""Data-lake housekeeping with the Swift operators, end to end.

Create a landing container (CORS for a browser app, a read ACL for an analyst),
upload a directory tree of daily extracts (then sync it again: one listing finds
everything identical and nothing is sent), wait until the landing prefix has been
quiet for a while (the drop is complete), list it, archive a copy with an expiry,
move the extracts to a curated prefix, replicate it with the Swift-to-Swift operator
(to the archive through a second connection: here the same one, so the copy is
server-side; a connection to another cluster streams it), publish a temporary URL for
a consumer,
download the curated tree back, mirror it with a sync (verified, parallel, only what
differs) and clean up.

Runs against the connection ``swift_default``; the test suite runs it with
``dag.test()`` against a local Swift.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.sdk import dag, task

from airflow_provider_swift.operators import (
    SwiftCopyObjectOperator,
    SwiftCreateContainerOperator,
    SwiftDeleteContainerOperator,
    SwiftDownloadOperator,
    SwiftExpireObjectOperator,
    SwiftListOperator,
    SwiftMoveObjectOperator,
    SwiftSyncOperator,
    SwiftTempUrlOperator,
    SwiftToSwiftOperator,
    SwiftUploadOperator,
)
from airflow_provider_swift.sensors import SwiftPrefixQuiescenceSensor

LANDING = "lake-landing"
ARCHIVE = "lake-archive"
DAY = "2026-11-28"
#: Where curated extracts are replicated: point it at a connection to another account
#: or cluster (a disaster-recovery copy); the example uses the same one.
REPLICA_CONN_ID = "swift_default"


@dag(
    dag_id="example_swift_data_lake",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["example", "swift"],
)
def example_swift_data_lake() -> None:
    @task
    def write_extracts() -> str:
        root = Path(tempfile.mkdtemp(prefix="extracts-"))
        for region in ("eu west", "us-east", "ásia"):
            folder = root / region
            folder.mkdir()
            (folder / "orders.csv").write_text(
                "id,amount\n" + "".join(f"{i},{i * 7 % 100}\n" for i in range(10_000))
            )
        return str(root)

    # [START howto_operator_swift_create_container]
    create_landing = SwiftCreateContainerOperator(
        task_id="create_landing",
        container=LANDING,
        read_acl="test:tester3",
        cors_allow_origin="https://dashboard.example",
        metadata={"owner": "data-platform"},
    )
    # [END howto_operator_swift_create_container]

    create_archive = SwiftCreateContainerOperator(task_id="create_archive", container=ARCHIVE)

    extracts = write_extracts()

    # [START howto_operator_swift_upload]
    upload = SwiftUploadOperator(
        task_id="upload_extracts",
        container=LANDING,
        source="{{ ti.xcom_pull(task_ids='write_extracts') }}",
        prefix=f"incoming/{DAY}/",
        if_exists="skip_identical",
        content_type="text/csv",
    )
    # [END howto_operator_swift_upload]

    # [START howto_operator_swift_sync_up]
    resync = SwiftSyncOperator(
        task_id="sync_extracts",
        container=LANDING,
        prefix=f"incoming/{DAY}/",
        directory="{{ ti.xcom_pull(task_ids='write_extracts') }}",
        include=["*.csv"],
        content_type="text/csv",
    )
    # [END howto_operator_swift_sync_up]

    # [START howto_sensor_swift_prefix_quiescence]
    wait_quiet = SwiftPrefixQuiescenceSensor(
        task_id="wait_for_landing_quiet",
        container=LANDING,
        prefix=f"incoming/{DAY}/",
        inactivity_period=5,  # no new, changed or removed object for 5 s: the drop is complete
        min_objects=3,
        poke_interval=1,
        timeout=3600,
        deferrable=True,
    )
    # [END howto_sensor_swift_prefix_quiescence]

    # [START howto_operator_swift_list]
    listing = SwiftListOperator(
        task_id="list_incoming", container=LANDING, prefix=f"incoming/{DAY}/", glob="*.csv"
    )
    # [END howto_operator_swift_list]

    # [START howto_operator_swift_copy]
    archive = SwiftCopyObjectOperator(
        task_id="archive_eu",
        source_container=LANDING,
        source_name=f"incoming/{DAY}/eu west/orders.csv",
        dest_container=ARCHIVE,
        dest_name=f"{DAY}/eu-west-orders.csv",
    )
    # [END howto_operator_swift_copy]

    # [START howto_operator_swift_expire]
    expire = SwiftExpireObjectOperator(
        task_id="expire_archive",
        container=ARCHIVE,
        name=f"{DAY}/eu-west-orders.csv",
        delete_after=30 * 24 * 3600,
    )
    # [END howto_operator_swift_expire]

    # [START howto_operator_swift_move]
    curate = SwiftMoveObjectOperator.partial(
        task_id="curate", source_container=LANDING, dest_container=LANDING
    ).expand_kwargs(
        [
            {
                "source_name": f"incoming/{DAY}/{region}/orders.csv",
                "dest_name": f"curated/{DAY}/{region}/orders.csv",
            }
            for region in ("eu west", "us-east", "ásia")
        ]
    )
    # [END howto_operator_swift_move]

    # [START howto_operator_swift_to_swift]
    replicate = SwiftToSwiftOperator(
        task_id="replicate_curated",
        dest_swift_conn_id=REPLICA_CONN_ID,
        source_container=LANDING,
        source_prefix=f"curated/{DAY}/",
        dest_container=ARCHIVE,
        dest_prefix=f"replica/{DAY}/",
    )
    # [END howto_operator_swift_to_swift]

    @task
    def set_temp_url_key() -> None:
        from airflow_provider_swift.hooks.swift import SwiftHook

        SwiftHook().create_container(
            LANDING, headers={"X-Container-Meta-Temp-URL-Key": os.urandom(16).hex()}
        )

    # [START howto_operator_swift_temp_url]
    publish = SwiftTempUrlOperator(
        task_id="temp_url_for_consumer",
        container=LANDING,
        name=f"curated/{DAY}/us-east/orders.csv",
        expires_in=3600,
    )
    # [END howto_operator_swift_temp_url]

    # [START howto_operator_swift_download]
    download = SwiftDownloadOperator(
        task_id="download_curated",
        container=LANDING,
        prefix=f"curated/{DAY}/",
        destination="{{ ti.xcom_pull(task_ids='write_extracts') }}-copy",
    )
    # [END howto_operator_swift_download]

    # [START howto_operator_swift_sync_down]
    mirror = SwiftSyncOperator(
        task_id="mirror_curated",
        container=LANDING,
        prefix=f"curated/{DAY}/",
        directory="{{ ti.xcom_pull(task_ids='write_extracts') }}-mirror",
        direction="down",
        delete=True,
    )
    # [END howto_operator_swift_sync_down]

    @task
    def check(
        extracts_dir: str,
        downloaded: list[dict[str, Any]],
        url: str,
        synced: dict[str, Any],
        mirrored: dict[str, Any],
        replicated: dict[str, Any],
    ) -> int:
        import requests

        source = Path(extracts_dir)
        for item in downloaded:
            relative = Path(item["path"]).relative_to(f"{extracts_dir}-copy")
            if (source / relative).read_bytes() != Path(item["path"]).read_bytes():
                raise ValueError(f"{relative} differs after the round trip")
        if synced["counts"] != {"skip": 3}:
            raise ValueError(f"the re-sync should have found everything stored: {synced}")
        if mirrored["counts"] != {"get": 3}:
            raise ValueError(f"the mirror should have fetched the 3 extracts: {mirrored}")
        for entry in mirrored["objects"]:
            relative = entry["name"].removeprefix(f"curated/{DAY}/")
            if (source / relative).read_bytes() != Path(
                f"{extracts_dir}-mirror", relative
            ).read_bytes():
                raise ValueError(f"{relative} differs in the mirror")
        if len(replicated["objects"]) != 3:
            raise ValueError(f"the replica should hold the 3 extracts: {replicated}")
        fetched = requests.get(url, timeout=30)
        fetched.raise_for_status()
        if fetched.content != (source / "us-east" / "orders.csv").read_bytes():
            raise ValueError("the temporary URL served other bytes")
        print(f"{len(downloaded)} files round-tripped; temp URL serves {len(fetched.content)} B")
        return len(downloaded)

    # [START howto_operator_swift_delete_container]
    cleanup = [
        SwiftDeleteContainerOperator(
            task_id=f"delete_{name.replace('-', '_')}", container=name, force=True
        )
        for name in (LANDING, ARCHIVE)
    ]
    # [END howto_operator_swift_delete_container]

    [create_landing, create_archive, extracts] >> upload >> resync >> wait_quiet >> listing
    listing >> archive >> expire
    expire >> curate >> replicate >> set_temp_url_key() >> publish >> download >> mirror
    checked = check(
        extracts, download.output, publish.output, resync.output, mirror.output, replicate.output
    )
    checked >> cleanup


example_swift_data_lake()
