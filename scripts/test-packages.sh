#!/usr/bin/env bash
# The Debian packages only the tests use, installed when missing and only where
# apt-get can install (CI runs as root on a fresh Debian), with one apt-get update:
# - chromium, which the connection-dialog test (tests/ui/) drives through Playwright
#   (Playwright's own browser download is never used);
# - Ceph 16.2's ceph-mon, ceph-osd and radosgw for the tests' RADOS Gateway, the other
#   Swift API server (airflow_provider_swift/testing/rgw.py);
# - redis-server, the broker of the CeleryExecutor test (tests/test_celery.py starts its
#   own on 127.0.0.1; the system service is not needed);
# - rclone, which the interoperability tests run against the local servers (the same
#   tree, synced by this provider and by rclone, is unchanged for both).
# Each package here provides a program of its own name. Debian's stable release is
# the lock here: its point releases only fix bugs.
set -euo pipefail
MISSING=()
for package in chromium ceph-mon ceph-osd radosgw redis-server rclone; do
    command -v "$package" >/dev/null 2>&1 || MISSING+=("$package")
done
[ ${#MISSING[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test packages: apt-get install ${MISSING[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${MISSING[@]}" >/dev/null
else
    echo "not installed: ${MISSING[*]} (apt-get install them as root): without" \
        "chromium the browser test is skipped; without Ceph the RGW tests fail" \
        "(-m 'not rgw' deselects them); without redis-server the CeleryExecutor" \
        "test is skipped; without rclone its interoperability tests are skipped" >&2
fi
