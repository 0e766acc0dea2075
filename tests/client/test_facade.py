"""SwiftClient's methods are the services' methods: same names, same signatures.

Pure (no server): the facade in ``client/client.py`` is written out by hand so that
go-to-definition and the API reference show real methods; this keeps it from
drifting from the services it delegates to.
"""

from __future__ import annotations

import inspect
from typing import cast
from unittest import mock

import pytest

from airflow_provider_swift.client import SwiftClient
from airflow_provider_swift.client.client import FACADE
from airflow_provider_swift.client.wire.transport import Transport

#: SwiftClient's public methods that are its own, not a service's.
OWN = {"connect", "close"}


def _service_types() -> dict[str, type]:
    """Each service attribute of a client and the class it is an instance of."""
    client = SwiftClient(cast(Transport, mock.Mock(spec=Transport)))
    return {name: type(value) for name, value in vars(client).items() if name != "transport"}


SERVICES = _service_types()


def _public_methods(cls: type) -> set[str]:
    return {
        name
        for name, value in vars(cls).items()
        if not name.startswith("_") and callable(value) and not isinstance(value, type)
    }


@pytest.mark.parametrize("name", sorted(FACADE))
def test_facade_method_has_the_service_method_signature(name: str) -> None:
    service, method = FACADE[name].split(".")
    assert service in SERVICES, f"FACADE[{name!r}] names no service {service!r}"
    target = getattr(SERVICES[service], method, None)
    assert target is not None, f"{SERVICES[service].__name__} has no method {method!r}"
    facade = vars(SwiftClient).get(name)
    assert inspect.isfunction(facade), f"SwiftClient.{name} is not a method of its own"
    assert inspect.signature(facade) == inspect.signature(target), name
    assert facade.__doc__ and f"{SERVICES[service].__name__}.{method}`" in facade.__doc__


def test_every_client_method_is_its_own_or_in_the_facade() -> None:
    methods = _public_methods(SwiftClient)
    assert methods - OWN == set(FACADE)


def test_the_facade_delegates() -> None:
    """A call reaches the service method with the same arguments."""
    client = SwiftClient(cast(Transport, mock.Mock(spec=Transport)))
    with mock.patch.object(client.objects, "head_object", return_value={"a": "b"}) as head:
        assert client.head_object("c", "o", headers={"X-Newest": "true"}) == {"a": "b"}
    head.assert_called_once_with("c", "o", headers={"X-Newest": "true"})
    with mock.patch.object(client.uploads, "upload_bytes") as upload:
        client.upload_bytes("c", "o", b"x", if_exists="fail", content_type="text/csv")
    upload.assert_called_once_with("c", "o", b"x", if_exists="fail", content_type="text/csv")
