#!/usr/bin/env bash
# The oldest supported Airflow (3.0.6), checked on every landing: the client, hook,
# operator and sensor tests against the real local Swift, in tox's airflow-oldest env
# (installed from constraints/airflow-3.0.6.txt). A few minutes; the whole suite on
# 3.0.6 is `tox -e airflow-oldest` (docs/install.md has its last result).
# Extra arguments go to pytest, after the slice's own.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "oldest supported Airflow: tox -e airflow-oldest (client, hook, operators, sensors)"
exec .venv/bin/tox -q -e airflow-oldest -- -m "not rgw" \
    tests/client tests/hooks tests/operators tests/sensors "$@"
