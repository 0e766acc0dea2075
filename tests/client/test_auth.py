"""Authentication against the real local Swift (tempauth, pre-authenticated)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from airflow_provider_swift.client import (
    AuthOptions,
    RetryPolicy,
    SwiftAuthenticationError,
    SwiftClient,
    SwiftConnectionError,
    SwiftValidationError,
    TempAuth,
    TransportOptions,
)
from airflow_provider_swift.testing.pytest_plugin import client_for
from airflow_provider_swift.testing.server import LocalSwift, free_port

FAST_RETRY = RetryPolicy(max_attempts=2, backoff_initial=0.01, backoff_max=0.02)


def test_tempauth_gets_token_and_storage_url(local_swift: LocalSwift) -> None:
    client = client_for(local_swift)
    assert client.transport.storage_url() == local_swift.storage_url("test")
    assert "x-account-object-count" in client.head_account()


def test_wrong_key_is_a_clear_auth_error_without_the_key(local_swift: LocalSwift) -> None:
    client = client_for(local_swift, key="not-the-key")
    with pytest.raises(SwiftAuthenticationError) as info:
        client.head_account()
    message = str(info.value)
    assert "test:tester" in message and "password" in message
    assert "not-the-key" not in message
    assert info.value.status == 401


def test_rejected_token_mid_run_reauthenticates_once(
    local_swift: LocalSwift, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_for(local_swift)
    client.head_account()
    plugin = client.transport.auth
    assert isinstance(plugin, TempAuth)
    bogus = "AUTH_tk" + "0" * 32
    plugin._token = bogus  # a token the real server does not know: it answers 401
    with caplog.at_level("INFO", logger="airflow_provider_swift"):
        client.put_container("reauth")
    assert client.transport.token() != bogus
    assert any("re-authenticating" in r.getMessage() for r in caplog.records)
    client.delete_container("reauth")


def test_preauthenticated_storage_url_and_token(local_swift: LocalSwift) -> None:
    token = client_for(local_swift).transport.token()
    client = SwiftClient.connect(
        AuthOptions(
            auth_type="preauthenticated",
            storage_url=local_swift.storage_url("test"),
            token=token,
        )
    )
    assert "x-account-container-count" in client.head_account()


def test_preauthenticated_token_rejected_cannot_reauthenticate(local_swift: LocalSwift) -> None:
    client = SwiftClient.connect(
        AuthOptions(
            auth_type="preauthenticated",
            storage_url=local_swift.storage_url("test"),
            token="AUTH_tk-bogus",
        ),
        TransportOptions(retry=FAST_RETRY),
    )
    with pytest.raises(SwiftAuthenticationError) as info:
        client.head_account()
    assert "AUTH_tk-bogus" not in str(info.value)


def test_storage_url_override_reaches_another_account_by_acl(local_swift: LocalSwift) -> None:
    # the reseller admin may use any account's storage URL
    client = SwiftClient.connect(
        AuthOptions(
            auth_url=local_swift.auth_url,
            username="admin:admin",
            password="admin",
            storage_url=local_swift.storage_url("test2"),
        )
    )
    assert client.transport.storage_url() == local_swift.storage_url("test2")
    client.head_account()


def test_unreachable_auth_url_is_a_connection_error(local_swift: LocalSwift) -> None:
    client = SwiftClient.connect(
        AuthOptions(
            auth_url=f"http://127.0.0.1:{free_port()}/auth/v1.0",
            username="test:tester",
            password="testing",
        ),
        TransportOptions(retry=FAST_RETRY, connect_timeout=1),
    )
    with pytest.raises(SwiftConnectionError, match="cannot reach auth URL"):
        client.head_account()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (AuthOptions(auth_type="kerberos"), "unknown auth_type 'kerberos'"),
        (AuthOptions(auth_url="http://x/auth/v1.0", username="a:b"), "key"),
        (AuthOptions(auth_type="password", auth_url="https://k/v3", password="p"), "user"),
        (AuthOptions(auth_type="preauthenticated", token="t"), "storage_url"),
        (AuthOptions(auth_url="ftp://x", username="a", password="b"), "http://"),
        (
            AuthOptions(auth_type="application_credential", auth_url="https://k/v3"),
            "application_credential_id",
        ),
    ],
)
def test_incomplete_auth_settings_are_refused_up_front(options: AuthOptions, message: str) -> None:
    with pytest.raises(SwiftValidationError, match=message):
        SwiftClient.connect(options)


def test_auth_options_repr_hides_secrets() -> None:
    options = AuthOptions(
        auth_url="http://x",
        username="u",
        password="pw-123",
        token="tok-456",
        application_credential_secret="sec-789",
    )
    text = repr(options)
    assert "pw-123" not in text and "tok-456" not in text and "sec-789" not in text


@pytest.fixture(scope="module")
def short_token_swift() -> Iterator[LocalSwift]:
    with LocalSwift(token_life=3) as swift:
        yield swift


@pytest.mark.slow
def test_expiring_tempauth_token_is_refreshed_before_use(short_token_swift: LocalSwift) -> None:
    client = client_for(short_token_swift)
    client.put_container("expiry")
    tokens = {client.transport.token()}
    for i in range(4):
        time.sleep(1.5)
        client.put_object("expiry", f"o{i}", b"x")
        tokens.add(client.transport.token())
    assert len(tokens) >= 2
    assert len(list(client.iter_objects("expiry"))) == 4
