"""Planning 100,000 files stays under 200 MiB of resident memory (measured in a
subprocess: the kernel's high-water mark of RSS, ``VmHWM``). The time is printed,
never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FILES = 100_000
LIMIT_MIB = 200

PLANNER = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    from airflow_provider_swift.client.transfers.plan import Stored, decide_upload
    from airflow_provider_swift.client.transfers.sync import local_files, plan_steps

    root, files = Path(sys.argv[1]), int(sys.argv[2])
    for index in range(files):
        folder = root / f"d{index % 100:03d}"
        if index < 100:
            folder.mkdir()
        (folder / f"f{index:07d}.csv").write_bytes(b"%07d" % index)

    def listing():
        # what Swift's pages hold: every other file stored with its MD5, the others
        # stored with another size (changed); names in the listing's order
        import hashlib
        for index in (i for folder in range(100) for i in range(folder, files, 100)):
            name = f"in/d{index % 100:03d}/f{index:07d}.csv"
            data = b"%07d" % index if index % 2 else b"x"
            yield Stored.from_listing({"name": name, "bytes": len(data),
                "hash": hashlib.md5(data).hexdigest(),
                "last_modified": "2026-12-01T00:00:00.000000", "content_type": "text/csv"})

    started = time.perf_counter()
    found = local_files(root, "in/").files
    steps = plan_steps(found, listing(), decide_upload, object_threads=10)
    seconds = time.perf_counter() - started
    counts = {}
    for step in steps:
        counts[step.action] = counts.get(step.action, 0) + 1
    status = Path("/proc/self/status").read_text()
    peak = next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024, "counts": counts}))
    """
)


@pytest.mark.slow
def test_planning_100000_files_stays_under_200_mib(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PLANNER, str(tmp_path), str(FILES)],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    measured = json.loads(done.stdout)
    print(
        f"planned {FILES} files in {measured['seconds']:.1f} s, "
        f"peak RSS {measured['peak_mib']:.1f} MiB"
    )
    assert measured["counts"] == {"skip": FILES // 2, "put": FILES // 2}
    assert measured["peak_mib"] < LIMIT_MIB
