"""Test session setup: a private AIRFLOW_HOME, and the local-Swift fixtures."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

# Airflow reads its configuration at import: point it at a throwaway home first.
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="airflow-home-")
os.environ["AIRFLOW_HOME"] = _AIRFLOW_HOME
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
# dag.test() syncs the DAG bundle to the database: the bundle is our example DAGs plus
# the tests' own DAGs (tests/dags), linked into one throwaway folder.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_DAGS_FOLDER = os.path.join(_AIRFLOW_HOME, "dags")
os.mkdir(_DAGS_FOLDER)
for _source in ("example_dags", os.path.join("tests", "dags")):
    for _name in sorted(os.listdir(os.path.join(_ROOT, _source))):
        if _name.endswith(".py"):
            os.symlink(os.path.join(_ROOT, _source, _name), os.path.join(_DAGS_FOLDER, _name))
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = _DAGS_FOLDER
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")

from airflow_provider_swift.testing.pytest_plugin import SwiftAPIServer  # noqa: E402
from tests.faultproxy import FaultProxy, fault_proxy  # noqa: E402

pytest_plugins = ["airflow_provider_swift.testing.pytest_plugin"]


@pytest.fixture
def faulty(server: SwiftAPIServer) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the server under test (Swift or RGW)."""
    with fault_proxy(server.proxy_url) as proxy:
        yield proxy


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import shutil

    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Airflow's metadata database (sqlite in the private AIRFLOW_HOME), migrated once."""
    import subprocess
    import sys
    from pathlib import Path

    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run(
        [airflow, "db", "migrate"], check=True, capture_output=True, env=dict(os.environ)
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test skipped on a server must name a row of docs/compatibility.md where that
    server differs from the other: no undocumented skips."""
    from tests.rgw.test_rgw_facts import documented

    table = documented()
    for item in items:
        for mark in item.iter_markers("server_limitation"):
            server, row = mark.args
            cells = table.get(row)
            if cells is None or len(set(cells.values())) < 2 or server not in cells:
                raise pytest.UsageError(
                    f"{item.nodeid}: server_limitation({server!r}, {row!r}) names no row of "
                    "docs/compatibility.md where the servers differ"
                )
