"""A real Airflow, for tests: api-server (execution API), scheduler (LocalExecutor),
dag-processor and triggerer as subprocesses on a temp AIRFLOW_HOME with its own sqlite DB.

Nothing is shared with the test session's Airflow: the subprocesses get a clean
environment (every ``AIRFLOW*`` variable of the session dropped) plus what is given
here. Everything listens on 127.0.0.1 only: the API server on a free port; the
scheduler's and triggerer's log servers (0.0.0.0:8793/8794 by default) are not started.

Configuration keys are from Airflow 3.3's ``airflow/config_templates/config.yml``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
#: The ``job`` rows (``job_type``) of the components that heartbeat.
JOB_TYPES = {
    "scheduler": "SchedulerJob",
    "dag-processor": "DagProcessorJob",
    "triggerer": "TriggererJob",
}
PARALLELISM = 2
#: Components named ``celery-worker-<name>`` are Celery workers (CeleryExecutor), one
#: process each (``--concurrency 1``), with Celery hostname ``<name>@<host>``.
CELERY_WORKER = "celery-worker-"
#: The command line of each component but the API server (which takes the port).
COMMANDS = {
    "scheduler": ("scheduler", "--skip-serve-logs"),
    "dag-processor": ("dag-processor",),
    "triggerer": ("triggerer", "--skip-serve-logs"),
}


class StackError(AssertionError):
    """The stack did not do what was waited for (see :meth:`AirflowStack.report_failures`
    for its logs)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _random_key(size: int = 32) -> str:
    return base64.urlsafe_b64encode(os.urandom(size)).decode()


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"({exc})"
    return "\n".join(text.splitlines()[-lines:])


def _process_table() -> dict[int, tuple[int, str]]:
    """Every live process: pid -> (parent pid, start time), from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            table[int(entry)] = (int(fields[1]), fields[19])  # ppid, starttime
    return table


def process_tree(roots: set[int]) -> dict[int, str]:
    """``roots`` and every live process below them: pid -> start time. (Not by
    environment: Airflow's processes retitle themselves with setproctitle, which
    overwrites what /proc/<pid>/environ shows.)"""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found = {pid: table[pid][1] for pid in roots if pid in table}
    todo = list(found)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found[child] = table[child][1]
                todo.append(child)
    return found


def _airflow_setting(name: str) -> bool:
    """Whether an environment variable configures Airflow (the session's must not leak)."""
    return name.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_")) or name in {
        "AIRFLOW_HOME",
        "AIRFLOW_CONFIG",
        "AIRFLOW_API_APPS",
    }


