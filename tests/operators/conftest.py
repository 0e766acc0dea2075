"""Fixtures of the operator tests: a hook of the test connection, and a new container
made and removed by the container operators themselves."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.operators import (
    SwiftCreateContainerOperator,
    SwiftDeleteContainerOperator,
)


@pytest.fixture
def hook(swift_conn_id: str) -> SwiftHook:
    return SwiftHook(swift_conn_id)


@pytest.fixture
def container(hook: SwiftHook) -> Iterator[str]:
    name = f"op-{uuid.uuid4().hex[:10]}"
    made = SwiftCreateContainerOperator(task_id="c", container=name).execute({})
    assert made == {"container": name, "created": True}
    yield name
    for leftover in (name, f"{name}_segments"):
        SwiftDeleteContainerOperator(task_id="d", container=leftover, force=True).execute({})
