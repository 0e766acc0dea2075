"""pytest fixtures that give a test a real, throwaway Swift.

Enable them in a ``conftest.py``::

    pytest_plugins = ["airflow_provider_swift.testing.pytest_plugin"]

then ask for ``local_swift`` (the running cluster, one per test session),
``swift_client`` (a client of account ``test``), ``swift_container`` (a fresh empty
container, removed afterwards) or ``swift_conn_id`` (an Airflow connection named
``swift_default`` pointing at the cluster, set through the environment).

For Ceph's RADOS Gateway, the other server speaking the Swift API, ask for ``rgw``
(one :class:`~airflow_provider_swift.testing.rgw.LocalRGW` per session),
``rgw_client`` or ``rgw_container``. Tests using them are marked ``rgw`` (select or
deselect them with ``-m``), and when the session collected any, the gateway starts in
a background thread as the session starts, so other tests run meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator

import pytest

from airflow_provider_swift.client import AuthOptions, SwiftClient, SwiftError
from airflow_provider_swift.testing.rgw import LocalRGW
from airflow_provider_swift.testing.server import LocalSwift

#: Either server speaking the Swift API: both have ``auth_url``, ``user``, ``proxy_url``.
SwiftAPIServer = LocalSwift | LocalRGW

#: The marker of tests that need the RGW, and the fixtures that bring it.
RGW_MARKER = "rgw"
RGW_FIXTURES = frozenset({"rgw", "rgw_client", "rgw_container"})


def connection_json(
    swift: SwiftAPIServer, *, login: str | None = None, key: str | None = None
) -> str:
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
    swift: SwiftAPIServer, *, login: str | None = None, key: str | None = None
) -> SwiftClient:
    """A v1-auth :class:`SwiftClient` of ``swift`` (default user ``test:tester``)."""
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


# -- Ceph RGW ---------------------------------------------------------------------------


class BackgroundRGW:
    """Starts a :class:`LocalRGW` in its own thread and keeps that thread alive until
    :meth:`stop`: the servers' parent-death signal follows the thread that started
    them, so a starter thread that ended would take the servers with it."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._stopping = threading.Event()
        self._server: LocalRGW | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="local-rgw", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        server = LocalRGW()
        try:
            server.start()
        except BaseException as exc:  # handed to the test that asks for it
            self._error = exc
            self._ready.set()
            return
        self._server = server
        self._ready.set()
        self._stopping.wait()
        server.stop()

    def get(self) -> LocalRGW:
        """The running gateway, waiting for its start-up; its start-up error if it failed."""
        self._ready.wait()
        if self._server is None:
            error = self._error
            raise RuntimeError(f"the local Ceph RGW did not start: {error}") from error
        return self._server

    def stop(self) -> None:
        """Stop the gateway (after its start-up, if still starting) and delete its files."""
        self._stopping.set()
        self._thread.join()


_RGW_KEY = pytest.StashKey[BackgroundRGW]()


def _needs_rgw(item: pytest.Item) -> bool:
    """Whether a test uses an RGW fixture or is marked ``rgw`` (e.g. one parameter
    of a test that asks for its server with ``request.getfixturevalue``)."""
    if RGW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    return item.get_closest_marker(RGW_MARKER) is not None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{RGW_MARKER}: needs the local Ceph RGW (select or deselect with -m rgw)"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # before pytest's own -m filtering runs, so "-m 'not rgw'" sees the marker
    for item in items:
        if _needs_rgw(item):
            item.add_marker(RGW_MARKER)


def pytest_collection_finish(session: pytest.Session) -> None:
    if session.config.option.collectonly:
        return
    if any(_needs_rgw(item) for item in session.items):
        session.config.stash[_RGW_KEY] = BackgroundRGW()


def pytest_unconfigure(config: pytest.Config) -> None:
    starter = config.stash.get(_RGW_KEY, None)
    if starter is not None:
        starter.stop()
        del config.stash[_RGW_KEY]


@pytest.fixture(scope="session")
def rgw(pytestconfig: pytest.Config) -> LocalRGW:
    """The session's local Ceph RGW (started in the background at session start)."""
    starter = pytestconfig.stash.get(_RGW_KEY, None)
    if starter is None:  # asked for dynamically, not seen at collection
        starter = pytestconfig.stash[_RGW_KEY] = BackgroundRGW()
    return starter.get()


@pytest.fixture
def rgw_client(rgw: LocalRGW) -> Iterator[SwiftClient]:
    """A client of the RGW's account ``test`` (subuser ``test:tester``)."""
    client = client_for(rgw)
    yield client
    client.close()


@pytest.fixture
def rgw_container(rgw_client: SwiftClient) -> Iterator[str]:
    """A new empty container on the RGW, emptied and removed after the test."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    rgw_client.put_container(name)
    yield name
    empty_container(rgw_client, name)
