"""How connection fields become client settings (no server needed)."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_swift.client import SwiftValidationError
from airflow_provider_swift.hooks.connection import options_from_connection


def options(
    host: str | None = "http://127.0.0.1:8080/auth/v1.0",
    login: str | None = "test:tester",
    password: str | None = "testing",
    **extra: Any,
) -> Any:
    return options_from_connection(host=host, login=login, password=password, extra=extra)


def test_tempauth_is_the_default() -> None:
    auth, transport = options()
    assert auth.auth_type == "tempauth"
    assert auth.auth_url == "http://127.0.0.1:8080/auth/v1.0"
    assert auth.username == "test:tester" and auth.password == "testing"
    assert transport.verify is True


def test_keystone_v3_password_is_inferred_with_default_domains() -> None:
    from airflow_provider_swift.client.wire.auth import make_auth_plugin

    auth, _ = options(host="https://keystone:5000/v3", login="alice", project_name="etl")
    assert auth.auth_type == "password" and auth.project_name == "etl"
    plugin = make_auth_plugin(auth)
    assert plugin.auth_methods[0].user_domain_name == "Default"  # type: ignore[attr-defined]
    assert plugin.project_domain_name == "Default"  # type: ignore[attr-defined]


def test_explicit_domain_ids_suppress_the_default_names() -> None:
    from airflow_provider_swift.client.wire.auth import make_auth_plugin

    auth, _ = options(
        host="https://keystone:5000/v3",
        project_name="etl",
        user_domain_id="u1",
        project_domain_id="p1",
    )
    plugin = make_auth_plugin(auth)
    method = plugin.auth_methods[0]  # type: ignore[attr-defined]
    assert method.user_domain_name is None and method.user_domain_id == "u1"
    assert plugin.project_domain_name is None  # type: ignore[attr-defined]
    assert plugin.project_domain_id == "p1"  # type: ignore[attr-defined]


def test_application_credential() -> None:
    auth, _ = options(
        host="https://keystone:5000/v3",
        login=None,
        password="s3cret",
        application_credential_id="ac-1",
    )
    assert auth.auth_type == "application_credential"
    assert auth.application_credential_secret == "s3cret" and auth.password is None


def test_token_and_preauthenticated() -> None:
    auth, _ = options(host="https://keystone:5000/v3", login=None, password="tok")
    assert auth.auth_type == "token" and auth.token == "tok"
    auth, _ = options(host=None, login=None, password="tok", storage_url="http://s/v1/AUTH_a")
    assert auth.auth_type == "preauthenticated"
    assert auth.storage_url == "http://s/v1/AUTH_a"


def test_bare_host_is_combined_with_port_schema_and_scheme() -> None:
    auth, _ = options_from_connection(
        host="swift.example",
        login="a:b",
        password="k",
        port=8080,
        schema="auth/v1.0",
        extra={"scheme": "http"},
    )
    assert auth.auth_url == "http://swift.example:8080/auth/v1.0"


def test_tls_timeouts_and_retry_extras() -> None:
    _, transport = options(
        ca_cert="/etc/ssl/ca.pem",
        client_cert="/c.pem",
        client_key="/k.pem",
        connect_timeout="3",
        read_timeout=30,
        retry_max_attempts="9",
        retry_deadline="60",
    )
    assert transport.verify == "/etc/ssl/ca.pem"
    assert transport.cert == ("/c.pem", "/k.pem")
    assert transport.connect_timeout == 3 and transport.read_timeout == 30
    assert transport.retry.max_attempts == 9 and transport.retry.deadline == 60
    _, transport = options(verify="false", ca_cert="/ignored.pem")
    assert transport.verify is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"auth_type": "v2"}, "unknown auth_type"),
        ({"password": None}, "key"),
        ({"host": None}, "auth URL"),
        ({"verify": "maybe"}, "true or false"),
        ({"read_timeout": "slow"}, "not a number"),
    ],
)
def test_bad_connections_get_actionable_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(SwiftValidationError, match=message):
        options(**kwargs)
