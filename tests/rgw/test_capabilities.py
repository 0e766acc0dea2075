"""ServerCapabilities, learned from each live server, and its pure helpers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from airflow_provider_swift.client import SwiftClient
from airflow_provider_swift.client.rest.server import (
    ServerCapabilities,
    manifest_format,
    tempurl_digests,
)
from airflow_provider_swift.testing.pytest_plugin import client_for, empty_container
from airflow_provider_swift.testing.rgw import LocalRGW
from airflow_provider_swift.testing.server import LocalSwift

EXPECTED = {
    "swift": ServerCapabilities(
        manifest_etag_header_ok=True,
        manifest_get_format="swift",
        listing_marks_slo=True,
        conditional_put_honoured=True,
        tempurl_digests=frozenset({"sha1", "sha256", "sha512"}),
    ),
    "rgw": ServerCapabilities(
        manifest_etag_header_ok=False,
        manifest_get_format="empty",
        listing_marks_slo=False,
        conditional_put_honoured=False,
        tempurl_digests=frozenset({"sha1"}),
    ),
}


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Iterator[SwiftClient]:
    server: LocalSwift | LocalRGW = request.getfixturevalue(
        "local_swift" if request.param == "swift" else "rgw"
    )
    client = client_for(server)
    yield client
    client.close()


@pytest.mark.parametrize(
    "client", ["swift", pytest.param("rgw", marks=pytest.mark.rgw)], indirect=True
)
def test_probed_capabilities_match_the_server(
    client: SwiftClient, request: pytest.FixtureRequest
) -> None:
    container = f"caps-{uuid.uuid4().hex[:12]}"
    client.put_container(container)
    try:
        capabilities = client.server.probe(container)
        assert list(client.iter_objects(container)) == []  # the probes cleaned up
    finally:
        empty_container(client, container)
    assert capabilities == EXPECTED[request.node.callspec.params["client"]]


def test_allowed_digests_from_info_win() -> None:
    info = {"tempurl": {"allowed_digests": ["sha256", "sha512"]}}
    assert tempurl_digests(info) == {"sha256", "sha512"}


def test_a_tempurl_section_without_digests_means_sha1_only() -> None:
    assert tempurl_digests({"swift": {}, "tempurl": {"methods": ["GET"]}}) == {"sha1"}


def test_no_info_at_all_means_sha1_only() -> None:
    assert tempurl_digests({}) == {"sha1"}


def test_info_without_tempurl_means_no_tempurls() -> None:
    assert tempurl_digests({"swift": {"version": "2.38.3"}}) == frozenset()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'[{"name": "/c/s", "hash": "x", "bytes": 1}]', "swift"),
        (b'[{"path": "/c/s", "etag": "x", "size_bytes": 1}]', "rgw"),
        (b"", "empty"),
        (b"[]", "empty"),
        (b"<html>", "empty"),
        (b'{"name": "x"}', "empty"),
    ],
)
def test_manifest_format(body: bytes, expected: str) -> None:
    assert manifest_format(body) == expected
