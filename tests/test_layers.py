"""The client's layering contract, checked on the source: arrows only point down.

``airflow_provider_swift.client`` is split by layer (see each subpackage's docstring)::

    base  <  wire  <  rest  <  large  <  transfers  <  client.py / __init__.py

A module may import from its own layer and the layers below, never above; the client
imports nothing of Airflow nor of the provider's Airflow-facing packages. Imports
under ``if TYPE_CHECKING:`` are annotations only and are not arrows at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import airflow_provider_swift.client as client_package

CLIENT = Path(client_package.__file__).parent
LAYERS = ("base", "wire", "rest", "large", "transfers")
TOP = len(LAYERS)  # client.py and __init__.py


def _layer(module: str) -> int | None:
    """The layer of a module under ``airflow_provider_swift.client`` (None: elsewhere)."""
    prefix = "airflow_provider_swift.client"
    if module == prefix:
        return TOP
    if not module.startswith(prefix + "."):
        return None
    first = module[len(prefix) + 1 :].split(".", 1)[0]
    return LAYERS.index(first) if first in LAYERS else TOP


def _runtime_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(), str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for body in node.body for child in ast.walk(body))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)]
            # ``from airflow_provider_swift.client.wire import core`` imports a module
            found += [
                (node.lineno, f"{node.module}.{alias.name}")
                for alias in node.names
                if _layer(f"{node.module}.{alias.name}") is not None
                and (
                    CLIENT / node.module.split(".", 2)[-1].replace(".", "/") / f"{alias.name}.py"
                ).exists()
            ]
    return found


MODULES = sorted(CLIENT.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(CLIENT.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_client_module_is_in_a_layer() -> None:
    loose = [
        str(p.relative_to(CLIENT))
        for p in MODULES
        if p.parent == CLIENT and p.name not in ("__init__.py", "client.py")
    ]
    assert not loose, f"client modules outside the layer subpackages: {loose}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CLIENT)))
def test_imports_point_down(path: Path) -> None:
    module = _name(path)
    own = _layer(module)
    assert own is not None

    def shown(target: str) -> str:
        layer = _layer(target)
        return "top" if layer is None or layer >= TOP else LAYERS[layer]

    upward = [
        f"line {line}: {target} ({shown(target)})"
        for line, target in _runtime_imports(path)
        if (_layer(target) or 0) > own
    ]
    layer = LAYERS[own] if own < TOP else "top"
    assert not upward, f"{module} (layer {layer}) imports from a higher layer: {upward}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CLIENT)))
def test_the_client_is_airflow_free(path: Path) -> None:
    outside = [
        f"line {line}: {target}"
        for line, target in _runtime_imports(path)
        if target.split(".")[0] == "airflow"
        or (target.startswith("airflow_provider_swift.") and _layer(target) is None)
    ]
    assert not outside, f"{_name(path)} imports Airflow or the Airflow-facing provider: {outside}"
