#!/usr/bin/env bash
# Set up everything the main job and the tests need, on a fresh Debian machine with
# only Python 3.11+ and pip: the provider's virtualenv (.venv, with Airflow and the
# test tools), the Swift server's own virtualenv (kept in the user's cache), and the
# Debian packages some tests need (chromium, Ceph; as root, only when missing).
# Safe to run again: existing virtualenvs and packages are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# Debian packages the tests use, installed only when missing and only where apt-get
# can install (CI runs as root on a fresh Debian), with one apt-get update:
# - chromium, which the connection-dialog test (tests/ui/) drives through Playwright
#   (Playwright's own browser download is never used);
# - Ceph 16.2's ceph-mon, ceph-osd and radosgw for the tests' RADOS Gateway, the other
#   Swift API server (airflow_provider_swift/testing/rgw.py);
# - redis-server, the broker of the CeleryExecutor test (tests/test_celery.py starts its
#   own on 127.0.0.1; the system service is not needed).
# Each package here provides a program of its own name.
MISSING=()
for package in chromium ceph-mon ceph-osd radosgw redis-server; do
    command -v "$package" >/dev/null 2>&1 || MISSING+=("$package")
done
if [ ${#MISSING[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${MISSING[@]}" >/dev/null
    else
        echo "not installed: ${MISSING[*]} (apt-get install them as root): without" \
            "chromium the browser test is skipped; without Ceph the RGW tests fail" \
            "(-m 'not rgw' deselects them); without redis-server the CeleryExecutor" \
            "test is skipped" >&2
    fi
fi

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# (some machines' pip configuration names find-links folders that do not exist; pip
# warns about each of them for every package -- keep that noise out of the log)
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" \
    2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
# The Swift server runs from its own virtualenv so its pins never meet Airflow's.
.venv/bin/python -c "from airflow_provider_swift.testing.server import swift_python; print('Swift server Python:', swift_python())"

