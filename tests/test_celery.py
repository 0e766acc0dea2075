"""The mapped ingestion example under the CeleryExecutor: two Celery workers and a real
Redis (Debian's ``redis-server``, started here on 127.0.0.1 with a free port), with
the api-server, scheduler and dag-processor of :mod:`tests.airflow_stack`.

One run of ``example_swift_ingest_mapped`` over 24 landed objects in batches of 3:
eight mapped ``ingest`` tasks, each on whichever worker is free. Both workers must
have done some, every object must be in the lake exactly once -- written by one
client PUT, per the Swift proxy's own access log -- and gone from the landing prefix.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.testing.pytest_plugin import connection_json
from airflow_provider_swift.testing.server import LocalSwift
from tests.airflow_stack import CELERY_WORKER, AirflowStack, airflow_stack, free_port
from tests.modules import example

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).parents[1] / "example_dags"
DAG_ID = "example_swift_ingest_mapped"
OBJECTS, BATCH = 24, 3
WORKERS = ("a", "b")
#: Generous: a loaded 2-core CI machine; no assertion is about timing.
RUN_TIMEOUT = 300


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway Redis on 127.0.0.1 (no persistence), stopped after the module."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (scripts/test-packages.sh installs it as root)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    with (folder / "redis.log").open("wb") as log:
        process = subprocess.Popen(
            [
                server,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while not redis_answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server did not start: {(folder / 'redis.log').read_text()}"
                )
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture(scope="module")
def stack(
    local_swift: LocalSwift, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AirflowStack]:
    """api-server, scheduler, dag-processor and two Celery workers (one task at a time
    each, taking no task ahead), the DAGs folder holding only the mapped example."""
    dags = tmp_path_factory.mktemp("celery-dags")
    (dags / f"{DAG_ID}.py").symlink_to(EXAMPLES / f"{DAG_ID}.py")
    env = {
        "AIRFLOW_CONN_SWIFT_DEFAULT": connection_json(local_swift),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": f"{redis_url}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"{redis_url}/1",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
    }
    workers = tuple(f"{CELERY_WORKER}{name}" for name in WORKERS)
    per_worker = {f"{CELERY_WORKER}{name}": {"SWIFT_INGEST_WORKER": name} for name in WORKERS}
    components = ("api-server", "scheduler", "dag-processor", *workers)
    with airflow_stack(dags, env, components=components, component_env=per_worker) as running:
        yield running


def client_puts(proxy_log: str, path: str) -> int:
    """Requests ``PUT <path>`` a client sent (answered 201), per the proxy's access log:
    a client's line starts with its address, a copy's own sub-requests with ``- -``."""
    pattern = re.compile(
        r"proxy-server: 127\.0\.0\.1 127\.0\.0\.1 \S+ PUT " + re.escape(path) + r" HTTP/1\.\d 201 "
    )
    return len(pattern.findall(proxy_log))


def xcom(stack: AirflowStack, run_id: str, task_id: str) -> dict[int, Any]:
    """The return values of a task's instances in a run, by map index."""
    rows = stack.query(
        "SELECT map_index, value FROM xcom WHERE dag_id = ? AND run_id = ? AND task_id = ? "
        "AND key = 'return_value'",
        (DAG_ID, run_id, task_id),
    )
    return {int(index): json.loads(value) for index, value in rows}


def test_mapped_ingestion_spreads_over_two_celery_workers_and_writes_each_object_once(
    stack: AirflowStack, local_swift: LocalSwift, swift_conn_id: str
) -> None:
    module = example(DAG_ID)
    hook = SwiftHook(swift_conn_id)
    for container in (module.LANDING, module.LAKE):
        hook.delete_container(container, missing_ok=True, force=True)
    hook.create_container(module.LANDING)
    names = [f"{module.INCOMING}part-{i:03d}.csv" for i in range(OBJECTS)]
    for index, name in enumerate(names):
        hook.upload_bytes(module.LANDING, name, f"id,value\n{index},{index * 7}\n")
    run_id = f"manual__celery_{int(time.time())}"
    started = time.monotonic()
    try:
        with stack.report_failures():
            stack.wait_for_dag(DAG_ID)
            stack.trigger(DAG_ID, run_id, {"batch_size": BATCH})
            stack.unpause(DAG_ID)
            state = stack.wait_for(
                lambda: (s := stack.dag_run_state(DAG_ID, run_id)) in {"success", "failed"} and s,
                RUN_TIMEOUT,
                f"run {run_id} to finish",
            )
            print(f"the run took {time.monotonic() - started:.0f} s")
            assert state == "success"

            batches = xcom(stack, run_id, "ingest")
            assert sorted(batches) == list(range(OBJECTS // BATCH))
            report = xcom(stack, run_id, "report")[-1]
            print(f"merged: {report}")
            # both workers did work
            assert {b["worker"] for b in batches.values()} == set(WORKERS)
            assert set(report["workers"]) == set(WORKERS)
            assert sum(report["workers"].values()) == OBJECTS // BATCH
            # every object copied by exactly one batch, none skipped or repeated
            copied = [name for b in batches.values() for name in b["copied"]]
            assert sorted(copied) == names
            assert (report["copied"], report["skipped"]) == (OBJECTS, 0)

            # what Swift holds: every object in the lake once, none left landing
            assert hook.list_objects(module.LAKE) == names
            assert hook.list_objects(module.LANDING, prefix=module.INCOMING) == []
            log = local_swift.log("proxy")
            for batch in batches.values():
                for name in batch["copied"]:
                    assert client_puts(log, f"/v1/AUTH_test/{module.LAKE}/{name}") == 1, name
                    stored = hook.head_object(module.LAKE, name) or {}
                    assert stored.get("x-object-meta-ingested-by") == batch["worker"]
    finally:
        for container in (module.LANDING, module.LAKE):
            with contextlib.suppress(Exception):
                hook.delete_container(container, missing_ok=True, force=True)
