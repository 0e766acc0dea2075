"""The provider as Airflow sees it: entry point, provider info, CLI."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from airflow.providers.common.compat.sdk import BaseHook, BaseOperator, BaseSensorOperator
from airflow.triggers.base import BaseTrigger

from airflow_provider_swift.get_provider_info import get_provider_info


def test_entry_point_resolves_to_provider_info() -> None:
    (entry,) = [
        e for e in entry_points(group="apache_airflow_provider") if e.value.startswith("airflow_p")
    ]
    assert entry.value == "airflow_provider_swift.get_provider_info:get_provider_info"
    assert entry.load()() == get_provider_info()


def test_provider_info_matches_airflows_schema() -> None:
    import jsonschema
    from airflow import providers_manager

    schema_path = Path(providers_manager.__file__).with_name("provider_info.schema.json")
    jsonschema.validate(get_provider_info(), json.loads(schema_path.read_text()))


def _declared(kind: str) -> set[str]:
    info = get_provider_info()
    if kind == "transfers":
        return {entry["python-module"] for entry in info.get("transfers", [])}
    return {module for entry in info.get(kind, []) for module in entry["python-modules"]}


def _modules_defining(package: str, base: type) -> set[str]:
    """The modules of ``package`` that define a public subclass of ``base``."""
    found = set()
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__, f"{package}."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and value.__module__ == info.name
                and not name.startswith("_")
                and issubclass(value, base)
                and value.__name__ != "SwiftBaseOperator"
            ):
                found.add(info.name)
    return found


@pytest.mark.parametrize(
    ("kinds", "package", "base"),
    [
        (("operators", "transfers"), "airflow_provider_swift.operators", BaseOperator),
        (("sensors",), "airflow_provider_swift.sensors", BaseSensorOperator),
        (("triggers",), "airflow_provider_swift.triggers", BaseTrigger),
        (("hooks",), "airflow_provider_swift.hooks", BaseHook),
    ],
    ids=["operators", "sensors", "triggers", "hooks"],
)
def test_every_module_with_operators_sensors_triggers_or_hooks_is_declared(
    kinds: tuple[str, ...], package: str, base: type
) -> None:
    """Walking the package: a new module of operators (etc.) must be declared, and a
    declared module must exist and hold some."""
    declared = set().union(*(_declared(kind) for kind in kinds))
    assert _modules_defining(package, base) == declared


def test_an_operator_module_is_declared_once() -> None:
    assert not _declared("operators") & _declared("transfers")


def test_swift_to_swift_is_a_transfer_within_the_integration() -> None:
    (transfer,) = get_provider_info()["transfers"]
    integrations = {i["integration-name"] for i in get_provider_info()["integrations"]}
    assert transfer["source-integration-name"] in integrations
    assert transfer["target-integration-name"] in integrations
    assert transfer["python-module"] == "airflow_provider_swift.operators.transfer"


def test_connection_type_declares_static_fields() -> None:
    (conn_type,) = get_provider_info()["connection-types"]
    assert conn_type["connection-type"] == "swift"
    assert conn_type["hook-class-name"] == "airflow_provider_swift.hooks.swift.SwiftHook"
    assert {"auth_type", "project_name", "region_name", "storage_url"} <= set(
        conn_type["conn-fields"]
    )
    assert "hidden-fields" in conn_type["ui-field-behaviour"]


def _airflow(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    env.pop("AIRFLOW__CORE__UNIT_TEST_MODE", None)
    airflow = str(Path(sys.executable).with_name("airflow"))
    return subprocess.run(
        [airflow, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.slow
def test_airflow_cli_lists_provider_and_accepts_a_swift_connection(tmp_path: Path) -> None:
    listed = _airflow(tmp_path, "providers", "list")
    assert "airflow-provider-swift" in listed.stdout, listed.stderr
    assert _airflow(tmp_path, "db", "migrate").returncode == 0
    added = _airflow(
        tmp_path,
        "connections",
        "add",
        "swift_cli",
        "--conn-type",
        "swift",
        "--conn-host",
        "http://127.0.0.1:8080/auth/v1.0",
        "--conn-login",
        "test:tester",
        "--conn-password",
        "testing",
        "--conn-extra",
        json.dumps({"auth_type": "tempauth"}),
    )
    assert added.returncode == 0, added.stderr
    shown = _airflow(tmp_path, "connections", "get", "swift_cli", "-o", "json")
    assert json.loads(shown.stdout)[0]["conn_type"] == "swift"
