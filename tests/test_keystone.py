"""Keystone v3 against a real local Keystone, with Swift validating its tokens.

Select these alone with ``pytest -m keystone``; they run in CI with the rest.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from keystoneauth1 import session
from keystoneauth1.identity import v3

from airflow_provider_swift.client import (
    AuthOptions,
    SwiftAuthenticationError,
    SwiftClient,
)
from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.testing.keystone import LocalKeystone
from airflow_provider_swift.testing.server import KeystoneAuth, LocalSwift
from tests.faultproxy import FaultProxy, fault_proxy

pytestmark = pytest.mark.keystone

PASSWORD = "alice-password-4e1"


@dataclass
class Cloud:
    keystone: LocalKeystone
    swift: LocalSwift
    region_two: FaultProxy
    project_id: str
    user_id: str

    def options(self, **overrides: object) -> AuthOptions:
        settings: dict[str, object] = {
            "auth_type": "password",
            "auth_url": self.keystone.auth_url,
            "username": "alice",
            "password": PASSWORD,
            "project_name": "data",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        }
        settings.update(overrides)
        return AuthOptions(**settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def cloud() -> Iterator[Cloud]:
    with LocalKeystone() as keystone:
        service = keystone.create_project("service")
        keystone.create_user("swift", KeystoneAuth("").password, service, role="admin")
        with (
            LocalSwift(keystone=KeystoneAuth(auth_url=keystone.url)) as swift,
            fault_proxy(swift.proxy_url) as region_two,
        ):
            port = swift.ports["proxy"]
            keystone.add_object_store(
                {
                    ("RegionOne", "public"): f"http://127.0.0.1:{port}/v1/AUTH_%(tenant_id)s",
                    ("RegionOne", "internal"): f"http://localhost:{port}/v1/AUTH_%(tenant_id)s",
                    ("RegionTwo", "public"): f"{region_two.url}/v1/AUTH_%(tenant_id)s",
                }
            )
            project_id = keystone.create_project("data")
            user_id = keystone.create_user("alice", PASSWORD, project_id)
            keystone.create_project("elsewhere")
            yield Cloud(keystone, swift, region_two, project_id, user_id)


def round_trip(client: SwiftClient) -> None:
    container = f"ks-{uuid.uuid4().hex[:8]}"
    client.put_container(container)
    client.put_object(container, "o", b"keystone data")
    assert client.get_object(container, "o")[1] == b"keystone data"
    client.delete_object(container, "o")
    client.delete_container(container)


def test_password_auth_uses_the_public_endpoint_of_the_catalog(cloud: Cloud) -> None:
    client = SwiftClient.connect(cloud.options())
    assert client.transport.storage_url() == (f"{cloud.swift.proxy_url}/v1/AUTH_{cloud.project_id}")
    round_trip(client)


def test_interface_selects_the_internal_endpoint(cloud: Cloud) -> None:
    client = SwiftClient.connect(cloud.options(interface="internal"))
    assert client.transport.storage_url().startswith(
        f"http://localhost:{cloud.swift.ports['proxy']}/"
    )
    round_trip(client)


def test_region_selects_that_regions_endpoint(cloud: Cloud) -> None:
    client = SwiftClient.connect(cloud.options(region_name="RegionTwo"))
    assert client.transport.storage_url().startswith(cloud.region_two.url)
    before = len(cloud.region_two.seen)
    round_trip(client)
    assert len(cloud.region_two.seen) > before


def test_unknown_region_is_a_clear_error(cloud: Cloud) -> None:
    client = SwiftClient.connect(cloud.options(region_name="RegionNine"))
    with pytest.raises(SwiftAuthenticationError, match="region_name"):
        client.head_account()


def test_application_credential_by_id_and_by_name(cloud: Cloud) -> None:
    name = f"airflow-{uuid.uuid4().hex[:6]}"
    credential_id, secret = cloud.keystone.create_application_credential(
        cloud.user_id, "alice", PASSWORD, cloud.project_id, name
    )
    by_id = AuthOptions(
        auth_type="application_credential",
        auth_url=cloud.keystone.auth_url,
        application_credential_id=credential_id,
        application_credential_secret=secret,
    )
    round_trip(SwiftClient.connect(by_id))
    by_name = AuthOptions(
        auth_type="application_credential",
        auth_url=cloud.keystone.auth_url,
        application_credential_name=name,
        application_credential_secret=secret,
        username="alice",
        user_domain_name="Default",
    )
    round_trip(SwiftClient.connect(by_name))


def test_token_auth(cloud: Cloud) -> None:
    password = v3.Password(
        auth_url=cloud.keystone.auth_url,
        username="alice",
        password=PASSWORD,
        project_id=cloud.project_id,
        user_domain_name="Default",
    )
    token = session.Session(auth=password).get_token()
    client = SwiftClient.connect(
        AuthOptions(
            auth_type="token",
            auth_url=cloud.keystone.auth_url,
            token=token,
            project_id=cloud.project_id,
        )
    )
    round_trip(client)


def test_project_the_user_has_no_role_on_is_a_clear_error(cloud: Cloud) -> None:
    client = SwiftClient.connect(cloud.options(project_name="elsewhere"))
    with pytest.raises(SwiftAuthenticationError, match="credentials rejected") as info:
        client.head_account()
    assert PASSWORD not in str(info.value)


def test_wrong_password_is_a_clear_error(cloud: Cloud) -> None:
    client = SwiftClient.connect(cloud.options(password="not-it"))
    with pytest.raises(SwiftAuthenticationError, match="check user, password"):
        client.head_account()


def test_hook_with_a_keystone_connection(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_SWIFT_KEYSTONE",
        json.dumps(
            {
                "conn_type": "swift",
                "host": cloud.keystone.auth_url,
                "login": "alice",
                "password": PASSWORD,
                "extra": {"project_name": "data", "region_name": "RegionOne"},
            }
        ),
    )
    ok, message = SwiftHook("swift_keystone").test_connection()
    assert ok, message
    monkeypatch.setenv(
        "AIRFLOW_CONN_SWIFT_KEYSTONE_BAD",
        json.dumps(
            {
                "conn_type": "swift",
                "host": cloud.keystone.auth_url,
                "login": "alice",
                "password": "wrong-pw-77",
                "extra": {"project_name": "data"},
            }
        ),
    )
    ok, message = SwiftHook("swift_keystone_bad").test_connection()
    assert not ok and "rejected" in message and "wrong-pw-77" not in message
