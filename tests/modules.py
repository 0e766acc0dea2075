"""Load a Python file (an example DAG, a test DAG, a script) as a module."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).parents[1]


def load_module(path: Path) -> ModuleType:
    """Execute ``path`` as a fresh module named after the file."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def example(name: str) -> ModuleType:
    """An example DAG's module, ``example_dags/<name>.py``."""
    return load_module(ROOT / "example_dags" / f"{name}.py")
