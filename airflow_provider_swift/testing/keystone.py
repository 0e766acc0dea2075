"""A throwaway, real OpenStack Keystone on loopback (sqlite, fernet tokens).

:class:`LocalKeystone` runs the PyPI ``keystone`` package from its own virtualenv,
bootstrapped with an admin, and offers the few identity calls tests need: create
projects, users, role assignments, application credentials, and the object-store
service with endpoints per region and interface. Pair it with
``LocalSwift(keystone=KeystoneAuth(...))`` for a Swift that validates Keystone tokens.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from keystoneauth1 import adapter, session
from keystoneauth1.identity import v3

from airflow_provider_swift.testing.server import (
    KEYSTONE_VERSION,
    die_with_parent,
    free_port,
    server_python,
    stop_processes,
)

ADMIN_PASSWORD = "keystone-admin-password"
_RUNNER = Path(__file__).with_name("keystone_runner.py")


def keystone_python(*, install: bool = True) -> str:
    """A Python that can run Keystone (its own virtualenv, created if missing)."""
    return server_python(f"keystone-{KEYSTONE_VERSION}", install=install)


class LocalKeystone:
    """A real Keystone on 127.0.0.1 with a free port and its own files.

    :param token_expiration: token lifetime in seconds.
    """

    def __init__(self, *, token_expiration: int = 3600, python: str | None = None) -> None:
        self.token_expiration = token_expiration
        self._python = python
        self.workdir: Path | None = None
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Keystone's base URL (without ``/v3``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth_url(self) -> str:
        return f"{self.url}/v3"

    def __enter__(self) -> LocalKeystone:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> LocalKeystone:
        """Configure, bootstrap (sqlite + fernet) and serve Keystone; wait until it answers."""
        python = self._python or keystone_python()
        manage = str(Path(python).with_name("keystone-manage"))
        self.workdir = Path(tempfile.mkdtemp(prefix="local-keystone-"))
        try:
            self.port = free_port()
            conf = self.workdir / "keystone.conf"
            conf.write_text(
                "\n".join(
                    [
                        "[DEFAULT]",
                        f"log_file = {self.workdir / 'keystone.log'}",
                        "[database]",
                        f"connection = sqlite:///{self.workdir / 'keystone.db'}",
                        # the cheapest bcrypt cost: a throwaway Keystone hashes passwords
                        # in milliseconds instead of about a second
                        "[identity]",
                        "password_hash_rounds = 4",
                        "[token]",
                        "provider = fernet",
                        f"expiration = {self.token_expiration}",
                        "[fernet_tokens]",
                        f"key_repository = {self.workdir / 'fernet-keys'}",
                        "[credential]",
                        f"key_repository = {self.workdir / 'credential-keys'}",
                        "",
                    ]
                )
            )
            env = {**os.environ, "OS_KEYSTONE_CONFIG_FILES": str(conf)}
            user = ["--keystone-user", str(os.getuid()), "--keystone-group", str(os.getgid())]
            for step in (
                ["db_sync"],
                ["fernet_setup", *user],
                ["credential_setup", *user],
                [
                    "bootstrap",
                    "--bootstrap-password",
                    ADMIN_PASSWORD,
                    "--bootstrap-admin-url",
                    self.auth_url,
                    "--bootstrap-public-url",
                    self.auth_url,
                    "--bootstrap-internal-url",
                    self.auth_url,
                    "--bootstrap-region-id",
                    "RegionOne",
                ],
            ):
                subprocess.run(
                    [manage, "--config-file", str(conf), *step],
                    check=True,
                    capture_output=True,
                    env=env,
                    stdin=subprocess.DEVNULL,
                )
            runner = self.workdir / "keystone_runner.py"
            shutil.copyfile(_RUNNER, runner)
            with open(self.workdir / "server.log", "wb") as log:
                self._proc = subprocess.Popen(
                    [python, str(runner), str(self.port)],
                    cwd=self.workdir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=die_with_parent,  # noqa: PLW1509 - only calls prctl
                )
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server and delete its files."""
        if self._proc is not None:
            stop_processes([self._proc])
            self._proc = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"Keystone exited with {self._proc.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(self.auth_url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Keystone did not answer in {timeout:.0f}s: {self.log()}")
            time.sleep(0.2)

    def log(self) -> str:
        if self.workdir is None:
            return ""
        parts = []
        for name in ("server.log", "keystone.log"):
            path = self.workdir / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    # -- identity calls ---------------------------------------------------------------

    def admin(self) -> adapter.Adapter:
        """An identity API adapter authenticated as the bootstrap admin."""
        auth = v3.Password(
            auth_url=self.auth_url,
            username="admin",
            password=ADMIN_PASSWORD,
            project_name="admin",
            user_domain_id="default",
            project_domain_id="default",
        )
        return adapter.Adapter(
            session.Session(auth=auth), service_type="identity", endpoint_override=self.auth_url
        )

    def _create(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        plural = kind + "s" if not kind.endswith("y") else kind[:-1] + "ies"
        created: dict[str, Any] = self.admin().post(f"/{plural}", json={kind: body}).json()[kind]
        return created

    def role_id(self, name: str) -> str:
        roles = self.admin().get("/roles", params={"name": name}).json()["roles"]
        if roles:
            return str(roles[0]["id"])
        return str(self._create("role", {"name": name})["id"])

    def create_project(self, name: str) -> str:
        return str(self._create("project", {"name": name, "domain_id": "default"})["id"])

    def create_user(self, name: str, password: str, project_id: str, role: str = "member") -> str:
        """A user with ``role`` on the project; returns the user id."""
        user_id = str(
            self._create(
                "user",
                {
                    "name": name,
                    "password": password,
                    "domain_id": "default",
                    "default_project_id": project_id,
                },
            )["id"]
        )
        self.admin().put(f"/projects/{project_id}/users/{user_id}/roles/{self.role_id(role)}")
        return user_id

    def add_object_store(self, endpoints: dict[tuple[str, str], str]) -> None:
        """Register the object-store service with ``{(region, interface): url}``.

        URLs may use ``%(tenant_id)s`` (the project id), as real deployments do.
        """
        service = self._create("service", {"type": "object-store", "name": "swift"})
        for region in {region for region, _ in endpoints}:
            with contextlib.suppress(Exception):
                self._create("region", {"id": region})
        for (region, interface), url in endpoints.items():
            self._create(
                "endpoint",
                {
                    "service_id": service["id"],
                    "region_id": region,
                    "interface": interface,
                    "url": url,
                },
            )

    def create_application_credential(
        self, user_id: str, username: str, password: str, project_id: str, name: str
    ) -> tuple[str, str]:
        """An application credential of the user (on its project): (id, secret)."""
        auth = v3.Password(
            auth_url=self.auth_url,
            username=username,
            password=password,
            project_id=project_id,
            user_domain_id="default",
        )
        user_api = adapter.Adapter(
            session.Session(auth=auth), service_type="identity", endpoint_override=self.auth_url
        )
        created = user_api.post(
            f"/users/{user_id}/application_credentials",
            json={"application_credential": {"name": name}},
        ).json()["application_credential"]
        return str(created["id"]), str(created["secret"])
