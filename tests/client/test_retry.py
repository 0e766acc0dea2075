"""Retries, through a fault-injecting proxy in front of the real local Swift."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from unittest import mock

import pytest
import tenacity

from airflow_provider_swift.client import (
    AuthOptions,
    RetryPolicy,
    SwiftBodyNotRewindableError,
    SwiftClient,
    SwiftConnectionError,
    SwiftNotFoundError,
    SwiftRateLimitedError,
    SwiftServerError,
    SwiftValidationError,
    TransportOptions,
)
from airflow_provider_swift.testing.server import LocalSwift
from tests.faultproxy import Fault, FaultProxy

QUICK = RetryPolicy(max_attempts=4, backoff_initial=0.01, backoff_max=0.05)


@pytest.fixture
def client(local_swift: LocalSwift, faulty: FaultProxy) -> SwiftClient:
    client = SwiftClient.connect(
        AuthOptions(
            auth_url=f"{faulty.url}/auth/v1.0",
            username=local_swift.user.login,
            password=local_swift.user.key,
        ),
        TransportOptions(retry=QUICK),
    )
    client.put_container("retries")
    return client


def test_503_burst_is_retried_until_success(client: SwiftClient, faulty: FaultProxy) -> None:
    faulty.inject(Fault(method="PUT", path="/retries/burst", status=503, times=3))
    client.put_object("retries", "burst", b"data")
    assert faulty.count("PUT", "/retries/burst") == 4
    assert client.get_object("retries", "burst")[1] == b"data"


def test_rate_limit_498_and_429_are_retried(client: SwiftClient, faulty: FaultProxy) -> None:
    faulty.inject(Fault(method="HEAD", status=498, times=1, headers={"Retry-After": "0"}))
    faulty.inject(Fault(method="HEAD", status=429, times=1))
    client.head_container("retries")
    assert faulty.count("HEAD") == 3


def test_persistent_failure_raises_typed_error_after_max_attempts(
    client: SwiftClient, faulty: FaultProxy
) -> None:
    faulty.inject(Fault(method="GET", path="/retries/x", status=503, times=100))
    with pytest.raises(SwiftServerError) as info:
        client.get_object("retries", "x")
    assert info.value.status == 503
    assert info.value.method == "GET" and info.value.path == "/retries/x"
    assert faulty.count("GET", "/retries/x") == QUICK.max_attempts


def test_persistent_rate_limit_is_a_rate_limited_error(
    client: SwiftClient, faulty: FaultProxy
) -> None:
    faulty.inject(Fault(method="HEAD", status=498, times=100))
    with pytest.raises(SwiftRateLimitedError):
        client.head_container("retries")


def test_connection_reset_before_response_is_retried(
    client: SwiftClient, faulty: FaultProxy
) -> None:
    client.put_object("retries", "reset", b"abc")
    faulty.inject(Fault(method="GET", path="/retries/reset", reset=True, times=2))
    assert client.get_object("retries", "reset")[1] == b"abc"


def test_truncated_download_is_retried_and_verified(
    client: SwiftClient, faulty: FaultProxy, tmp_path: Path
) -> None:
    data = bytes(range(256)) * 4096
    client.put_object("retries", "cut", data)
    faulty.inject(Fault(method="GET", path="/retries/cut", truncate=True))
    result = client.download_object("retries", "cut", tmp_path / "cut")
    assert (tmp_path / "cut").read_bytes() == data and result.verified
    assert faulty.count("GET", "/retries/cut") == 2


def test_truncated_read_into_memory_is_retried(client: SwiftClient, faulty: FaultProxy) -> None:
    client.put_object("retries", "cut2", b"x" * 100_000)
    faulty.inject(Fault(method="GET", path="/retries/cut2", truncate=True, times=2))
    assert client.get_object("retries", "cut2")[1] == b"x" * 100_000


def test_download_that_keeps_breaking_leaves_no_file(
    client: SwiftClient, faulty: FaultProxy, tmp_path: Path
) -> None:
    client.put_object("retries", "cut3", b"y" * 100_000)
    faulty.inject(Fault(method="GET", path="/retries/cut3", truncate=True, times=100))
    with pytest.raises(SwiftConnectionError):
        client.download_object("retries", "cut3", tmp_path / "cut3")
    assert list(tmp_path.iterdir()) == []


def test_delete_whose_response_was_lost_counts_as_done(
    client: SwiftClient, faulty: FaultProxy
) -> None:
    client.put_object("retries", "gone", b"abc")
    faulty.inject(Fault(method="DELETE", path="/retries/gone", drop_response=True))
    client.delete_object("retries", "gone")  # 2nd attempt gets 404: success
    assert faulty.seen[-2:] == [
        ("DELETE", f"{faulty_path(client)}/retries/gone", 204),
        ("DELETE", f"{faulty_path(client)}/retries/gone", 404),
    ]


def test_delete_of_missing_object_without_retry_is_not_found(client: SwiftClient) -> None:
    with pytest.raises(SwiftNotFoundError):
        client.delete_object("retries", "never-was")


def test_not_found_is_not_retried(client: SwiftClient, faulty: FaultProxy) -> None:
    with pytest.raises(SwiftNotFoundError):
        client.head_object("retries", "missing")
    assert faulty.count("HEAD", "/retries/missing") == 1


def test_file_body_is_rewound_and_resent_intact(client: SwiftClient, faulty: FaultProxy) -> None:
    data = b"0123456789" * 100_000
    faulty.inject(Fault(method="PUT", path="/retries/file", status=503, times=2))
    result = client.put_object("retries", "file", io.BytesIO(data))
    assert result.etag == hashlib.md5(data).hexdigest()
    assert client.get_object("retries", "file")[1] == data


def test_stream_body_that_cannot_be_rewound_fails_clearly(
    client: SwiftClient, faulty: FaultProxy
) -> None:
    faulty.inject(Fault(method="PUT", path="/retries/stream", status=503))
    with pytest.raises(SwiftBodyNotRewindableError, match="cannot be rewound"):
        client.put_object("retries", "stream", iter([b"a", b"b"]), content_length=2)
    with pytest.raises(SwiftNotFoundError):
        client.head_object("retries", "stream")


def test_overall_deadline_stops_retrying(local_swift: LocalSwift, faulty: FaultProxy) -> None:
    policy = RetryPolicy(max_attempts=1000, deadline=0.3, backoff_initial=0.05, backoff_max=0.05)
    client = SwiftClient.connect(
        AuthOptions(
            auth_url=f"{faulty.url}/auth/v1.0",
            username=local_swift.user.login,
            password=local_swift.user.key,
        ),
        TransportOptions(retry=policy),
    )
    faulty.inject(Fault(method="HEAD", status=503, times=10_000))
    with pytest.raises(SwiftServerError):
        client.head_account()
    assert faulty.count("HEAD") < 1000


def faulty_path(client: SwiftClient) -> str:
    from urllib.parse import urlsplit

    return urlsplit(client.transport.storage_url()).path


# -- the policy as data ---------------------------------------------------------------


def _state(attempt: int, exc: BaseException, elapsed: float = 0.0) -> tenacity.RetryCallState:
    state = mock.Mock(spec=tenacity.RetryCallState)
    state.attempt_number = attempt
    state.seconds_since_start = elapsed
    state.outcome = mock.Mock()
    state.outcome.exception.return_value = exc
    return state


def test_wait_honours_retry_after_but_caps_it_and_the_deadline() -> None:
    policy = RetryPolicy(backoff_initial=0.01, backoff_max=0.01, deadline=100, retry_after_max=30)
    assert policy.wait_seconds(_state(1, SwiftRateLimitedError("x", retry_after=7))) == 7
    assert policy.wait_seconds(_state(1, SwiftRateLimitedError("x", retry_after=999))) == 30
    assert policy.wait_seconds(_state(1, SwiftRateLimitedError("x", retry_after=50), 90)) == 10


def test_backoff_is_jittered_exponential_and_bounded() -> None:
    policy = RetryPolicy(backoff_initial=1, backoff_max=4)
    waits = [policy.wait_seconds(_state(n, SwiftServerError("x"))) for n in range(1, 10)]
    assert all(0 <= w <= 4 for w in waits)


def test_policy_from_connection_style_settings() -> None:
    policy = RetryPolicy.from_mapping(
        {"max_attempts": "7", "deadline": "12.5", "statuses": "500,503", "unknown": "x"}
    )
    assert policy.max_attempts == 7 and policy.deadline == 12.5
    assert policy.statuses == frozenset({500, 503})
    with pytest.raises(SwiftValidationError, match="not a number"):
        RetryPolicy.from_mapping({"deadline": "soon"})
    with pytest.raises(SwiftValidationError):
        RetryPolicy(max_attempts=0)
