"""Transfers that outlive several tokens (tempauth and Keystone) complete, verified.

A proxy in front of Swift slows every segment request down, so a multi-segment
upload and a download take several token lifetimes; the client must renew its
token (before expiry, or on 401) without losing or corrupting a byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_swift.client import AuthOptions, SwiftClient
from airflow_provider_swift.testing.keystone import LocalKeystone
from airflow_provider_swift.testing.server import KeystoneAuth, LocalSwift
from tests.faultproxy import Fault, FaultProxy, fault_proxy

KIB = 1024
SEGMENTS = 6
DATA = os.urandom(SEGMENTS * 64 * KIB)


def slow_segments(proxy: FaultProxy, seconds: float) -> None:
    for method in ("PUT", "GET"):
        proxy.inject(Fault(method=method, path=r"_segments/", delay=seconds, times=10_000))


def transfer(client: SwiftClient, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.write_bytes(DATA)
    client.put_container("expiry")
    result = client.upload_file("expiry", "big", source, segment_size=64 * KIB, segment_threads=1)
    assert result.segments == SEGMENTS
    download = client.download_object("expiry", "big", tmp_path / "out", segment_threads=1)
    assert download.verified == "segments"
    assert (tmp_path / "out").read_bytes() == DATA


@pytest.mark.slow
def test_tempauth_tokens_expiring_mid_transfer(tmp_path: Path) -> None:
    with LocalSwift(token_life=2) as swift, fault_proxy(swift.proxy_url) as proxy:
        slow_segments(proxy, 0.5)  # 12 slow requests: about 6 s, three token lifetimes
        client = SwiftClient.connect(
            AuthOptions(
                auth_url=f"{proxy.url}/auth/v1.0",
                username=swift.user.login,
                password=swift.user.key,
            )
        )
        transfer(client, tmp_path)
        assert proxy.count("GET", r"/auth/v1\.0") >= 3  # the token was renewed


@pytest.fixture(scope="module")
def short_keystone() -> Iterator[tuple[LocalKeystone, LocalSwift, FaultProxy]]:
    with LocalKeystone(token_expiration=3) as keystone:
        service = keystone.create_project("service")
        keystone.create_user("swift", KeystoneAuth("").password, service, role="admin")
        with (
            LocalSwift(keystone=KeystoneAuth(auth_url=keystone.url)) as swift,
            fault_proxy(swift.proxy_url) as proxy,
        ):
            keystone.add_object_store(
                {("RegionOne", "public"): f"{proxy.url}/v1/AUTH_%(tenant_id)s"}
            )
            project = keystone.create_project("data")
            keystone.create_user("alice", "alice-pw", project)
            yield keystone, swift, proxy


@pytest.mark.slow
@pytest.mark.keystone
def test_keystone_tokens_expiring_mid_transfer(
    short_keystone: tuple[LocalKeystone, LocalSwift, FaultProxy], tmp_path: Path
) -> None:
    keystone, _, proxy = short_keystone
    slow_segments(proxy, 0.6)  # about 7 s: more than two 3-second tokens
    client = SwiftClient.connect(
        AuthOptions(
            auth_type="password",
            auth_url=keystone.auth_url,
            username="alice",
            password="alice-pw",
            project_name="data",
        )
    )
    tokens = set()
    real = client.transport.token

    def counting_token() -> str:
        token = real()
        tokens.add(token)
        return token

    client.transport.token = counting_token  # type: ignore[method-assign]
    transfer(client, tmp_path)
    assert len(tokens) >= 2
