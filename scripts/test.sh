#!/usr/bin/env bash
# The whole test suite (lint, types, docs, tests), each test against real local
# servers that the test session starts and stops, then a slice of it on the oldest
# supported Airflow (scripts/test-oldest.sh). Exits non-zero on any failure, and when
# pytest collected no test at all (exit 5).
#   bash scripts/test.sh               # everything, as CI runs it
#   bash scripts/test.sh -k listing    # arguments go to pytest; the oldest-Airflow
#                                      # slice then does not run
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/test-packages.sh
.venv/bin/ruff check airflow_provider_swift tests example_dags benchmarks scripts
.venv/bin/ruff format --check airflow_provider_swift tests example_dags benchmarks scripts
.venv/bin/mypy
.venv/bin/python -m sphinx -W -q -b html docs docs/_build/html
.venv/bin/python -m pytest "$@"
if [ $# -eq 0 ]; then
    bash scripts/test-oldest.sh
fi
