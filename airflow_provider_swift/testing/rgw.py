"""A throwaway, real Ceph RADOS Gateway (RGW) on loopback: the other Swift API server.

:class:`LocalRGW` runs Debian's Ceph packages (``ceph-mon``, ``ceph-osd``,
``radosgw``): one monitor, one OSD keeping its data in memory (memstore), size-1
pools, no cephx (``auth none``), and radosgw's beast frontend serving the Swift API
(``/auth/1.0``, ``/swift/v1/AUTH_<user>``, ``/swift/info``) for a Swift subuser made
with ``radosgw-admin``. Everything lives in one temporary directory that
:meth:`LocalRGW.stop` removes.

Why it starts in seconds rather than minutes: a monitor batches changes for
``paxos propose interval`` (1 s by default) before committing them, and each of the
~20 map changes a fresh cluster makes (the OSD, each RGW pool, its PGs) waits for one
such round, several times over for pool creation; 0.05 s keeps that under a second.
No ``ceph-mgr`` runs: RGW needs only monitor and OSD (a manager collects statistics
and runs modules, which a throwaway cluster does not need), so ``ceph -s`` shows no
PG data.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from airflow_provider_swift.testing.server import (
    TempAuthUser,
    free_port,
    killed_with_parent,
    stop_processes,
)

#: Debian packages providing the daemons and tools :class:`LocalRGW` runs.
CEPH_PACKAGES = ("ceph-mon", "ceph-osd", "radosgw")
#: The programs it needs on ``PATH`` (``ceph`` and ``monmaptool`` come with ceph-common).
CEPH_PROGRAMS = ("ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph", "monmaptool")

#: Swift subusers (``uid:subuser``, key) created with ``radosgw-admin``: the same
#: logins as LocalSwift's tempauth users with the same rights.
DEFAULT_RGW_USERS = (
    TempAuthUser("test", "tester", "testing"),
    TempAuthUser("test2", "tester2", "testing2"),
)


def missing_programs() -> list[str]:
    """The Ceph programs :class:`LocalRGW` needs that are not on ``PATH``."""
    return [name for name in CEPH_PROGRAMS if shutil.which(name) is None]


class LocalRGW:
    """A real single-node Ceph RGW on 127.0.0.1 with free ports and its own files.

    Start and stop it from the same thread, and keep that thread alive while the
    servers run: the daemons get SIGKILL from the kernel when their parent dies (see
    :data:`~airflow_provider_swift.testing.server.killed_with_parent`; SIGTERM would
    start orderly shutdowns that wait on each other for seconds), and that parent is
    the thread that started them, not the whole process.

    :param users: Swift subusers to create (``test:tester``/``testing`` first).
    :param options: extra ``[client.rgw]`` settings, e.g. ``{"rgw max chunk size": "1048576"}``.
    """

    def __init__(
        self,
        *,
        users: tuple[TempAuthUser, ...] = DEFAULT_RGW_USERS,
        options: Mapping[str, str] | None = None,
    ) -> None:
        self.users = users
        self.options = dict(options or {})
        self.workdir: Path | None = None
        self.ports: dict[str, int] = {}
        #: seconds from the start of :meth:`start` to the end of each step, in order
        self.timeline: dict[str, float] = {}
        self._started = 0.0
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    # -- what tests use -------------------------------------------------------------

    @property
    def proxy_url(self) -> str:
        """The beast frontend's base URL (named as LocalSwift's, for shared helpers)."""
        return f"http://127.0.0.1:{self.ports['rgw']}"

    @property
    def auth_url(self) -> str:
        """The Swift v1 auth URL (``X-Auth-User``/``X-Auth-Key`` -> token, storage URL)."""
        return f"{self.proxy_url}/auth/1.0"

    @property
    def info_url(self) -> str:
        """Where RGW answers Swift's ``/info``."""
        return f"{self.proxy_url}/swift/info"

    def storage_url(self, account: str = "test") -> str:
        """The storage URL of an RGW user (``rgw swift account in url``)."""
        return f"{self.proxy_url}/swift/v1/AUTH_{account}"

    @property
    def user(self) -> TempAuthUser:
        """The default user, ``test:tester`` (full access to ``AUTH_test``)."""
        return self.users[0]

    def log(self, kind: str = "client.rgw") -> str:
        """What a daemon has logged so far: ``client.rgw``, ``mon.a`` or ``osd.0``."""
        if self.workdir is None:
            return ""
        path = self.workdir / f"{kind}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> LocalRGW:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self, timeout: float = 180.0) -> LocalRGW:
        """Create the cluster (monitor, OSD, users), serve RGW, wait until auth works."""
        missing = missing_programs()
        if missing:
            raise RuntimeError(
                f"Ceph programs not found: {', '.join(missing)}; install Debian's "
                f"{' '.join(CEPH_PACKAGES)} (scripts/test-packages.sh does)"
            )
        deadline = time.monotonic() + timeout
        self.workdir = Path(tempfile.mkdtemp(prefix="local-rgw-"))
        self.timeline = {}
        self._started = time.monotonic()
        try:
            self.ports = {"mon": free_port(), "rgw": free_port()}
            fsid = str(uuid.uuid4())
            self._write_config(fsid)
            self._step(
                "monmap",
                "monmaptool",
                "--create",
                "--fsid",
                fsid,
                "--addv",
                "a",
                f"[v2:127.0.0.1:{self.ports['mon']}]",
                str(self.workdir / "monmap"),
            )
            self._step(
                "mon mkfs",
                "ceph-mon",
                "--mkfs",
                "-i",
                "a",
                "--monmap",
                str(self.workdir / "monmap"),
            )
            self._spawn("mon.a", "ceph-mon", "-i", "a")
            osd_uuid = str(uuid.uuid4())
            osd_id = self._step("osd new", "ceph", "osd", "new", osd_uuid).strip()
            (self.workdir / f"osd.{osd_id}").mkdir()
            self._step("osd mkfs", "ceph-osd", "-i", osd_id, "--mkfs", "--osd-uuid", osd_uuid)
            self._spawn(f"osd.{osd_id}", "ceph-osd", "-i", osd_id)
            for user in self.users:
                self._create_user(user)
            self._spawn("client.rgw", "radosgw", "-n", "client.rgw")
            self._wait_ready(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop radosgw, the OSD and the monitor (TERM, then KILL); delete all files."""
        # the reverse of start-up order: a daemon whose monitor is gone hangs on exit
        for kind in reversed(list(self._procs)):
            stop_processes([self._procs[kind]], grace=10.0)
        self._procs.clear()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    # -- internals --------------------------------------------------------------------

    def _write_config(self, fsid: str) -> None:
        assert self.workdir is not None
        work = self.workdir
        sections: dict[str, dict[str, str]] = {
            "global": {
                "fsid": fsid,
                "mon host": f"v2:127.0.0.1:{self.ports['mon']}",
                # every daemon binds loopback only (the OSD's heartbeat and cluster
                # messengers bind the cluster address, 0.0.0.0 if unset)
                "public addr": "127.0.0.1",
                "cluster addr": "127.0.0.1",
                "ms bind msgr1": "false",
                "auth cluster required": "none",
                "auth service required": "none",
                "auth client required": "none",
                "run dir": str(work),
                "admin socket": f"{work}/$name.asok",
                "log file": f"{work}/$name.log",
                "pid file": f"{work}/$name.pid",
                "crash dir": f"{work}/crash",
                "keyring": f"{work}/keyring",
                # one OSD holds every pool: one replica, placed on that OSD itself
                "osd pool default size": "1",
                "osd pool default min size": "1",
                "mon allow pool size one": "true",
                "mon warn on pool no redundancy": "false",
                "osd crush chooseleaf type": "0",
                "osd pool default pg num": "8",
                "osd pool default pgp num": "8",
                "osd pool default pg autoscale mode": "off",
                # the start-up time: see the module docstring
                "paxos propose interval": "0.05",
            },
            "mon": {"mon data": f"{work}/$name"},
            "osd": {
                "osd data": f"{work}/$name",
                "osd objectstore": "memstore",
                "memstore device bytes": str(4 << 30),
            },
            "client.rgw": {
                # radosgw's built-in defaults ask for a cephx-secured monitor session
                "ms mon client mode": "crc",
                "auth client required": "none",
                "rgw data": f"{work}/rgw",
                # endpoint= binds that address only (port= would bind 0.0.0.0)
                "rgw frontends": f"beast endpoint=127.0.0.1:{self.ports['rgw']}",
                "rgw swift account in url": "true",
                "rgw enable apis": "s3, swift, swift_auth, admin",
                "rgw swift versioning enabled": "true",
                "rgw thread pool size": "64",
                **self.options,
            },
        }
        lines: list[str] = []
        for section, options in sections.items():
            lines += [f"[{section}]", *(f"{k} = {v}" for k, v in options.items()), ""]
        (work / "ceph.conf").write_text("\n".join(lines))

    def _command(self, program: str, *args: str) -> list[str]:
        assert self.workdir is not None
        return [program, "-c", str(self.workdir / "ceph.conf"), *args]

    def _step(self, what: str, program: str, *args: str) -> str:
        """Run one set-up command to completion; its output, or an error with its log."""
        done = subprocess.run(
            self._command(program, *args),
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self._mark(what)
        if done.returncode != 0:
            raise RuntimeError(
                f"{what} ({program}) failed with {done.returncode}:\n"
                f"{(done.stderr or done.stdout)[-3000:]}"
            )
        return done.stdout

    def _create_user(self, user: TempAuthUser) -> None:
        """An RGW user (the Swift account) with a Swift subuser and its key."""
        self._step(
            f"user {user.login}",
            "radosgw-admin",
            "-n",
            "client.rgw",
            "user",
            "create",
            "--uid",
            user.account,
            "--display-name",
            user.account,
            "--subuser",
            user.login,
            "--access",
            "full",
            "--key-type",
            "swift",
            "--secret",
            user.key,
        )

    def _spawn(self, kind: str, program: str, *args: str) -> None:
        assert self.workdir is not None
        out = open(self.workdir / f"{kind}.out", "wb")  # noqa: SIM115 - child owns it
        with out:
            self._procs[kind] = subprocess.Popen(
                self._command(program, "-f", *args),  # -f: stay in the foreground
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=killed_with_parent,  # noqa: PLW1509 - only calls prctl
            )
        self._mark(f"{kind} spawned")

    def _mark(self, step: str) -> None:
        self.timeline[step] = time.monotonic() - self._started

    def _wait_ready(self, deadline: float) -> None:
        """Until a Swift login works and a first write has created RGW's data pools."""
        while not self._swift_works():
            for kind, proc in self._procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"{kind} exited with {proc.returncode}:\n{self.log(kind)[-3000:]}"
                    )
            if time.monotonic() > deadline:
                raise RuntimeError(f"RGW did not become ready:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        self._mark("ready")

    def _swift_works(self) -> bool:
        login = urllib.request.Request(
            self.auth_url,
            headers={"X-Auth-User": self.user.login, "X-Auth-Key": self.user.key},
        )
        try:
            with urllib.request.urlopen(login, timeout=5) as resp:
                token = resp.headers["X-Auth-Token"]
                url = resp.headers["X-Storage-Url"]
            # the first container and object create the index and data pools (a second
            # or two); pay that here rather than in whichever test comes first
            container = f"{url}/local-rgw-ready"
            steps = [("PUT", container, b""), ("PUT", f"{container}/ready", b"ready")]
            steps += [("DELETE", f"{container}/ready", b""), ("DELETE", container, b"")]
            for method, target, body in steps:
                request = urllib.request.Request(
                    target, data=body, method=method, headers={"X-Auth-Token": token}
                )
                with urllib.request.urlopen(request, timeout=30):
                    pass
            return True
        except (OSError, urllib.error.URLError, KeyError, TypeError, ValueError):
            return False

    def describe(self) -> str:
        """One line for logs: where it serves and when each start-up step ended."""
        steps = ", ".join(f"{k} at {v:.1f}s" for k, v in self.timeline.items())
        return f"Ceph RGW at {self.proxy_url} ({steps})"
