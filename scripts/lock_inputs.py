"""Write the inputs of ``scripts/lock.sh`` that come from the project's own metadata.

- ``lowest.in``: each runtime dependency of ``pyproject.toml`` pinned at its floor;
- ``server-<name>.in``: what each local server's virtualenv installs
  (``airflow_provider_swift.testing.server.SERVER_REQUIREMENTS``).

Usage: ``python scripts/lock_inputs.py DIRECTORY``.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from airflow_provider_swift.testing.server import SERVER_REQUIREMENTS  # noqa: E402

_FLOOR = re.compile(r"(?P<name>[A-Za-z0-9_.\[\]-]+)>=(?P<floor>[^,;\s]+)")


def floors(dependencies: list[str]) -> list[str]:
    """``name>=X[,<Y]`` becomes ``name==X``; a dependency without a floor is refused."""
    pinned = []
    for dependency in dependencies:
        match = _FLOOR.match(dependency)
        if match is None:
            raise SystemExit(f"pyproject.toml: {dependency!r} declares no floor (>=)")
        pinned.append(f"{match['name']}=={match['floor']}")
    return pinned


def main(out: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (out / "lowest.in").write_text("\n".join(floors(project["dependencies"])) + "\n")
    for name, requirements in SERVER_REQUIREMENTS.items():
        (out / f"server-{name}.in").write_text("\n".join(requirements) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
