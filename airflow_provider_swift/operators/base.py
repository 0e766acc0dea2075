"""The base every Swift operator shares: a templated connection id and one hook."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

from airflow.providers.common.compat.sdk import BaseOperator

from airflow_provider_swift.client.base.options import check_choice
from airflow_provider_swift.hooks.swift import SwiftHook


class SwiftBaseOperator(BaseOperator):
    """Base of the Swift operators.

    :param swift_conn_id: the ``swift`` connection to use (templated).
    """

    template_fields: Sequence[str] = ("swift_conn_id",)
    ui_color = "#e8f0fb"

    def __init__(self, *, swift_conn_id: str = SwiftHook.default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.swift_conn_id = swift_conn_id

    @cached_property
    def hook(self) -> SwiftHook:
        return SwiftHook(swift_conn_id=self.swift_conn_id)


def templated_int(value: float | str | None) -> int | None:
    """A number given directly or rendered by a template (as a string); None if not given."""
    if value is None or value == "":
        return None
    return int(float(value))


def option_values(operator: object, keys: Iterable[str], **given: object) -> dict[str, Any]:
    """An option set as an operator holds it: for every key of the option set (e.g.
    ``UPLOAD_DEFAULTS``), the operator's attribute of that name, or the value in
    ``given`` (a templated number converted, an attribute named otherwise). The keys
    are declared once, in :mod:`~airflow_provider_swift.client.base.options`."""
    return {key: given[key] if key in given else getattr(operator, key) for key in keys}


def is_template(value: object) -> bool:
    """Whether ``value`` (a string, or a mapping's values) holds a Jinja template
    Airflow has yet to render."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, Mapping):
        return any(is_template(v) for v in value.values())
    return False


def check_choice_or_template(name: str, value: object, choices: tuple[str, ...]) -> None:
    """Refuse a value outside an enumeration when the DAG is parsed, unless it is a
    template: that one is checked after rendering, in ``execute``."""
    if not is_template(value):
        check_choice(name, value, choices)
