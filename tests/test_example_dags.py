"""The example DAGs run end to end against the local Swift through ``dag.test()``."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from airflow_provider_swift.hooks.swift import SwiftHook

EXAMPLES = Path(__file__).parents[1] / "example_dags"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_quickstart_dag_runs(swift_conn_id: str) -> None:
    module = load("example_swift_quickstart")
    run = module.example_swift_quickstart().test()
    assert run.state == "success"
    hook = SwiftHook(swift_conn_id)
    assert hook.list_objects("quickstart", prefix="daily/") == ["daily/extract.csv"]


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_data_lake_dag_runs(swift_conn_id: str) -> None:
    module = load("example_swift_data_lake")
    run = module.example_swift_data_lake().test()
    assert run.state == "success"
    hook = SwiftHook(swift_conn_id)
    assert hook.head_container("lake-landing") is None  # cleaned up at the end
