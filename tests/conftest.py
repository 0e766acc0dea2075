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
# dag.test() syncs the DAG bundle to the database: the bundle is our example DAGs.
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "example_dags"
)
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")

from airflow_provider_swift.testing.server import LocalSwift  # noqa: E402
from tests.faultproxy import FaultProxy, fault_proxy  # noqa: E402

pytest_plugins = ["airflow_provider_swift.testing.pytest_plugin"]


@pytest.fixture
def faulty(local_swift: LocalSwift) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the session's Swift."""
    with fault_proxy(local_swift.proxy_url) as proxy:
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
