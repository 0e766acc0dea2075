"""Many deferred ETag-change sensors on one triggerer: memory, request rate, drift.

Starts a local Swift with N objects, then runs N ``SwiftObjectChangedTrigger`` s --
each watching its own object, polling every ``--interval`` seconds with a
conditional HEAD -- in one asyncio event loop, as a triggerer would, for
``--seconds``. Reports the process's peak RSS, requests per second and poll-cycle
drift (how late each poll starts compared with its schedule).

    .venv/bin/python benchmarks/triggers.py --triggers 1000 --interval 5 --seconds 60

Not a test: the numbers depend on the machine. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="airflow-bench-"))

from airflow_provider_swift.client.rest.async_client import AsyncSwiftClient
from airflow_provider_swift.client.wire.names import container_path
from airflow_provider_swift.testing.pytest_plugin import client_for, connection_json
from airflow_provider_swift.testing.server import LocalSwift
from airflow_provider_swift.triggers.swift import (
    SwiftObjectChangedTrigger,
    shared_client,
)


def rss_mib(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run(args: argparse.Namespace, etags: list[str]) -> dict[str, Any]:
    client = await shared_client("swift_default")
    requests = 0
    real_request = AsyncSwiftClient.request

    async def counting(self: AsyncSwiftClient, *a: Any, **kw: Any) -> Any:
        nonlocal requests
        requests += 1
        return await real_request(self, *a, **kw)

    AsyncSwiftClient.request = counting  # type: ignore[method-assign]
    late: list[float] = []
    fired = 0
    started = time.monotonic()
    stop_at = started + args.seconds

    async def watch(index: int) -> None:
        nonlocal fired
        trigger = SwiftObjectChangedTrigger(
            "swift_default",
            "bench",
            name=f"o{index:05d}",
            etag=etags[index],
            poke_interval=args.interval,
        )
        # spread the first polls over one interval, as triggers arriving over time would
        scheduled = started + args.interval * index / args.triggers
        while scheduled < stop_at:
            await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
            late.append(time.monotonic() - scheduled)
            if await trigger.check(client) is not None:
                fired += 1
            scheduled += args.interval

    before = requests
    await asyncio.gather(*(watch(i) for i in range(args.triggers)))
    elapsed = time.monotonic() - started
    return {
        "triggers": args.triggers,
        "interval_s": args.interval,
        "seconds": round(elapsed, 1),
        "requests": requests - before,
        "requests_per_s": round((requests - before) / elapsed, 1),
        "fired": fired,
        "drift_p50_s": round(statistics.median(late), 3),
        "drift_p95_s": round(statistics.quantiles(late, n=20)[-1], 3),
        "drift_max_s": round(max(late), 3),
        "rss_mib": round(rss_mib("VmRSS"), 1),
        "peak_rss_mib": round(rss_mib("VmHWM"), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triggers", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with LocalSwift() as swift:
        os.environ["AIRFLOW_CONN_SWIFT_DEFAULT"] = connection_json(swift)
        client = client_for(swift)
        client.put_container("bench")
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            for i in range(args.triggers):
                data = f"object {i}".encode()
                info = tarfile.TarInfo(f"o{i:05d}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        path, shown = container_path("bench")
        client.transport.request(
            "PUT",
            path,
            display=shown,
            query={"extract-archive": "tar"},
            headers={"Accept": "application/json"},
            body=buffer.getvalue(),
        )
        etags = [""] * args.triggers
        for entry in client.iter_objects("bench"):
            etags[int(entry["name"][1:])] = entry["hash"]
        print(f"{args.triggers} objects stored; RSS before the triggers {rss_mib():.1f} MiB")
        result = asyncio.run(run(args, etags))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
