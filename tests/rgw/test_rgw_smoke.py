"""The local Ceph RGW speaks the Swift API to the project's client: auth, plain
objects, listings, a DLO. (SLOs differ on RGW: see test_rgw_facts.py.)"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import requests

from airflow_provider_swift.client import SwiftClient, SwiftNotFoundError
from airflow_provider_swift.testing.rgw import LocalRGW

KIB = 1024


def test_v1_auth_answers_the_accounts_storage_url(rgw: LocalRGW) -> None:
    reply = requests.get(
        rgw.auth_url,
        headers={"X-Auth-User": rgw.user.login, "X-Auth-Key": rgw.user.key},
        timeout=10,
    )
    assert reply.status_code in (200, 204)
    assert reply.headers["X-Storage-Url"] == rgw.storage_url("test")
    assert reply.headers["X-Auth-Token"]


def test_a_wrong_key_is_refused(rgw: LocalRGW) -> None:
    reply = requests.get(
        rgw.auth_url,
        headers={"X-Auth-User": rgw.user.login, "X-Auth-Key": "not-the-key"},
        timeout=10,
    )
    assert reply.status_code == 401


def test_info_is_served_under_swift(rgw: LocalRGW, rgw_client: SwiftClient) -> None:
    assert requests.get(rgw.info_url, timeout=10).json()["swift"]["version"]
    assert "max_file_size" in rgw_client.capabilities()["swift"]


def test_plain_object_round_trip(rgw_client: SwiftClient, rgw_container: str) -> None:
    put = rgw_client.put_object(rgw_container, "dir/a b%.txt", b"hello rgw")
    assert put.etag == hashlib.md5(b"hello rgw").hexdigest()
    headers, body = rgw_client.get_object(rgw_container, "dir/a b%.txt")
    assert body == b"hello rgw"
    assert headers["etag"].strip('"') == put.etag
    listed = list(rgw_client.iter_objects(rgw_container))
    assert [(e["name"], e["bytes"], e["hash"]) for e in listed] == [("dir/a b%.txt", 9, put.etag)]
    rgw_client.delete_object(rgw_container, "dir/a b%.txt")
    assert list(rgw_client.iter_objects(rgw_container)) == []
    with pytest.raises(SwiftNotFoundError):
        rgw_client.head_object(rgw_container, "dir/a b%.txt")


def test_listing_with_prefix_and_delimiter(rgw_client: SwiftClient, rgw_container: str) -> None:
    for name in ("a/1", "a/2", "b/1", "top"):
        rgw_client.put_object(rgw_container, name, name.encode())
    names = [e.get("name") or e.get("subdir") for e in rgw_client.iter_objects(rgw_container)]
    assert names == ["a/1", "a/2", "b/1", "top"]
    shallow = rgw_client.iter_objects(rgw_container, delimiter="/")
    assert [e.get("name") or e.get("subdir") for e in shallow] == ["a/", "b/", "top"]
    assert [e["name"] for e in rgw_client.iter_objects(rgw_container, prefix="a/")] == [
        "a/1",
        "a/2",
    ]


def test_dlo_upload_downloads_verified(
    rgw_client: SwiftClient, rgw_container: str, tmp_path: Path
) -> None:
    data = bytes(range(256)) * (3 * KIB)  # 768 KiB: three 256 KiB segments
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    result = rgw_client.upload_file(
        rgw_container, "big.bin", source, segment_size=256 * KIB, large_object="dlo"
    )
    assert result.large_object == "dlo"
    headers = rgw_client.head_object(rgw_container, "big.bin")
    assert headers["x-object-manifest"].startswith(f"{rgw_container}_segments/")
    assert int(headers["content-length"]) == len(data)
    target = tmp_path / "back.bin"
    downloaded = rgw_client.download_object(rgw_container, "big.bin", target)
    assert target.read_bytes() == data
    assert downloaded.verified == "segments"
    assert rgw_client.delete_object_with_segments(rgw_container, "big.bin")
    assert list(rgw_client.iter_objects(f"{rgw_container}_segments")) == []


def test_tests_using_the_rgw_are_marked_rgw(rgw: LocalRGW, request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("rgw") is not None


def test_without_ceph_starting_names_the_packages_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="install Debian's ceph-mon ceph-osd radosgw"):
        LocalRGW().start()
