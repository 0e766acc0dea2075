#!/usr/bin/env bash
# Set up everything the main job and the tests need, on a fresh Debian machine with
# only Python 3.11+ and pip: the provider's virtualenv (.venv, with Airflow and the
# test tools), the Swift server's own virtualenv (kept in the user's cache), and
# Debian's Ceph packages for the tests' RADOS Gateway (apt-get, as root or with
# password-less sudo, only when missing).
# Safe to run again: existing virtualenvs and packages are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# The connection-dialog test (tests/ui/) drives Debian's chromium through Playwright;
# Playwright's own browser download is never used. Installed only when missing, and
# only where apt-get can install (CI runs as root on a fresh Debian).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
    else
        echo "chromium is not installed (apt-get install chromium): the browser test will be skipped" >&2
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

# Ceph's RADOS Gateway, the other Swift API server the tests run against
# (airflow_provider_swift/testing/rgw.py): Debian 12's Ceph 16.2 daemons.
CEPH_PACKAGES="ceph-mon ceph-osd radosgw"
if ! command -v ceph-mon >/dev/null || ! command -v ceph-osd >/dev/null \
        || ! command -v radosgw >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        SUDO="none"
    fi
    if [ "$SUDO" != "none" ] && command -v apt-get >/dev/null; then
        echo "Installing Ceph for the RGW tests: $CEPH_PACKAGES"
        $SUDO apt-get update -q >/dev/null
        # shellcheck disable=SC2086 # word splitting of the package list is meant
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends $CEPH_PACKAGES >/dev/null
    else
        echo "bootstrap: cannot install $CEPH_PACKAGES (needs apt-get as root);" \
            "the RGW tests will fail: deselect them with -m 'not rgw'" >&2
    fi
fi