class AirflowStack:
    """The running components, and helpers to drive and observe them."""

    def __init__(
        self,
        home: Path,
        dags_folder: Path,
        env: Mapping[str, str],
        apps: str = "execution",
        components: tuple[str, ...] = COMPONENTS,
        component_env: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.home = home
        self.component_env = component_env or {}
        self.apps = apps
        self.components = components
        self.dags_folder = dags_folder
        self.db_path = home / "airflow.db"
        self.port = free_port()
        self.env = self._environment(env)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.log_dir = home / "component-logs"
        self.log_dir.mkdir()

    def _environment(self, extra: Mapping[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not _airflow_setting(k)}
        base_url = f"http://127.0.0.1:{self.port}"
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__PARALLELISM": str(PARALLELISM),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
                "AIRFLOW__CORE__FERNET_KEY": _random_key(),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base_url}/execution/",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.db_path}",
                "AIRFLOW__API__BASE_URL": base_url,
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__API__SECRET_KEY": _random_key(),
                # the scheduler signs the task's token, the API server checks it
                "AIRFLOW__API_AUTH__JWT_SECRET": _random_key(64),
                "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "2",
                "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
                "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "2",
                "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
                "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3",
                "AIRFLOW__DAG_PROCESSOR__BUNDLE_REFRESH_CHECK_INTERVAL": "2",
                "AIRFLOW__DAG_PROCESSOR__PRINT_STATS_INTERVAL": "300",
                "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH": str(self.home / "bundles"),
                "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG": "False",
                "AIRFLOW__OPENLINEAGE__DISABLED": "True",
            }
        )
        env.update(extra)
        return env

    # -- lifecycle ------------------------------------------------------------------

    def migrate(self) -> None:
        self.airflow("db", "migrate", timeout=300)

    def start(self) -> None:
        for name in self.components:
            self.start_component(name)

    def start_component(self, name: str) -> None:
        """Start one component (again), its output appended to its log."""
        if name == "api-server":
            command = ["api-server", "--apps", self.apps, "-H", "127.0.0.1", "-p", str(self.port)]
        elif name.startswith(CELERY_WORKER):
            command = [
                "celery",
                "worker",
                "--concurrency",
                "1",
                "--skip-serve-logs",
                "--celery-hostname",
                f"{name[len(CELERY_WORKER) :]}@%h",
                "--without-gossip",
                "--without-mingle",
            ]
        else:
            command = list(COMMANDS[name])
        with (self.log_dir / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                [AIRFLOW, *command],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**self.env, **self.component_env.get(name, {})},
                cwd=self.home,
                start_new_session=True,  # its own process group, stopped as one
            )

    def stop_component(self, name: str, timeout: float = 60) -> None:
        """Stop one component as an operator would: SIGTERM to its process group, a
        wait for it to exit (SIGKILL after ``timeout``), then any process left below it."""
        process = self.processes.pop(name)
        known = process_tree({process.pid})
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        alive = _process_table()
        for pid, started in known.items():
            if pid in alive and alive[pid][1] == started:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def wait_ready(self, timeout: float = 120) -> None:
        self.wait_for(self._api_healthy, timeout, "the API server's /execution/health")
        if self._job_types:
            self.wait_for(self._jobs_running, timeout, f"running jobs {self._job_types}")

    @property
    def _job_types(self) -> set[str]:
        return {JOB_TYPES[name] for name in self.components if name in JOB_TYPES}

    def _api_healthy(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.port}/execution/health"
            with urllib.request.urlopen(url, timeout=2) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    def _jobs_running(self) -> bool:
        rows = self.query("SELECT DISTINCT job_type FROM job WHERE state = 'running'")
        return {row[0] for row in rows} >= self._job_types

    def stop(self) -> None:
        """SIGTERM each component's process group, then SIGKILL the groups and every
        process that was below a component (task processes run in process groups of
        their own)."""
        known = process_tree({p.pid for p in self.processes.values()})
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)
        alive = _process_table()
        for pid, started in known.items():
            if pid in alive and alive[pid][1] == started:  # the same process, not a reuse
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def process_titles(self) -> dict[int, str]:
        """The command lines of the components and every process below them
        (Airflow's processes retitle themselves: the titles say what they do)."""
        titles = {}
        for pid in process_tree({p.pid for p in self.processes.values()}):
            try:
                raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            titles[pid] = raw.replace(b"\0", b" ").decode(errors="replace").strip()
        return titles

    # -- driving and observing ------------------------------------------------------

    def airflow(self, *args: str, timeout: float = 120) -> str:
        """Run an ``airflow`` CLI command against the stack; its stdout."""
        done = subprocess.run(
            [AIRFLOW, *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.home,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise StackError(
                f"airflow {' '.join(args)} exited {done.returncode}\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done.stdout

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """A read of the stack's metadata DB (a short-lived connection)."""
        if not self.db_path.exists():
            return []
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc) or "locked" in str(exc):
                return []
            raise
        finally:
            conn.close()

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.processes.items() if p.poll() is not None}
        if dead:
            raise StackError(f"components exited: {dead}")

    def wait_for(
        self, probe: Callable[[], T], timeout: float, what: str, interval: float = 0.5
    ) -> T:
        """Poll ``probe`` until it returns something truthy, or raise StackError (also
        when a component has exited)."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                raise StackError(f"gave up after {timeout:.0f}s waiting for {what}")
            time.sleep(interval)

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> None:
        """Until the dag processor has stored the DAG (serialized, so runnable)."""
        self.wait_for(
            lambda: self.query("SELECT 1 FROM serialized_dag WHERE dag_id = ?", (dag_id,)),
            timeout,
            f"the dag processor to parse {dag_id}",
        )

    def unpause(self, dag_id: str) -> None:
        self.airflow("dags", "unpause", dag_id)

    def trigger(
        self,
        dag_id: str,
        run_id: str,
        conf: Mapping[str, Any] | None = None,
        logical_date: datetime | None = None,
    ) -> None:
        args = ["dags", "trigger", dag_id, "--run-id", run_id]
        if conf is not None:
            args += ["--conf", json.dumps(conf)]
        if logical_date is not None:
            args += ["--logical-date", logical_date.isoformat()]
        self.airflow(*args)

    def next_dagrun(self, dag_id: str) -> datetime | None:
        """The logical date of the DAG's next scheduled run (None if unscheduled)."""
        rows = self.query("SELECT next_dagrun FROM dag WHERE dag_id = ?", (dag_id,))
        if not rows or rows[0][0] is None:
            return None
        when = datetime.fromisoformat(str(rows[0][0]))
        return when if when.tzinfo else when.replace(tzinfo=UTC)

    def dag_run_state(self, dag_id: str, run_id: str) -> str | None:
        rows = self.query(
            "SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?", (dag_id, run_id)
        )
        return rows[0][0] if rows else None

    def task_instance(self, dag_id: str, run_id: str, task_id: str) -> dict[str, Any] | None:
        """The TI row's ``id`` (a UUID, hyphenated as in process titles), ``state``
        and ``trigger_id`` (map index -1)."""
        rows = self.query(
            "SELECT id, state, trigger_id FROM task_instance WHERE dag_id = ? AND run_id = ? "
            "AND task_id = ? AND map_index = -1",
            (dag_id, run_id, task_id),
        )
        if not rows:
            return None
        ti_id, state, trigger_id = rows[0]
        # sqlite stores the UUID as 32 hex digits
        return {"id": str(uuid.UUID(str(ti_id))), "state": state, "trigger_id": trigger_id}

    def executor_dump(self, timeout: float = 30) -> dict[str, int]:
        """Ask the scheduler for a snapshot of its executor (SIGUSR2: the scheduler
        logs ``executor.queued_tasks (N)`` and ``executor.running (N)``); the counts."""
        log = self.log_dir / "scheduler.log"
        start = log.stat().st_size
        os.kill(self.processes["scheduler"].pid, signal.SIGUSR2)
        # "executor.queued (N)" up to Airflow 3.1 at least, "executor.queued_tasks (N)" by 3.3
        pattern = re.compile(r"executor\.(queued(?=[ ])|queued_tasks|running) \((\d+)\)")

        def counts() -> dict[str, int] | None:
            with log.open("rb") as handle:
                handle.seek(start)
                found = dict(
                    ("queued_tasks" if m.group(1) == "queued" else m.group(1), int(m.group(2)))
                    for m in pattern.finditer(handle.read().decode(errors="replace"))
                )
            return found if len(found) == 2 else None

        return self.wait_for(counts, timeout, "the scheduler's executor dump (SIGUSR2)")

    def log_text(self, component: str) -> str:
        """Everything a component has logged so far."""
        return (self.log_dir / f"{component}.log").read_text(errors="replace")

    @contextlib.contextmanager
    def report_failures(self, lines: int = 80) -> Iterator[None]:
        """Print the logs' tails (pytest shows them) if the block fails."""
        try:
            yield
        except BaseException:
            print(self.logs(lines), file=sys.stderr)
            raise

    def logs(self, lines: int = 60) -> str:
        """The tail of each component's log, of every task log, and the DAG import errors."""
        parts = []
        for name in self.components:
            path = self.log_dir / f"{name}.log"
            parts.append(f"----- {name} ({path}) -----\n{_tail(path, lines)}")
        for path in sorted((self.home / "logs").glob("dag_id=*/**/*.log")):
            parts.append(f"----- task log {path} -----\n{_tail(path, lines)}")
        for filename, stacktrace in self.query("SELECT filename, stacktrace FROM import_error"):
            parts.append(f"----- import error in {filename} -----\n{stacktrace}")
        return "\n".join(parts)


@contextlib.contextmanager
def airflow_stack(
    dags_folder: str | os.PathLike[str],
    env: Mapping[str, str],
    *,
    apps: str = "execution",
    components: tuple[str, ...] = COMPONENTS,
    component_env: Mapping[str, Mapping[str, str]] | None = None,
) -> Iterator[AirflowStack]:
    """A migrated temp AIRFLOW_HOME with the four components running; torn down after.

    ``env`` is added to the components' environment (connections as
    ``AIRFLOW_CONN_<ID>``, extra ``AIRFLOW__SECTION__KEY`` settings). ``apps``: the API
    server's (``execution`` is all the workers need; ``all`` adds the REST API and UI).
    ``components``: which of :data:`COMPONENTS` to start (the UI needs only the API server),
    and Celery workers (``celery-worker-<name>``, with the CeleryExecutor configured in
    ``env``). ``component_env``: extra environment of single components.
    """
    home = Path(tempfile.mkdtemp(prefix="airflow-stack-"))
    stack = AirflowStack(home, Path(dags_folder), env, apps, components, component_env)
    try:
        with stack.report_failures(120):
            stack.migrate()
            stack.start()
            stack.wait_ready()
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(home, ignore_errors=True)
