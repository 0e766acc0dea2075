"""No secret in logs (DEBUG included), error messages, XCom or rendered template fields.

A DAG run of the data-lake example (every operator family) against a Swift whose
user key is random, with a temp-URL key that is random too, while every token the
client obtains is recorded; then every log record, every XCom value and every
rendered template field of the run is searched for all of them.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_swift.client.wire.transport import Transport
from airflow_provider_swift.testing.server import LocalSwift, TempAuthUser
from tests.modules import example


@pytest.fixture(scope="module")
def secret_swift() -> Iterator[tuple[LocalSwift, str]]:
    key = "key-" + secrets.token_hex(12)
    user = TempAuthUser("test", "tester", key)
    with LocalSwift(users=(user, TempAuthUser("test", "tester3", "testing3", groups=""))) as swift:
        yield swift, key


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_no_secret_in_logs_xcom_or_rendered_fields(
    secret_swift: tuple[LocalSwift, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    swift, key = secret_swift
    temp_url_key = "tuk-" + secrets.token_hex(12)
    monkeypatch.setenv(
        "AIRFLOW_CONN_SWIFT_DEFAULT",
        json.dumps(
            {
                "conn_type": "swift",
                "host": swift.auth_url,
                "login": swift.user.login,
                "password": key,
                "extra": {"temp_url_secret": temp_url_key},
            }
        ),
    )
    # the account's key, which the connection extra names for the hook
    from airflow_provider_swift.testing.pytest_plugin import client_for

    client_for(swift, key=key).post_account(metadata={"temp-url-key": temp_url_key})
    tokens: set[str] = set()
    real_token = Transport.token

    def recording_token(self: Transport) -> str:
        token = real_token(self)
        tokens.add(token)
        return token

    monkeypatch.setattr(Transport, "token", recording_token)
    module = example("example_swift_data_lake")
    with caplog.at_level(logging.DEBUG):
        run = module.example_swift_data_lake().test()
    assert run.state == "success"
    assert tokens, "the run must have authenticated"

    haystacks: list[str] = [r.getMessage() for r in caplog.records]
    haystacks += [str(r.exc_info) for r in caplog.records if r.exc_info]
    haystacks += _xcom_values(run.dag_id, run.run_id)
    haystacks += _rendered_fields(run.dag_id, run.run_id)
    assert len(haystacks) > 50
    for secret in (key, temp_url_key, *tokens):
        leaks = [h for h in haystacks if secret in h]
        assert not leaks, f"a secret leaked: {leaks[:2]}"


def _xcom_values(dag_id: str, run_id: str) -> list[str]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter_by(dag_id=dag_id, run_id=run_id).all()
        return [json.dumps(row.value, default=str) for row in rows]


def _rendered_fields(dag_id: str, run_id: str) -> list[str]:
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.utils.session import create_session

    with create_session() as session:
        rows: list[Any] = (
            session.query(RenderedTaskInstanceFields).filter_by(dag_id=dag_id, run_id=run_id).all()
        )
        return [json.dumps(row.rendered_fields, default=str) for row in rows]
