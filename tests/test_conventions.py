"""Airflow conventions every operator and sensor keeps: each argument is templated or
listed here as not templated with the reason, and every dict field has a renderer.

Pure: no server. Adding an argument without deciding whether a run may template it
fails ``test_every_argument_is_templated_or_has_a_reason``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from airflow.providers.common.compat.sdk import BaseOperator

from airflow_provider_swift import operators, sensors
from airflow_provider_swift.client import SwiftValidationError
from airflow_provider_swift.operators import SwiftDownloadOperator
from airflow_provider_swift.sensors import SwiftObjectChangedSensor, SwiftObjectSensor

SWITCH = "a switch: a template renders a string, and the string 'False' is true"
CONCURRENCY = "concurrency is sized for the worker, not decided per run"
THRESHOLD = "how much goes into XCom is a policy of the DAG, not of a run"

#: Per class that declares it (private bases included): each argument that is not
#: templated, and why.
NOT_TEMPLATED: dict[str, dict[str, str]] = {
    "SwiftDeleteContainerOperator": {"force": SWITCH},
    "SwiftCopyObjectOperator": {
        "fresh_metadata": SWITCH,
        "keep_expiry": SWITCH,
        "segment_threads": CONCURRENCY,
    },
    "SwiftExpireObjectOperator": {"cancel": SWITCH},
    "SwiftTempUrlOperator": {"prefix": SWITCH},
    "_SwiftWriteOperator": {"segment_threads": CONCURRENCY, "leave_segments": SWITCH},
    "SwiftUploadOperator": {
        "object_threads": CONCURRENCY,
        "follow_symlinks": SWITCH,
        "report_threshold": THRESHOLD,
    },
    "SwiftDownloadOperator": {
        "object_threads": CONCURRENCY,
        "segment_threads": CONCURRENCY,
        "report_threshold": THRESHOLD,
    },
    "SwiftListOperator": {"report_threshold": THRESHOLD},
    "SwiftSyncOperator": {
        "delete": SWITCH,
        "dry_run": SWITCH,
        "leave_segments": SWITCH,
        "follow_symlinks": SWITCH,
        "outside_links": SWITCH,
        "object_threads": CONCURRENCY,
        "segment_threads": CONCURRENCY,
        "report_threshold": THRESHOLD,
    },
    "SwiftToSwiftOperator": {
        "object_threads": CONCURRENCY,
        "segment_threads": CONCURRENCY,
        "leave_segments": SWITCH,
        "server_side": SWITCH,
        "report_threshold": THRESHOLD,
    },
    "_SwiftSensor": {"deferrable": SWITCH},
    "SwiftObjectSensor": {"glob": SWITCH},
    "SwiftPrefixQuiescenceSensor": {"allow_delete": SWITCH},
}

#: An annotation that admits a mapping: the field is shown as JSON in the UI.
DICT_TYPED = re.compile(r"\b(Mapping|dict|ObjectCheck)\b")

EXPORTED: list[type[BaseOperator]] = [
    *(getattr(operators, name) for name in operators.__all__),
    *(getattr(sensors, name) for name in sensors.__all__),
]


def own_parameters(cls: type) -> dict[str, inspect.Parameter]:
    """The named arguments of the ``__init__`` a class defines itself (if any)."""
    init = cls.__dict__.get("__init__")
    if init is None:
        return {}
    return {
        name: parameter
        for name, parameter in inspect.signature(init).parameters.items()
        if name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    }


def provider_bases(cls: type) -> Iterator[type]:
    """The class and the provider's classes it inherits from (not Airflow's)."""
    for klass in cls.__mro__:
        if klass.__module__.startswith("airflow_provider_swift."):
            yield klass


def arguments(cls: type) -> dict[str, tuple[type, inspect.Parameter]]:
    """Every argument a DAG may give the class, with the class that declares it."""
    found: dict[str, tuple[type, inspect.Parameter]] = {}
    for klass in provider_bases(cls):
        for name, parameter in own_parameters(klass).items():
            found.setdefault(name, (klass, parameter))
    return found


def by_name(classes: list[type[BaseOperator]]) -> list[object]:
    return [pytest.param(cls, id=cls.__name__) for cls in classes]


def test_every_operator_and_sensor_class_is_exported() -> None:
    defined = set()
    for package in (operators, sensors):
        for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            for name, value in vars(importlib.import_module(module.name)).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseOperator)
                    and value.__module__ == module.name
                    and not name.startswith("_")
                    and name != "SwiftBaseOperator"
                ):
                    defined.add(value)
    assert defined == set(EXPORTED), "export it from its package's __init__ (__all__)"


@pytest.mark.parametrize("cls", by_name(EXPORTED))
def test_every_argument_is_templated_or_has_a_reason(cls: type[BaseOperator]) -> None:
    templated = set(cls.template_fields)
    undecided = [
        f"{declared.__name__}.{name}"
        for name, (declared, _) in arguments(cls).items()
        if name not in templated and name not in NOT_TEMPLATED.get(declared.__name__, {})
    ]
    assert not undecided, (
        f"{cls.__name__}: add {undecided} to template_fields, or to NOT_TEMPLATED in "
        "tests/test_conventions.py with the reason"
    )


@pytest.mark.parametrize("cls", by_name(EXPORTED))
def test_template_fields_name_arguments(cls: type[BaseOperator]) -> None:
    """A renamed argument cannot leave its old name in template_fields."""
    stale = set(cls.template_fields) - set(arguments(cls))
    assert not stale, f"{cls.__name__}.template_fields names no argument: {sorted(stale)}"


@pytest.mark.parametrize("cls", by_name(EXPORTED))
def test_templated_arguments_are_not_also_listed_as_not_templated(
    cls: type[BaseOperator],
) -> None:
    both = [
        name
        for name, (declared, _) in arguments(cls).items()
        if name in cls.template_fields and name in NOT_TEMPLATED.get(declared.__name__, {})
    ]
    assert not both, f"{cls.__name__}: {both} templated, yet listed in NOT_TEMPLATED"


def test_not_templated_lists_only_arguments_that_exist() -> None:
    declared: dict[str, set[str]] = {}
    for cls in EXPORTED:
        for klass in provider_bases(cls):
            declared.setdefault(klass.__name__, set()).update(own_parameters(klass))
    for owner, reasons in NOT_TEMPLATED.items():
        stale = set(reasons) - declared.get(owner, set())
        assert not stale, f"NOT_TEMPLATED[{owner!r}] names no argument of it: {sorted(stale)}"
        assert all(reason.strip() for reason in reasons.values()), owner


@pytest.mark.parametrize("cls", by_name(EXPORTED))
def test_dict_typed_template_fields_have_a_renderer(cls: type[BaseOperator]) -> None:
    found = arguments(cls)
    missing = [
        name
        for name in cls.template_fields
        if name in found
        and DICT_TYPED.search(str(found[name][1].annotation))
        and name not in cls.template_fields_renderers
    ]
    assert not missing, f"{cls.__name__}: add {missing} to template_fields_renderers"


@pytest.mark.parametrize("cls", by_name(EXPORTED))
def test_renderers_name_template_fields(cls: type[BaseOperator]) -> None:
    stale = set(cls.template_fields_renderers) - set(cls.template_fields)
    assert not stale, f"{cls.__name__}: renderers for fields not templated: {sorted(stale)}"


def test_a_templated_check_is_read_after_rendering() -> None:
    sensor = SwiftObjectSensor(
        task_id="wait", container="c", name="n", check={"min_size": "{{ params.size }}"}
    )
    sensor.render_template_fields({"params": {"size": 100}})
    assert sensor.object_check.min_size == 100


def test_a_templated_since_is_read_after_rendering() -> None:
    sensor = SwiftObjectChangedSensor(
        task_id="wait", container="c", name="n", since="{{ params.since }}"
    )
    sensor.render_template_fields({"params": {"since": "2026-11-28T00:00:00+00:00"}})
    assert sensor.since_time == datetime(2026, 11, 28, tzinfo=UTC)


def test_a_literal_mistake_still_fails_when_the_dag_is_parsed() -> None:
    with pytest.raises(SwiftValidationError, match="timezone"):
        SwiftObjectChangedSensor(task_id="w", container="c", name="n", since="2026-11-28")
    with pytest.raises(SwiftValidationError, match="check keys"):
        SwiftObjectSensor(task_id="w", container="c", name="n", check={"size": 1})
    with pytest.raises(SwiftValidationError, match="verify"):
        SwiftDownloadOperator(task_id="d", container="c", destination="/tmp/x", verify="maybe")


def test_a_templated_choice_is_checked_after_rendering() -> None:
    operator = SwiftDownloadOperator(
        task_id="d", container="c", name="n", destination="/tmp/x", verify="{{ params.verify }}"
    )
    operator.render_template_fields({"params": {"verify": "maybe"}})
    with pytest.raises(SwiftValidationError, match="verify"):
        operator.execute({})
