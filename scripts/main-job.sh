#!/usr/bin/env bash
# The main job: start an embedded local Swift and run the example DAG against it with
# `airflow dags test`, in a throwaway AIRFLOW_HOME. Prints what the DAG did.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
AIRFLOW_HOME=$(mktemp -d)
trap 'rm -rf "$AIRFLOW_HOME"' EXIT
export AIRFLOW_HOME
export AIRFLOW__CORE__DAGS_FOLDER="$PWD/example_dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
echo "Preparing a throwaway Airflow home in $AIRFLOW_HOME"
.venv/bin/airflow db migrate > "$AIRFLOW_HOME/db-migrate.log" 2>&1 \
    || { cat "$AIRFLOW_HOME/db-migrate.log"; exit 1; }
.venv/bin/python -m airflow_provider_swift.testing run -- \
    .venv/bin/airflow dags test "${1:-example_swift_quickstart}"
