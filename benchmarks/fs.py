"""``swift://`` as a filesystem: listing requests of ``find`` and the speed of ``get``.

Starts one local Swift, then

- loads ``--objects`` objects (nested three levels deep) with one
  ``?extract-archive=tar`` upload, and counts the listing requests that ``find``,
  ``walk``, ``glob`` and ``du`` send over them (the transport counts requests by
  method), with the time each takes;
- uploads a ``--size-mb`` object (an SLO of ``--segment-mb`` segments) and downloads
  it ``--rounds`` times each, alternating, through ``fs.get`` (``swift://``) and
  through the hook's ``download_file``; reports the median times and their ratio.

    .venv/bin/python benchmarks/fs.py --objects 10050 --size-mb 1024 --segment-mb 64 --rounds 4

Not a test: numbers depend on the machine. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import statistics
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from airflow_provider_swift.client import SwiftClient
from airflow_provider_swift.client.wire.names import container_path
from airflow_provider_swift.fs.swift import SwiftFileSystem
from airflow_provider_swift.testing.pytest_plugin import client_for, connection_json
from airflow_provider_swift.testing.server import LocalSwift
from benchmarks.large_objects import file_md5, make_file

MIB = 1024 * 1024


def load_tree(client: SwiftClient, container: str, count: int, batch: int = 500) -> None:
    """``count`` small objects under ``tree/dNN/sN/``: extract-archive uploads of
    ``batch`` objects each, four at a time (one archive of them all outlives the
    proxy's patience on a single-process server)."""

    def upload(start: int) -> None:
        buffer = io.BytesIO()
        indexes = range(start, min(start + batch, count))
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            for index in indexes:
                body = f"object {index}\n".encode()
                member = tarfile.TarInfo(f"tree/d{index % 50:02d}/s{index % 7}/o{index:05d}.txt")
                member.size = len(body)
                archive.addfile(member, io.BytesIO(body))
        path, shown = container_path(container)
        reply = client.transport.request(
            "PUT",
            path,
            display=shown,
            query={"extract-archive": "tar"},
            headers={"Accept": "application/json"},
            body=buffer.getvalue(),
        )
        outcome = json.loads(reply.body)
        if outcome.get("Errors") or int(outcome.get("Number Files Created", 0)) != len(indexes):
            raise SystemExit(f"extract-archive failed: {outcome}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(upload, range(0, count, batch)))


def listing_runs(fs: SwiftFileSystem, root: str) -> list[tuple[str, int, int, float]]:
    """(operation, entries, listing requests, seconds) for each listing operation."""
    runs = []
    operations = {
        "find": lambda: fs.find(root),
        "find(withdirs)": lambda: fs.find(root, withdirs=True),
        "walk": lambda: [f for _, _, files in fs.walk(root) for f in files],
        "glob(**/*.txt)": lambda: fs.glob(f"{root}/**/*.txt"),
        "du": lambda: list(fs.du(root, total=False)),
    }
    for name, operation in operations.items():
        fs.invalidate_cache()
        before = fs.client.transport.sent.get("GET", 0)
        started = time.perf_counter()
        found = operation()
        seconds = time.perf_counter() - started
        runs.append((name, len(found), fs.client.transport.sent.get("GET", 0) - before, seconds))
    return runs


def download_runs(
    swift: LocalSwift, container: str, name: str, directory: Path, rounds: int, md5: str
) -> tuple[list[float], list[float]]:
    """Downloads through ``swift://`` and through the hook, in turns (each round
    starting with the other one); every download's MD5 is checked."""
    from airflow_provider_swift.hooks.swift import SwiftHook

    os.environ["AIRFLOW_CONN_SWIFT_DEFAULT"] = connection_json(swift)
    hook = SwiftHook("swift_default")
    fs = SwiftFileSystem(conn_id="swift_default")
    through_fs: list[float] = []
    through_hook: list[float] = []
    paths = [("fs", through_fs), ("hook", through_hook)]
    for round_number in range(rounds):
        # alternate which goes first: neither always meets the other's dirty pages
        for label, times in paths if round_number % 2 == 0 else paths[::-1]:
            target = directory / f"{label}.bin"
            started = time.perf_counter()
            if label == "fs":
                fs.get(f"swift://{container}/{name}", str(target))
            else:
                hook.download_file(container, name, target)
            times.append(time.perf_counter() - started)
            if file_md5(target) != md5:
                raise SystemExit(f"{label} download does not match")
            target.unlink()
    return through_fs, through_hook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=10_050)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--segment-mb", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    logging.getLogger("airflow_provider_swift.client.base.progress").setLevel(logging.WARNING)
    with LocalSwift() as swift, tempfile.TemporaryDirectory(prefix="fs-bench-") as temp:
        client = client_for(swift)
        client.put_container("bench")
        started = time.perf_counter()
        load_tree(client, "bench", args.objects)
        print(f"loaded {args.objects} objects in {time.perf_counter() - started:.0f} s")
        fs = SwiftFileSystem(client)
        limit = client.capabilities().get("swift", {}).get("container_listing_limit")
        print(f"{args.objects} objects, container_listing_limit {limit}")
        print("| operation | entries | listing requests | seconds |")
        print("| --- | ---: | ---: | ---: |")
        for operation, entries, requests, seconds in listing_runs(fs, "bench/tree"):
            print(f"| `{operation}` | {entries} | {requests} | {seconds:.2f} |")

        if args.size_mb:
            directory = Path(temp)
            source = directory / "source.bin"
            md5 = make_file(source, args.size_mb * MIB)
            client.upload_file("bench", "big.bin", source, segment_size=args.segment_mb * MIB)
            source.unlink()
            through_fs, through_hook = download_runs(
                swift, "bench", "big.bin", directory, args.rounds, md5
            )
            fs_s, hook_s = statistics.median(through_fs), statistics.median(through_hook)
            size = args.size_mb * MIB / 1e6
            print(
                f"\n{args.size_mb} MiB SLO ({args.segment_mb} MiB segments), "
                f"median of {args.rounds}"
            )
            print("| path | seconds | MB/s |")
            print("| --- | ---: | ---: |")
            print(f"| `fs.get` (swift://) | {fs_s:.2f} | {size / fs_s:.0f} |")
            print(f"| `SwiftHook.download_file` | {hook_s:.2f} | {size / hook_s:.0f} |")
            print(f"\nswift:// speed / hook speed: {hook_s / fs_s:.2f}")
        client.close()


if __name__ == "__main__":
    main()
