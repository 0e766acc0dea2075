"""Event-driven ingestion: a DAG scheduled by objects landing in Swift.

An ``AssetWatcher`` runs ``SwiftPrefixChangedEventTrigger`` in the triggerer: it lists
``events-landing/incoming/`` every 10 seconds and, when an object appears or changes
there, emits an event for the asset, which schedules this DAG -- no sensor, no
worker slot, no cron.

The trigger keeps what it has seen in a small watermark object in Swift, so objects
that land while the triggerer is down are reported once it runs again. The events say
what changed, but ``ingest`` trusts the listing, not the events: it takes everything
under ``incoming/`` and moves it to ``processed/`` (a verified server-side copy, then
a delete of exactly the version copied). So two events folded into one run lose
nothing; and a moved object leaves ``incoming/``, so it is processed once.

Runs against the connection ``swift_default``. A manual run (``dag.test()``, or
"Trigger" in the UI) processes whatever is waiting.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import Asset, AssetWatcher, dag, task

from airflow_provider_swift.triggers.swift import SwiftPrefixChangedEventTrigger

LANDING = "events-landing"
INCOMING = "incoming/"
PROCESSED = "processed/"

# [START howto_trigger_swift_asset_watcher]
incoming = Asset(
    f"swift://{LANDING}/{INCOMING.rstrip('/')}",
    watchers=[
        AssetWatcher(
            name="swift_events_landing_incoming",
            trigger=SwiftPrefixChangedEventTrigger(
                "swift_default", LANDING, INCOMING, poke_interval=10
            ),
        )
    ],
)


@dag(
    dag_id="example_swift_event_driven",
    schedule=[incoming],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["example", "swift"],
)
def example_swift_event_driven() -> None:
    # [END howto_trigger_swift_asset_watcher]
    @task
    def ingest(triggering_asset_events: Any = None, run_id: Any = None) -> list[str]:
        from airflow_provider_swift.hooks.swift import SwiftHook

        for asset, events in (triggering_asset_events or {}).items():
            for event in events:
                print(f"event for {asset.uri}: changed {event.extra.get('changed')}")
        hook = SwiftHook()
        hook.create_container(LANDING)
        waiting = [
            entry for entry in hook.iter_objects(LANDING, prefix=INCOMING) if "name" in entry
        ]
        moved = []
        for entry in waiting:
            target = PROCESSED + entry["name"][len(INCOMING) :]
            hook.move_object(LANDING, entry["name"], LANDING, target)
            print(f"ingested {entry['name']} ({entry['bytes']:,} bytes, ETag {entry['hash']})")
            moved.append(target)
        print(f"{len(moved)} objects moved to /{LANDING}/{PROCESSED} in run {run_id}")
        return moved

    ingest()


example_swift_event_driven()
