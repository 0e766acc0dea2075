"""Run a command next to a throwaway local Swift.

    python -m airflow_provider_swift.testing run -- airflow dags test my_dag

starts :class:`~airflow_provider_swift.testing.server.LocalSwift`, exposes it to the
command as the Airflow connection ``swift_default`` (``AIRFLOW_CONN_SWIFT_DEFAULT``),
runs the command, stops the cluster and exits with the command's status.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from airflow_provider_swift.testing.pytest_plugin import connection_json
from airflow_provider_swift.testing.server import LocalSwift


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] != "run" or argv[1] != "--":
        sys.stderr.write(__doc__ or "")
        return 2
    started = time.monotonic()
    with LocalSwift() as swift:
        print(
            f"local Swift {swift.proxy_url} ready in {time.monotonic() - started:.1f}s "
            f"(auth {swift.auth_url}, user {swift.user.login})",
            flush=True,
        )
        env = {**os.environ, "AIRFLOW_CONN_SWIFT_DEFAULT": connection_json(swift)}
        status = subprocess.run(argv[2:], env=env, check=False).returncode
    print(f"local Swift stopped; command exited with {status}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
