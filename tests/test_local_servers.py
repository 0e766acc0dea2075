"""The throwaway servers (Swift, Ceph RGW) never outlive the process that started them,
even when that process is killed outright (a CI timeout, a SIGKILL): no orphaned
server on the box."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

CHILD = """
import sys, time
from airflow_provider_swift.testing.rgw import LocalRGW
from airflow_provider_swift.testing.server import LocalSwift
server = (LocalRGW if sys.argv[1] == "rgw" else LocalSwift)().start()
print(server.workdir, *[p.pid for p in server._procs.values()], flush=True)
time.sleep(600)
"""
#: how many daemons each kind of local server runs
DAEMONS = {"swift": 4, "rgw": 3}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
@pytest.mark.parametrize("kind", ["swift", pytest.param("rgw", marks=pytest.mark.rgw)])
def test_servers_die_with_a_killed_parent(kind: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, kind], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    workdir, *pids = child.stdout.readline().split()
    try:
        assert len(pids) == DAEMONS[kind] and all(alive(int(p)) for p in pids)
        child.send_signal(signal.SIGKILL)  # no cleanup code runs in the parent
        child.wait()
        deadline = time.monotonic() + 30
        while any(alive(int(p)) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in pids if alive(int(p))]
    finally:
        for pid in pids:
            if alive(int(pid)):
                os.kill(int(pid), signal.SIGKILL)
        shutil.rmtree(workdir, ignore_errors=True)
