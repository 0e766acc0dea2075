#!/usr/bin/env bash
# The whole test suite (lint, types, docs, tests), each test against a real local Swift
# that the test session starts and stops. Exits non-zero on any failure, and when
# pytest collected no test at all (exit 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/test-packages.sh
.venv/bin/ruff check airflow_provider_swift tests example_dags benchmarks scripts
.venv/bin/ruff format --check airflow_provider_swift tests example_dags benchmarks scripts
.venv/bin/mypy
.venv/bin/python -m sphinx -W -q -b html docs docs/_build/html
.venv/bin/python -m pytest "$@"
