"""pytest fixtures that give a test a real, throwaway Swift.

Enable them in a ``conftest.py``::

    pytest_plugins = ["airflow_provider_swift.testing.pytest_plugin"]

then ask for ``server`` (the server under test), ``swift_client`` (a client of its
account ``test``), ``swift_container`` (a fresh empty container, removed afterwards)
or ``swift_conn_id`` (an Airflow connection named ``swift_default`` pointing at it,
set through the environment).

Both servers speaking the Swift API are tested: every test using ``server`` (or a
fixture built on it) runs twice, ``[swift]`` against a real Swift
(:class:`~airflow_provider_swift.testing.server.LocalSwift`) and ``[rgw]`` against
Ceph's RADOS Gateway (:class:`~airflow_provider_swift.testing.rgw.LocalRGW`) -- except
a test that also asks for ``local_swift`` (it needs Swift's own files: Swift only).
The ``[rgw]`` half is marked ``rgw``: ``-m rgw`` runs it alone, ``-m "not rgw"``
leaves it out. A test that cannot pass on a server because of a documented
limitation says so with ``@pytest.mark.server_limitation("rgw", "<row>")``, naming
the row of ``docs/compatibility.md``: it is skipped there, with that reason.

Each server starts once per session: ``local_swift`` when first needed, the RGW in
a background thread as the session starts (when any collected test needs it), so
other tests run meanwhile. ``rgw``, ``rgw_client`` and ``rgw_container`` give the
RGW directly.
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
#: The marker of a test that a server cannot pass: ``server_limitation(server, row)``.
LIMITATION_MARKER = "server_limitation"
#: The servers ``server`` is parametrized over, by test id.
SERVERS = ("swift", "rgw")


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
def server(request: pytest.FixtureRequest) -> SwiftAPIServer:
    """The server under test: the session's LocalSwift (``[swift]``) or LocalRGW
    (``[rgw]``); a test marked ``server_limitation`` for it is skipped, naming why."""
    name = getattr(request, "param", "swift")
    for mark in request.node.iter_markers(LIMITATION_MARKER):
        if mark.args[0] == name:
            pytest.skip(f"{name}: documented limitation {mark.args[1]} (docs/compatibility.md)")
    return request.getfixturevalue("rgw" if name == "rgw" else "local_swift")  # type: ignore[no-any-return]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test using ``server`` against both servers (``[swift]``, ``[rgw]``),
    unless it also needs ``local_swift`` itself or picks its servers explicitly."""
    if "server" not in metafunc.fixturenames or "local_swift" in metafunc.fixturenames:
        return
    if any("server" in mark.args[0] for mark in metafunc.definition.iter_markers("parametrize")):
        return
    metafunc.parametrize(
        "server",
        [pytest.param("swift", id="swift"), pytest.param("rgw", id="rgw", marks=pytest.mark.rgw)],
        indirect=True,
    )


@pytest.fixture
def swift_client(server: SwiftAPIServer) -> Iterator[SwiftClient]:
    """A client of the server's account ``test`` (user ``test:tester``)."""
    client = client_for(server)
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
def swift_conn_id(server: SwiftAPIServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """``swift_default``, defined through ``AIRFLOW_CONN_SWIFT_DEFAULT`` for this test."""
    monkeypatch.setenv("AIRFLOW_CONN_SWIFT_DEFAULT", connection_json(server))
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
    config.addinivalue_line(
        "markers",
        f"{LIMITATION_MARKER}(server, row): skip on that server (swift or rgw) for the "
        "limitation documented in that row of docs/compatibility.md",
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
