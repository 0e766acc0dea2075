"""The async driver under the fault matrix's faults, for the requests triggers make.

Triggers HEAD objects and list prefixes through :class:`AsyncSwiftClient`, which
sends the same request descriptions as the sync client through the async driver
under the same retry policy. Each cell puts the fault proxy between it and the real
Swift; the answer must equal what a clean client sees, or be a typed error when the
fault never ends.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_swift.client import (
    AuthOptions,
    RetryPolicy,
    SwiftClient,
    SwiftError,
    SwiftServerError,
    TransportOptions,
)
from airflow_provider_swift.client.rest.async_client import AsyncSwiftClient
from airflow_provider_swift.testing.pytest_plugin import empty_container
from airflow_provider_swift.testing.server import LocalSwift
from tests.faultproxy import Fault, FaultProxy

FAULTS: dict[str, dict[str, Any]] = {
    "503 storm with Retry-After": {"status": 503, "times": 3, "headers": {"Retry-After": "0"}},
    "498 rate limit": {"status": 498, "times": 2, "headers": {"Retry-After": "0"}},
    "401 mid-run": {"status": 401, "times": 1},
    "reset before response": {"reset": True, "times": 2},
    "lost reply": {"drop_response": True, "times": 1},
    "slow headers beyond the read timeout": {"delay": 2.5, "times": 1},
    "persistent 503": {"status": 503, "times": 10_000},
}
REQUESTS = {"HEAD object": ("HEAD", r"/obj-0$"), "listing": ("GET", r"\?format=json")}


@pytest.fixture
def landed(swift_client: SwiftClient) -> Iterator[str]:
    container = f"af-{uuid.uuid4().hex[:8]}"
    swift_client.put_container(container)
    for index in range(3):
        swift_client.put_object(container, f"obj-{index}", f"data {index}".encode())
    yield container
    empty_container(swift_client, container)


def behind(proxy: FaultProxy, swift: LocalSwift) -> SwiftClient:
    return SwiftClient.connect(
        AuthOptions(
            auth_url=f"{proxy.url}/auth/v1.0", username=swift.user.login, password=swift.user.key
        ),
        TransportOptions(
            read_timeout=1.5,
            retry=RetryPolicy(max_attempts=4, backoff_initial=0.01, backoff_max=0.05),
        ),
    )


async def ask(client: AsyncSwiftClient, request: str, container: str) -> Any:
    try:
        if request == "HEAD object":
            headers = await client.head_object(container, "obj-0")
            return headers["etag"] if headers else None
        return [entry["name"] for entry in await client.list_objects(container)]
    finally:
        await client.aclose()


@pytest.mark.parametrize("fault_name", list(FAULTS))
@pytest.mark.parametrize("request_name", list(REQUESTS))
def test_async_driver_fault(
    request_name: str,
    fault_name: str,
    local_swift: LocalSwift,
    faulty: FaultProxy,
    swift_client: SwiftClient,
    landed: str,
) -> None:
    sync = behind(faulty, local_swift)
    sync.transport.token()  # authenticate first: the fault is for the request itself
    method, path = REQUESTS[request_name]
    fault = Fault(method=method, path=path, **FAULTS[fault_name])
    planned = fault.times
    faulty.inject(fault)
    expected = (
        swift_client.head_object(landed, "obj-0")["etag"]
        if request_name == "HEAD object"
        else [e["name"] for e in swift_client.iter_objects(landed)]
    )
    client = AsyncSwiftClient(sync.transport)
    if fault_name == "persistent 503":
        with pytest.raises(SwiftServerError):
            asyncio.run(ask(client, request_name, landed))
    else:
        try:
            assert asyncio.run(ask(client, request_name, landed)) == expected
        except SwiftError as exc:  # pragma: no cover - the failure message says which
            pytest.fail(f"{fault_name} on {request_name}: {exc}")
    assert fault.times < planned, "the fault never hit the request"
    sent = sync.transport.sent.get(method, 0)
    assert sent >= 2, f"the request was not retried ({sent} sent)"
