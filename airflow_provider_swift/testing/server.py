"""A throwaway, real OpenStack Swift cluster on loopback, for tests and demos.

:class:`LocalSwift` runs the PyPI ``swift`` package -- proxy, account, container and
object servers -- from its own virtualenv (so Swift's pins never constrain
Airflow's), with a one-device ring, tempauth, and the middleware a production
proxy has: bulk, tempurl, ratelimit, copy, quotas, slo, dlo, versioning, symlink.
Everything lives in one temporary directory that :meth:`LocalSwift.stop` removes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

#: The Swift release the local cluster runs.
SWIFT_VERSION = "2.38.3"
#: keystonemiddleware for a proxy that authenticates against Keystone.
KEYSTONEMIDDLEWARE_VERSION = "13.0.1"
#: Environment variable naming a Python that can ``import swift`` (skips the venv).
SWIFT_PYTHON_ENV = "AIRFLOW_PROVIDER_SWIFT_SERVER_PYTHON"

_LAUNCHER = Path(__file__).with_name("swift_launcher.py")

PROXY_PIPELINE = (
    "catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk "
    "tempurl ratelimit tempauth copy container-quotas account-quotas slo dlo "
    "versioned_writes symlink proxy-logging proxy-server"
)


@dataclass(frozen=True)
class TempAuthUser:
    """A tempauth user: ``account:user`` with a key and groups."""

    account: str
    user: str
    key: str
    groups: str = ".admin"

    @property
    def login(self) -> str:
        return f"{self.account}:{self.user}"


@dataclass(frozen=True)
class KeystoneAuth:
    """How a proxy validates tokens against Keystone (authtoken + keystoneauth).

    :param auth_url: Keystone's base URL (``http://127.0.0.1:5000``), without ``/v3``.
    """

    auth_url: str
    username: str = "swift"
    password: str = "swift-service-password"
    project_name: str = "service"
    operator_roles: str = "admin, member"


DEFAULT_USERS = (
    TempAuthUser("test", "tester", "testing"),
    TempAuthUser("test", "tester3", "testing3", groups=""),
    TempAuthUser("test2", "tester2", "testing2"),
    TempAuthUser("admin", "admin", "admin", groups=".admin .reseller_admin"),
)


def venv_root() -> Path:
    """Where the servers' virtualenvs are kept between runs."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(cache) / "airflow-provider-swift"


#: The Keystone release of :class:`~airflow_provider_swift.testing.keystone.LocalKeystone`.
KEYSTONE_VERSION = "30.0.0"

#: What each server virtualenv holds, by name: the one list both the installer below
#: and ``scripts/lock.sh`` (which writes ``constraints/<name>.txt`` beside this file,
#: the exact versions of everything they pull in) read.
SERVER_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    f"swift-{SWIFT_VERSION}": (f"swift=={SWIFT_VERSION}",),
    f"swift-{SWIFT_VERSION}-keystone": (
        f"swift=={SWIFT_VERSION}",
        f"keystonemiddleware=={KEYSTONEMIDDLEWARE_VERSION}",
    ),
    f"keystone-{KEYSTONE_VERSION}": (
        f"keystone=={KEYSTONE_VERSION}",
        # pysaml2 allows pyOpenSSL 22, the last release without a cap on cryptography:
        # a resolver that takes the newest cryptography then falls back to it, and 22
        # fails at import on cryptography 48 and later (keystone-manage with it)
        "pyopenssl>=24.2",
    ),
}
_CONSTRAINTS = Path(__file__).with_name("constraints")


def server_python(name: str, *, install: bool = True) -> str:
    """The Python of the server virtualenv ``name``, created with pip if missing.

    Servers run from their own virtualenvs so their pins never meet Airflow's; each
    installs from its lock (``constraints/<name>.txt``), so a server set up next
    month runs the same code as today's. The virtualenv's folder is named after the
    locked versions: another lock gets a folder of its own, and never clears one
    that a running server (of another checkout) uses.
    """
    requirements = SERVER_REQUIREMENTS[name]
    lock = _CONSTRAINTS / f"{name}.txt"
    pins = sorted(
        line.strip()
        for line in (lock.read_text().splitlines() if lock.exists() else [])
        if line.strip() and not line.lstrip().startswith("#")
    )
    digest = hashlib.sha256("\n".join([*requirements, *pins]).encode()).hexdigest()[:10]
    venv = venv_root() / f"{name}-{digest}"
    python = venv / "bin" / "python"
    marker = venv / ".complete"
    if marker.exists() and python.exists():
        return str(python)
    if not install:
        raise RuntimeError(f"no virtualenv at {venv}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    constraints = ["-c", str(lock)] if lock.exists() else []
    installed = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *constraints,
            *requirements,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(requirements)} failed:\n{installed.stderr}")
    marker.write_text("\n".join([*requirements, *pins]) + "\n")
    return str(python)


