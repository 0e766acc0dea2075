"""pytest fixtures that give a test a real, throwaway Swift.

Enable them in a ``conftest.py``::

    pytest_plugins = ["airflow_provider_swift.testing.pytest_plugin"]

then ask for ``local_swift`` (the running cluster, one per test session),
``swift_client`` (a client of account ``test``), ``swift_container`` (a fresh empty
container, removed afterwards) or ``swift_conn_id`` (an Airflow connection named
``swift_default`` pointing at the cluster, set through the environment).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator

import pytest

from airflow_provider_swift.client import AuthOptions, SwiftClient, SwiftError
from airflow_provider_swift.testing.server import LocalSwift


def connection_json(swift: LocalSwift, *, login: str | None = None, key: str | None = None) -> str:
    """An Airflow connection (JSON form) for a tempauth user of ``swift``."""
    return json.dumps(
        {
            "conn_type": "swift",
            "host": swift.auth_url,
            "login": login or swift.user.login,
            "password": key or swift.user.key,
            "extra": {"auth_type": "tempauth"},
        }
    )


def client_for(
    swift: LocalSwift, *, login: str | None = None, key: str | None = None
) -> SwiftClient:
    """A tempauth :class:`SwiftClient` of ``swift`` (default user ``test:tester``)."""
    return SwiftClient.connect(
        AuthOptions(
            auth_type="tempauth",
            auth_url=swift.auth_url,
            username=login or swift.user.login,
            password=key or swift.user.key,
        )
    )


def empty_container(client: SwiftClient, container: str) -> None:
    """Delete every object in a container, then the container (best effort)."""
    with contextlib.suppress(SwiftError):
        for entry in list(client.iter_objects(container)):
            with contextlib.suppress(SwiftError):
                client.delete_object(container, entry["name"])
        client.delete_container(container)


@pytest.fixture(scope="session")
def local_swift() -> Iterator[LocalSwift]:
    """A running local Swift shared by the whole test session."""
    with LocalSwift() as swift:
        yield swift


@pytest.fixture
def swift_client(local_swift: LocalSwift) -> Iterator[SwiftClient]:
    """A client of account ``test`` (user ``test:tester``)."""
    client = client_for(local_swift)
    yield client
    client.close()


@pytest.fixture
def swift_container(swift_client: SwiftClient) -> Iterator[str]:
    """A new empty container, emptied and removed after the test."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    swift_client.put_container(name)
    yield name
    empty_container(swift_client, name)


@pytest.fixture
def swift_conn_id(local_swift: LocalSwift, monkeypatch: pytest.MonkeyPatch) -> str:
    """``swift_default``, defined through ``AIRFLOW_CONN_SWIFT_DEFAULT`` for this test."""
    monkeypatch.setenv("AIRFLOW_CONN_SWIFT_DEFAULT", connection_json(local_swift))
    return "swift_default"
