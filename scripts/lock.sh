#!/usr/bin/env bash
# Regenerate the locks: the exact versions a fresh clone installs, so that the tests
# give the same result next month as today. Run it on purpose (a dependency's fix you
# need, a new Airflow release, the monthly refresh), then run the whole suite and
# `tox -e latest,lowest,airflow-oldest`, and commit the changed files with the results
# (docs/install.md).
#   bash scripts/lock.sh                                    # every lock below
#   bash scripts/lock.sh --upgrade-package apache-airflow   # extra arguments go to uv
# uv (in the test extra) only resolves here; pip installs from the files.
#
# The locks (pip constraints files, universal: one file holds every platform's picks):
#   constraints/python-3.X.txt       the provider with all its extras (test, bench),
#                                    for .venv (scripts/bootstrap.sh) and tox's envs
#   constraints/airflow-3.0.6.txt    the same on the oldest supported Airflow
#                                    (tox -e airflow-oldest, .ci/run's slice)
#   constraints/lowest.txt           every runtime dependency at the floor that
#                                    pyproject.toml declares (tox -e lowest; Linux,
#                                    Python 3.11)
#   airflow_provider_swift/testing/constraints/*.txt
#                                    the local Swift and Keystone servers' virtualenvs
#                                    (shipped with the package: users' LocalSwift too)
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(command -v uv || echo .venv/bin/uv)}
[ -x "$UV" ] || { echo "scripts/lock.sh needs uv: pip install uv" >&2; exit 2; }
PYTHON=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}
EXTRA=("$@")
MODE=(--universal)
compile() {
    # $1: output file, $2: Python version; the rest: inputs and options
    local out=$1 python=$2
    shift 2
    "$UV" pip compile --quiet "${MODE[@]}" --python-version "$python" --no-header \
        --no-emit-index-url --no-emit-find-links -o "$out" "$@" ${EXTRA[@]+"${EXTRA[@]}"}
}
for python in 3.11 3.12; do
    compile "constraints/python-$python.txt" "$python" pyproject.toml --all-extras
done
compile constraints/airflow-3.0.6.txt 3.11 pyproject.toml --extra test \
    constraints/airflow-3.0.6.in

# (at a fixed, ignored path, so that the locks' "via" lines do not change between runs)
INPUTS=build/lock-inputs
rm -rf "$INPUTS" && mkdir -p "$INPUTS"
# Written from the code and the metadata that declare them, never from a second list:
# - lowest.in: each runtime dependency of pyproject.toml pinned at its declared floor;
# - <server>.in: what each local server's virtualenv installs (testing/server.py).
"$PYTHON" scripts/lock_inputs.py "$INPUTS"
# the floors, with what Airflow 3.0 (the floor) needs capped beside it; for Linux on
# the oldest Python only (a floor is a floor there: newer Pythons need newer releases)
MODE=(--python-platform linux)
compile constraints/lowest.txt 3.11 pyproject.toml --extra test "$INPUTS/lowest.in" \
    constraints/airflow-3.0.6.in
MODE=(--universal)
TESTING=airflow_provider_swift/testing
for spec in "$INPUTS"/server-*.in; do
    name=$(basename "$spec" .in)
    compile "$TESTING/constraints/${name#server-}.txt" 3.11 "$spec"
done
echo "locks written: constraints/ and $TESTING/constraints/"