def swift_python(*, keystone: bool = False, install: bool = True) -> str:
    """A Python that can run Swift (with keystonemiddleware when ``keystone``).

    ``$AIRFLOW_PROVIDER_SWIFT_SERVER_PYTHON`` wins for plain Swift; otherwise a
    virtualenv under the user's cache directory gets ``swift==SWIFT_VERSION``.
    """
    configured = os.environ.get(SWIFT_PYTHON_ENV)
    if configured and not keystone:
        return configured
    suffix = "-keystone" if keystone else ""
    return server_python(f"swift-{SWIFT_VERSION}{suffix}", install=install)


def _parent_death_signal(
    signum: signal.Signals = signal.SIGTERM,
) -> Callable[[], None] | None:
    """A ``preexec_fn`` for server processes: on Linux, the kernel sends the server
    ``signum`` when the process that started it dies, even by SIGKILL or a CI timeout,
    so no orphaned server outlives a killed test run. None elsewhere.

    Everything is looked up here, in the parent: between fork and exec the function
    only calls ``prctl`` (no import, no lock another thread could be holding).
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig, death_signal = 1, int(signum)

    def set_parent_death_signal() -> None:
        prctl(pr_set_pdeathsig, death_signal, 0, 0, 0)

    return set_parent_death_signal


#: ``preexec_fn`` of every server process (see :func:`_parent_death_signal`)
die_with_parent = _parent_death_signal()
#: the same with SIGKILL, for daemons whose orderly shutdown waits for peers that are
#: dying too (Ceph's: a throwaway cluster has nothing to save)
killed_with_parent = _parent_death_signal(signal.SIGKILL)


def stop_processes(procs: list[subprocess.Popen[bytes]], grace: float = 10.0) -> None:
    """TERM each process group, wait up to ``grace`` seconds, then KILL what is left."""
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalSwift:
    """A real single-node Swift on 127.0.0.1 with free ports and its own files.

    :param constraints: ``[swift-constraints]`` overrides, e.g. ``{"max_file_size": 1048576}``.
    :param proxy_options: extra ``[app:proxy-server]`` settings.
    :param filter_options: extra settings per proxy filter, e.g. ``{"slo": {...}}``.
    :param token_life: tempauth token lifetime in seconds.
    :param users: tempauth users (``test:tester``/``testing`` is the default one).
    :param keystone: authenticate with Keystone instead of tempauth.
    """

    def __init__(
        self,
        *,
        constraints: Mapping[str, int | str] | None = None,
        proxy_options: Mapping[str, str] | None = None,
        filter_options: Mapping[str, Mapping[str, str]] | None = None,
        token_life: int = 86400,
        users: tuple[TempAuthUser, ...] = DEFAULT_USERS,
        python: str | None = None,
        keystone: KeystoneAuth | None = None,
    ) -> None:
        self.constraints = dict(constraints or {})
        self.proxy_options = dict(proxy_options or {})
        self.filter_options = {k: dict(v) for k, v in (filter_options or {}).items()}
        self.token_life = token_life
        self.users = users
        self.keystone = keystone
        self._python = python
        self.workdir: Path | None = None
        self.ports: dict[str, int] = {}
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    # -- what tests use -------------------------------------------------------------

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['proxy']}"

    @property
    def auth_url(self) -> str:
        """The tempauth URL (``X-Auth-User``/``X-Auth-Key`` -> token and storage URL)."""
        return f"{self.proxy_url}/auth/v1.0"

    def storage_url(self, account: str = "test") -> str:
        return f"{self.proxy_url}/v1/AUTH_{account}"

    @property
    def user(self) -> TempAuthUser:
        """The default (admin) user of account ``test``."""
        return self.users[0]

    def log(self, kind: str = "proxy") -> str:
        """What a server has logged so far (for diagnosing a failing test)."""
        if self.workdir is None:
            return ""
        path = self.workdir / f"{kind}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def add_listing_rows(self, container: str, names: list[str], account: str = "test") -> None:
        """Add names to an existing container's listing, without object data behind them.

        For testing listings at scale (e.g. paging past 10,000 entries) without
        uploading every object; GET/HEAD of such a name answers 404.
        """
        assert self.workdir is not None, "start() the cluster first"
        names_file = self.workdir / "listing-names.txt"
        names_file.write_text("\n".join(names), encoding="utf-8")
        self._launch("listing", f"AUTH_{account}", container, str(names_file))

    def corrupt_object(self, container: str, name: str, account: str = "test") -> None:
        """Flip a byte of an object's stored data, as a failing disk would: Swift keeps
        serving it with the original ETag (until its auditor notices)."""
        self._launch("corrupt", f"AUTH_{account}", container, name)

    def _launch(self, command: str, *args: str) -> None:
        assert self.workdir is not None, "start() the cluster first"
        subprocess.run(
            [
                self._python or swift_python(),
                str(self.workdir / "swift_launcher.py"),
                command,
                str(self.workdir),
                str(self.workdir / "devices"),
                *args,
            ],
            check=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )

    # -- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> LocalSwift:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> LocalSwift:
        """Write configs and rings, start the four servers, wait until auth works."""
        python = self._python or swift_python(keystone=self.keystone is not None)
        self._python = python
        self.workdir = Path(tempfile.mkdtemp(prefix="local-swift-"))
        try:
            self.ports = {kind: free_port() for kind in ("proxy", "account", "container", "object")}
            (self.workdir / "devices" / "d1").mkdir(parents=True)
            launcher = self.workdir / "swift_launcher.py"
            shutil.copyfile(_LAUNCHER, launcher)
            self._write_configs()
            subprocess.run(
                [
                    python,
                    str(launcher),
                    "rings",
                    str(self.workdir),
                    str(self.ports["account"]),
                    str(self.ports["container"]),
                    str(self.ports["object"]),
                ],
                check=True,
                stdin=subprocess.DEVNULL,
                capture_output=True,
            )
            for kind in ("account", "container", "object", "proxy"):
                self._spawn(python, launcher, kind)
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every server (TERM, then KILL) and delete all files."""
        stop_processes(list(self._procs.values()))
        self._procs.clear()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    # -- internals --------------------------------------------------------------------

    def _spawn(self, python: str, launcher: Path, kind: str) -> None:
        assert self.workdir is not None
        log = open(self.workdir / f"{kind}.log", "wb")  # noqa: SIM115 - child owns it
        with log:
            self._procs[kind] = subprocess.Popen(
                [
                    python,
                    str(launcher),
                    "serve",
                    str(self.workdir),
                    kind,
                    str(self.workdir / f"{kind}.conf"),
                ],
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,  # noqa: PLW1509 - only calls prctl
            )

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            for kind, proc in self._procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"Swift {kind} server exited with {proc.returncode}:\n"
                        f"{self.log(kind)[-3000:]}"
                    )
            if self._healthy() if self.keystone else self._auth_works():
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"Swift did not become ready in {timeout:.0f}s:\n{self.log()[-3000:]}"
                )
            time.sleep(0.1)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.proxy_url}/healthcheck", timeout=2) as resp:
                return bool(resp.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def _auth_works(self) -> bool:
        request = urllib.request.Request(
            self.auth_url,
            headers={"X-Auth-User": self.user.login, "X-Auth-Key": self.user.key},
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as resp:
                token = resp.headers.get("X-Auth-Token")
                url = resp.headers.get("X-Storage-Url")
            # the account autocreates on first authenticated use; make sure it does
            head = urllib.request.Request(url, method="HEAD", headers={"X-Auth-Token": token})
            with urllib.request.urlopen(head, timeout=2):
                return True
        except (OSError, urllib.error.URLError, ValueError, TypeError):
            return False

    def _write_configs(self) -> None:
        assert self.workdir is not None
        swift_conf = [
            "[swift-hash]",
            "swift_hash_path_prefix = local-swift-prefix",
            "swift_hash_path_suffix = local-swift-suffix",
            "",
            "[storage-policy:0]",
            "name = gold",
            "default = yes",
            "",
            "[swift-constraints]",
            *(f"{k} = {v}" for k, v in self.constraints.items()),
        ]
        self._write("swift.conf", swift_conf)
        common = [
            "[DEFAULT]",
            "bind_ip = 127.0.0.1",
            "workers = 0",
            f"swift_dir = {self.workdir}",
            f"devices = {self.workdir / 'devices'}",
            "mount_check = false",
            "log_level = INFO",
        ]
        backend_apps = {"account": "account", "container": "container", "object": "object"}
        for kind, egg in backend_apps.items():
            lines = [
                *common,
                f"bind_port = {self.ports[kind]}",
                f"log_name = {kind}-server",
                "",
                "[pipeline:main]",
                f"pipeline = {kind}-server",
                "",
                f"[app:{kind}-server]",
                f"use = egg:swift#{egg}",
            ]
            if kind == "container":
                lines.append("allow_versions = true")
            self._write(f"{kind}.conf", lines)
        self._write("proxy.conf", [*common, *self._proxy_lines()])

    def _proxy_lines(self) -> list[str]:
        users = [f"user_{u.account}_{u.user} = {u.key} {u.groups}".rstrip() for u in self.users]
        filters: dict[str, dict[str, str]] = {
            "catch_errors": {"use": "egg:swift#catch_errors"},
            "gatekeeper": {"use": "egg:swift#gatekeeper"},
            "healthcheck": {"use": "egg:swift#healthcheck"},
            "proxy-logging": {"use": "egg:swift#proxy_logging"},
            "cache": {"paste.filter_factory": "swift_launcher:cache_filter_factory"},
            "listing_formats": {"use": "egg:swift#listing_formats"},
            "bulk": {"use": "egg:swift#bulk"},
            "tempurl": {"use": "egg:swift#tempurl"},
            "ratelimit": {"use": "egg:swift#ratelimit"},
            "tempauth": {"use": "egg:swift#tempauth", "token_life": str(self.token_life)},
            "copy": {"use": "egg:swift#copy"},
            "container-quotas": {"use": "egg:swift#container_quotas"},
            "account-quotas": {"use": "egg:swift#account_quotas"},
            "slo": {"use": "egg:swift#slo"},
            "dlo": {"use": "egg:swift#dlo"},
            "versioned_writes": {
                "use": "egg:swift#versioned_writes",
                "allow_versioned_writes": "true",
                "allow_object_versioning": "true",
            },
            "symlink": {"use": "egg:swift#symlink"},
        }
        pipeline = PROXY_PIPELINE
        if self.keystone is not None:
            pipeline = pipeline.replace(" tempauth ", " authtoken keystoneauth ")
            del filters["tempauth"]
            filters["authtoken"] = {
                "paste.filter_factory": "keystonemiddleware.auth_token:filter_factory",
                "www_authenticate_uri": f"{self.keystone.auth_url}/v3",
                "auth_url": self.keystone.auth_url,
                "auth_type": "password",
                "username": self.keystone.username,
                "password": self.keystone.password,
                "project_name": self.keystone.project_name,
                "user_domain_id": "default",
                "project_domain_id": "default",
                "delay_auth_decision": "True",
                "include_service_catalog": "False",
            }
            filters["keystoneauth"] = {
                "use": "egg:swift#keystoneauth",
                "operator_roles": self.keystone.operator_roles,
            }
        for name, options in self.filter_options.items():
            filters.setdefault(name, {}).update(options)
        proxy_app = {
            "use": "egg:swift#proxy",
            "account_autocreate": "true",
            "allow_account_management": "true",
            **self.proxy_options,
        }
        lines = [
            f"bind_port = {self.ports['proxy']}",
            "log_name = proxy-server",
            "",
            "[pipeline:main]",
            f"pipeline = {pipeline}",
            "",
            "[app:proxy-server]",
            *(f"{k} = {v}" for k, v in proxy_app.items()),
        ]
        for name, options in filters.items():
            lines += ["", f"[filter:{name}]", *(f"{k} = {v}" for k, v in options.items())]
            if name == "tempauth":
                lines += users
        return lines

    def _write(self, name: str, lines: list[str]) -> None:
        assert self.workdir is not None
        (self.workdir / name).write_text("\n".join(lines) + "\n")
