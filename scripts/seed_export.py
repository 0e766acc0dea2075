"""Play the upstream system of example_swift_nightly_etl: write an orders export
(CSV, ``--rows`` rows) to ``etl-source/exports/orders.csv`` through ``swift_default``.

    python scripts/seed_export.py --rows 1000000
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile

from airflow_provider_swift.hooks.swift import SwiftHook

EXPORT = "exports/orders.csv"


def write_export(path: str, rows: int, seed: int = 0) -> None:
    """An export with a few rows the transform must drop (no order id)."""
    chance = random.Random(seed)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer", "amount"])
        for i in range(rows):
            order_id = "" if i % 1000 == 999 else f"o-{seed}-{i:08d}"
            amount = f"{chance.uniform(1, 900):.2f}"
            writer.writerow([order_id, f" Customer-{chance.randrange(50_000)} ", amount])


def seed_export(rows: int, seed: int = 0, conn_id: str = "swift_default") -> dict[str, object]:
    """Upload a fresh export; returns the upload's result (name, ETag, bytes...)."""
    hook = SwiftHook(conn_id)
    hook.create_container("etl-source")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "orders.csv")
        write_export(path, rows, seed)
        return hook.upload_file("etl-source", EXPORT, path, content_type="text/csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = seed_export(args.rows, args.seed)
    print(
        f"seeded /etl-source/exports/orders.csv: {result['bytes']:,} bytes, ETag {result['etag']}"
    )


if __name__ == "__main__":
    main()
