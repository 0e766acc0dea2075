"""Listings against the real local Swift: prefixes, delimiters, markers, paging."""

from __future__ import annotations

import uuid

import pytest

from airflow_provider_swift.client import SwiftClient, SwiftNotFoundError
from airflow_provider_swift.testing.server import LocalSwift

NAMES = [
    "photos/2010/001.jpg",
    "photos/2011/001.jpg",
    "photos/2011/002.jpg",
    "photos/2012/001.jpg",
    "readme.txt",
    "ü/ñ.txt",
]


@pytest.fixture
def photos(swift_client: SwiftClient, swift_container: str) -> str:
    for name in NAMES:
        swift_client.put_object(swift_container, name, name.encode())
    return swift_container


def names(entries: object) -> list[str]:
    return [e.get("name", e.get("subdir")) for e in entries]  # type: ignore[attr-defined]


def test_lists_everything_in_order(swift_client: SwiftClient, photos: str) -> None:
    assert names(swift_client.iter_objects(photos)) == sorted(NAMES)


def test_entries_carry_size_etag_and_date(swift_client: SwiftClient, photos: str) -> None:
    entry = next(iter(swift_client.iter_objects(photos, prefix="readme")))
    assert entry["bytes"] == len("readme.txt")
    assert len(entry["hash"]) == 32
    assert entry["last_modified"]


def test_prefix(swift_client: SwiftClient, photos: str) -> None:
    assert names(swift_client.iter_objects(photos, prefix="photos/2011/")) == [
        "photos/2011/001.jpg",
        "photos/2011/002.jpg",
    ]


def test_delimiter_yields_subdirs(swift_client: SwiftClient, photos: str) -> None:
    assert names(swift_client.iter_objects(photos, delimiter="/")) == [
        "photos/",
        "readme.txt",
        "ü/",
    ]
    assert names(swift_client.iter_objects(photos, prefix="photos/", delimiter="/")) == [
        "photos/2010/",
        "photos/2011/",
        "photos/2012/",
    ]


def test_marker_and_end_marker(swift_client: SwiftClient, photos: str) -> None:
    listed = names(
        swift_client.iter_objects(
            photos, marker="photos/2010/001.jpg", end_marker="photos/2012/001.jpg"
        )
    )
    assert listed == ["photos/2011/001.jpg", "photos/2011/002.jpg"]


def test_small_pages_return_everything(swift_client: SwiftClient, photos: str) -> None:
    before = swift_client.transport.sent.get("GET", 0)
    assert names(swift_client.iter_objects(photos, page_size=2)) == sorted(NAMES)
    # three full pages, then the empty page that ends the listing
    assert swift_client.transport.sent["GET"] - before == 4


def test_delimiter_with_small_pages(swift_client: SwiftClient, photos: str) -> None:
    assert names(swift_client.iter_objects(photos, delimiter="/", page_size=1)) == [
        "photos/",
        "readme.txt",
        "ü/",
    ]


def test_listing_a_missing_container_raises(swift_client: SwiftClient) -> None:
    with pytest.raises(SwiftNotFoundError):
        list(swift_client.iter_objects("no-such-container"))


def test_container_listing_of_the_account(swift_client: SwiftClient, photos: str) -> None:
    # (account-level counts are updated asynchronously by Swift: not asserted)
    containers = list(swift_client.iter_containers(prefix=photos))
    assert [c["name"] for c in containers] == [photos]
    assert {"count", "bytes"} <= set(containers[0])


def test_listing_more_than_ten_thousand_objects(
    swift_client: SwiftClient, local_swift: LocalSwift
) -> None:
    """Swift serves at most 10,000 entries per request; the listing must page past it.

    The rows are put straight into the container's database (uploading 10,050
    objects one by one would take a minute); the listing itself is served by the
    real proxy and container server.
    """
    container = f"many-{uuid.uuid4().hex[:8]}"
    swift_client.put_container(container)
    expected = [f"many/{i:05d}" for i in range(10_050)]
    local_swift.add_listing_rows(container, expected)
    before = swift_client.transport.sent.get("GET", 0)
    assert names(swift_client.iter_objects(container)) == expected
    assert swift_client.transport.sent["GET"] - before == 3  # 10,000 + 50 + an empty page
