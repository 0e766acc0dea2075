"""fsspec's own conformance suite (``fsspec.tests.abstract``) against the real local Swift.

The suite runs unchanged: only its fixtures are given here -- the filesystem, a fresh
path for each test, ``/`` joins, and ``supports_empty_directories=False`` (Swift's
directories are name prefixes: one exists only while an object is under it).
"""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Callable, Iterator

import pytest
from fsspec.tests import abstract

from airflow_provider_swift.client import SwiftClient
from airflow_provider_swift.fs.swift import SwiftFileSystem
from airflow_provider_swift.testing.pytest_plugin import empty_container


class SwiftFixtures(abstract.AbstractFixtures):  # type: ignore[misc]
    """The fixtures the abstract suite asks every filesystem for."""

    @pytest.fixture
    def fs(self, swift_client: SwiftClient) -> SwiftFileSystem:
        return SwiftFileSystem(swift_client)

    @pytest.fixture
    def fs_path(self, swift_client: SwiftClient) -> Iterator[str]:
        container = f"fsspec-{uuid.uuid4().hex[:12]}"
        swift_client.put_container(container)
        yield container
        empty_container(swift_client, container)

    @pytest.fixture
    def fs_join(self) -> Callable[..., str]:
        return posixpath.join

    @pytest.fixture
    def supports_empty_directories(self) -> bool:
        return False


class TestSwiftCopy(abstract.AbstractCopyTests, SwiftFixtures):  # type: ignore[misc]
    pass


class TestSwiftGet(abstract.AbstractGetTests, SwiftFixtures):  # type: ignore[misc]
    pass


class TestSwiftPut(abstract.AbstractPutTests, SwiftFixtures):  # type: ignore[misc]
    pass


class TestSwiftOpen(abstract.AbstractOpenTests, SwiftFixtures):  # type: ignore[misc]
    pass


class TestSwiftPipe(abstract.AbstractPipeTests, SwiftFixtures):  # type: ignore[misc]
    pass
