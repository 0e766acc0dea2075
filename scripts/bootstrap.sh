#!/usr/bin/env bash
# Set up what the main job needs, on a fresh Debian machine with only Python 3.11+ and
# pip: the provider's virtualenv (.venv, with Airflow and the test tools) and the Swift
# server's own virtualenv (kept in the user's cache). Both install from the locks
# (constraints/, airflow_provider_swift/testing/constraints/), so a fresh clone gets
# exactly the versions CI last passed with, on any day; scripts/lock.sh refreshes them.
# No Debian packages: those only tests use are installed by scripts/test.sh.
# Safe to run again: existing virtualenvs are reused and brought to the lock.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
VERSION=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
LOCK=constraints/python-$VERSION.txt
if [ ! -f "$LOCK" ]; then
    echo "bootstrap: no lock for Python $VERSION (constraints/ has:" \
        "$(cd constraints && ls python-*.txt | tr '\n' ' '));" \
        "use one of those, or add $VERSION to scripts/lock.sh and run it" >&2
    exit 2
fi
echo "bootstrap: installing the provider with its test tools from $LOCK"
# (some machines' pip configuration names find-links folders that do not exist; pip
# warns about each of them for every package -- keep that noise out of the log)
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --constraint "$LOCK" -e ".[test]" \
    2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
# The Swift server runs from its own virtualenv so its pins never meet Airflow's.
.venv/bin/python -c "from airflow_provider_swift.testing.server import swift_python; print('Swift server Python:', swift_python())"
