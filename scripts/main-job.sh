#!/usr/bin/env bash
# The main job: start an embedded local Swift, play the upstream system (an orders
# export lands in etl-source), and run the nightly ETL example DAG against it with
# `airflow dags test`, in a throwaway AIRFLOW_HOME. Prints what the DAG did.
#   bash scripts/main-job.sh                       # example_swift_nightly_etl
#   bash scripts/main-job.sh example_swift_quickstart
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
AIRFLOW_HOME=$(mktemp -d)
trap 'rm -rf "$AIRFLOW_HOME"' EXIT
export AIRFLOW_HOME
export AIRFLOW__CORE__DAGS_FOLDER="$PWD/example_dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
DAG_ID="${1:-example_swift_nightly_etl}"
ROWS="${EXPORT_ROWS:-1000000}"
echo "Preparing a throwaway Airflow home in $AIRFLOW_HOME"
.venv/bin/airflow db migrate > "$AIRFLOW_HOME/db-migrate.log" 2>&1 \
    || { cat "$AIRFLOW_HOME/db-migrate.log"; exit 1; }
# shellcheck disable=SC2016 # expanded by the inner bash
.venv/bin/python -m airflow_provider_swift.testing run -- bash -c '
    set -euo pipefail
    if [ "$0" = example_swift_nightly_etl ]; then
        .venv/bin/python scripts/seed_export.py --rows "$1"
    fi
    .venv/bin/airflow dags test "$0"
' "$DAG_ID" "$ROWS"
