"""The connection form's declaration, and how what the dialog saves is read back.

The dialog itself, in a real browser, is tested in tests/ui/test_connection_form.py.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

from airflow_provider_swift.client.wire.auth import AUTH_TYPES
from airflow_provider_swift.get_provider_info import get_provider_info
from airflow_provider_swift.hooks.connection import options_from_connection
from airflow_provider_swift.hooks.form import AUTH_TYPE_LABELS, CONN_FIELDS, SECRET_FIELDS

TEMPAUTH = {"host": "http://127.0.0.1:8080/auth/v1.0", "login": "test:tester", "password": "k"}


def test_auth_type_choices_are_the_clients() -> None:
    assert CONN_FIELDS["auth_type"]["schema"]["enum"] == list(AUTH_TYPES)
    assert list(AUTH_TYPE_LABELS) == list(AUTH_TYPES)


@pytest.mark.parametrize("name", list(CONN_FIELDS))
def test_every_field_is_labelled_explained_grouped_and_has_no_default(name: str) -> None:
    spec = CONN_FIELDS[name]
    assert spec["label"] and spec["description"] and spec["schema"]["section"]
    assert "default" not in spec["schema"], "the dialog would write it into the extras"
    assert None not in spec["schema"].get("enum", []), "null would be offered as a choice"
    assert "null" in spec["schema"]["type"], "an empty field must stay valid"


@pytest.mark.parametrize("name", SECRET_FIELDS)
def test_every_secret_field_is_masked_by_format_and_by_name(name: str) -> None:
    should_hide_value_for_key = _airflow_secrets_masker().should_hide_value_for_key

    assert CONN_FIELDS[name]["schema"]["format"] == "password"
    # Airflow's API, UI and CLI redact extras by their name, not by the form's format
    assert should_hide_value_for_key(name)


def _airflow_secrets_masker() -> Any:
    """Airflow's secrets masker: shared since Airflow 3.1, in the task SDK in 3.0."""
    try:
        return importlib.import_module("airflow._shared.secrets_masker")
    except ModuleNotFoundError:
        return importlib.import_module("airflow.sdk.execution_time.secrets_masker")


def test_only_secret_fields_are_password_inputs() -> None:
    passwords = {n for n, s in CONN_FIELDS.items() if s["schema"].get("format") == "password"}
    assert passwords == set(SECRET_FIELDS)


def test_a_form_saved_untouched_means_every_default() -> None:
    untouched: dict[str, Any] = dict.fromkeys(CONN_FIELDS)
    assert options_from_connection(**TEMPAUTH, extra=untouched) == options_from_connection(
        **TEMPAUTH, extra={}
    )


@pytest.mark.parametrize(
    ("extra", "verify"),
    [
        ({"insecure": True}, False),
        ({"insecure": False}, True),
        ({"insecure": None}, True),
        ({"verify": False}, False),
        ({"verify": None, "insecure": None, "ca_cert": "/ca.pem"}, "/ca.pem"),
    ],
)
def test_the_insecure_switch_turns_verification_off(
    extra: dict[str, Any], verify: bool | str
) -> None:
    _, transport = options_from_connection(**TEMPAUTH, extra=extra)
    assert transport.verify == verify


@pytest.mark.parametrize("kind", ["operators", "sensors", "triggers", "hooks"])
def test_provider_info_lists_modules_that_define_the_classes(kind: str) -> None:
    (entry,) = get_provider_info()[kind]
    assert entry["integration-name"] == "OpenStack Swift"
    for module_name in entry["python-modules"]:
        module = importlib.import_module(module_name)
        defined = [
            obj
            for _, obj in inspect.getmembers(module, inspect.isclass)
            if obj.__module__ == module_name and not obj.__name__.startswith("_")
        ]
        assert defined, f"{module_name} defines no public class"
