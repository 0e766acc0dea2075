"""Large-object throughput and memory: this provider vs python-swiftclient, rclone and curl.

Starts one local Swift, then for the same file, segment size and thread count
uploads and downloads it with each tool, each as its own process (timed from
start to exit, peak RSS from ``wait4``), and checks every download's MD5. curl
does a single raw PUT/GET: the most the server can take, with no segmenting.

    .venv/bin/python benchmarks/large_objects.py --size-mb 1024 --segment-mb 64 --threads 4
    .venv/bin/python benchmarks/large_objects.py --rss-only --rss-sizes 100,1024,2048

Not a test: numbers depend on the machine. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from airflow_provider_swift.client import AuthOptions, SwiftClient, SwiftError
from airflow_provider_swift.testing.server import LocalSwift

MIB = 1024 * 1024
BIN = Path(sys.executable).parent


@dataclass
class Run:
    tool: str
    direction: str
    seconds: float
    peak_rss_mib: float
    size: int
    cpu_seconds: float

    @property
    def mb_per_s(self) -> float:
        return self.size / 1e6 / self.seconds


def make_file(path: Path, size: int) -> str:
    """Incompressible data (MD5 of a counter), and its MD5."""
    digest = hashlib.md5(usedforsecurity=False)
    block = b"".join(hashlib.sha512(str(i).encode()).digest() for i in range(16384))  # 1 MiB
    with open(path, "wb") as handle:
        written = 0
        while written < size:
            chunk = block[: size - written]
            handle.write(chunk)
            digest.update(chunk)
            written += len(chunk)
    return digest.hexdigest()


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(MIB), b""):
            digest.update(chunk)
    return digest.hexdigest()


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Run a command; return (seconds, peak RSS in MiB, CPU seconds of the process).

    The peak is the kernel's high-water mark (``VmHWM``) of the process, sampled
    until it exits: unlike ``ru_maxrss`` it is reset by ``exec``, so it does not
    count the forking Python's own memory.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0.0
    status_file = Path(f"/proc/{proc.pid}/status")
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        try:
            for line in status_file.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"{command[0]} failed ({proc.returncode}): {stderr[-2000:]}")
    return seconds, peak, usage.ru_utime + usage.ru_stime


def probe(args: argparse.Namespace) -> None:
    """One upload or download with this provider's client (run as its own process)."""
    client = SwiftClient.connect(
        AuthOptions(auth_url=args.auth_url, username=args.user, password=args.key)
    )
    if args.action == "upload":
        client.upload_file(
            args.container,
            args.name,
            args.path,
            segment_size=args.segment_size,
            segment_threads=args.threads,
        )
    else:
        client.download_object(args.container, args.name, args.path)


def bench(args: argparse.Namespace) -> list[Run]:
    size = args.size_mb * MIB
    segment = args.segment_mb * MIB
    threads = args.threads
    work = Path(tempfile.mkdtemp(prefix="swift-bench-"))
    runs: list[Run] = []
    try:
        with LocalSwift() as swift:
            client = SwiftClient.connect(
                AuthOptions(
                    auth_url=swift.auth_url, username=swift.user.login, password=swift.user.key
                )
            )
            token = client.transport.token()
            storage = client.transport.storage_url()
            source = work / "source.bin"
            expected = make_file(source, size)
            auth = [
                "--auth-url",
                swift.auth_url,
                "--user",
                swift.user.login,
                "--key",
                swift.user.key,
            ]
            me = [sys.executable, __file__, "probe", *auth]
            rclone_env = {
                "RCLONE_CONFIG_LOCAL_SWIFT_TYPE": "swift",
                "RCLONE_CONFIG_LOCAL_SWIFT_AUTH": swift.auth_url,
                "RCLONE_CONFIG_LOCAL_SWIFT_USER": swift.user.login,
                "RCLONE_CONFIG_LOCAL_SWIFT_KEY": swift.user.key,
                "RCLONE_CONFIG_LOCAL_SWIFT_AUTH_VERSION": "1",
            }
            swift_cli = [
                str(BIN / "swift"),
                "-A",
                swift.auth_url,
                "-U",
                swift.user.login,
                "-K",
                swift.user.key,
            ]
            tools = {
                "airflow-provider-swift": (
                    [
                        *me,
                        "upload",
                        "--container",
                        "hook",
                        "--name",
                        "obj",
                        "--path",
                        str(source),
                        "--segment-size",
                        str(segment),
                        "--threads",
                        str(threads),
                    ],
                    [
                        *me,
                        "download",
                        "--container",
                        "hook",
                        "--name",
                        "obj",
                        "--path",
                        str(work / "out-hook"),
                    ],
                    work / "out-hook",
                    None,
                ),
                "python-swiftclient": (
                    [
                        *swift_cli,
                        "upload",
                        "--segment-size",
                        str(segment),
                        "--segment-threads",
                        str(threads),
                        "--object-name",
                        "obj",
                        "swiftclient",
                        str(source),
                    ],
                    [
                        *swift_cli,
                        "download",
                        "swiftclient",
                        "obj",
                        "-o",
                        str(work / "out-swiftclient"),
                    ],
                    work / "out-swiftclient",
                    None,
                ),
                "rclone": (
                    [
                        "rclone",
                        "copyto",
                        str(source),
                        "local_swift:rclone/obj",
                        "--swift-chunk-size",
                        f"{args.segment_mb}M",
                        "--transfers",
                        str(threads),
                    ],
                    [
                        "rclone",
                        "copyto",
                        "local_swift:rclone/obj",
                        str(work / "out-rclone"),
                        "--transfers",
                        str(threads),
                    ],
                    work / "out-rclone",
                    rclone_env,
                ),
                "curl (one PUT/GET)": (
                    [
                        "curl",
                        "-sSf",
                        "-T",
                        str(source),
                        "-H",
                        f"X-Auth-Token: {token}",
                        f"{storage}/curl/obj",
                    ],
                    [
                        "curl",
                        "-sSf",
                        "-o",
                        str(work / "out-curl"),
                        "-H",
                        f"X-Auth-Token: {token}",
                        f"{storage}/curl/obj",
                    ],
                    work / "out-curl",
                    None,
                ),
            }
            for container in ("hook", "swiftclient", "rclone", "curl"):
                client.put_container(container)
            if size > client.large_object_limits().max_file_size:
                del tools["curl (one PUT/GET)"]
            for _ in range(args.repeat):
                for tool, (upload, download, out, env) in tools.items():
                    if tool not in args.tools:
                        continue
                    # start every upload from nothing stored: no tool may resume or skip
                    for container in ("hook", "swiftclient", "rclone", "curl"):
                        names = [e["name"] for e in client.iter_objects(container)]
                        client.delete_objects_with_segments(container, names)
                        for leftover in ("_segments", "_segments_segments"):
                            with contextlib.suppress(SwiftError):
                                segs = [
                                    e["name"] for e in client.iter_objects(container + leftover)
                                ]
                                client.delete_many((container + leftover, n) for n in segs)
                    for direction, command in (("upload", upload), ("download", download)):
                        seconds, rss, cpu = measure(command, env)
                        runs.append(Run(tool, direction, seconds, rss, size, cpu))
                        print(
                            f"{tool:24} {direction:8} {size / 1e6 / seconds:8.1f} MB/s "
                            f"{seconds:7.2f} s  peak RSS {rss:7.1f} MiB  CPU {cpu:6.2f} s",
                            flush=True,
                        )
                    if file_md5(out) != expected:
                        raise RuntimeError(f"{tool} downloaded different bytes")
                    out.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return runs


def rss_series(args: argparse.Namespace) -> list[tuple[int, float, float]]:
    """Peak RSS of this provider's upload and download at several object sizes."""
    rows = []
    work = Path(tempfile.mkdtemp(prefix="swift-rss-"))
    try:
        with LocalSwift() as swift:
            auth = [
                "--auth-url",
                swift.auth_url,
                "--user",
                swift.user.login,
                "--key",
                swift.user.key,
            ]
            me = [sys.executable, __file__, "probe", *auth]
            SwiftClient.connect(
                AuthOptions(
                    auth_url=swift.auth_url, username=swift.user.login, password=swift.user.key
                )
            ).put_container("rss")
            for size_mb in args.rss_sizes:
                source = work / "source.bin"
                make_file(source, size_mb * MIB)
                _, up, _ = measure(
                    [
                        *me,
                        "upload",
                        "--container",
                        "rss",
                        "--name",
                        "obj",
                        "--path",
                        str(source),
                        "--segment-size",
                        str(args.segment_mb * MIB),
                        "--threads",
                        str(args.threads),
                    ]
                )
                _, down, _ = measure(
                    [
                        *me,
                        "download",
                        "--container",
                        "rss",
                        "--name",
                        "obj",
                        "--path",
                        str(work / "out"),
                    ]
                )
                rows.append((size_mb, up, down))
                print(
                    f"{size_mb:6} MB: upload peak RSS {up:6.1f} MiB, download {down:6.1f} MiB",
                    flush=True,
                )
                (work / "out").unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def report(runs: list[Run], rss: list[tuple[int, float, float]], args: argparse.Namespace) -> str:
    lines = []
    if runs:
        best: dict[tuple[str, str], Run] = {}
        for run in runs:
            key = (run.tool, run.direction)
            if key not in best or run.seconds < best[key].seconds:
                best[key] = run
        lines += [
            f"{args.size_mb} MiB file, {args.segment_mb} MiB segments, {args.threads} threads, "
            f"best of {args.repeat}:",
            "",
            "| tool | upload MB/s | download MB/s | upload peak RSS MiB | download peak RSS MiB "
            "| client CPU s/GiB up | client CPU s/GiB down |",
            "|------|---:|---:|---:|---:|---:|---:|",
        ]
        tools = list(dict.fromkeys(r.tool for r in runs))
        for tool in tools:
            up, down = best[(tool, "upload")], best[(tool, "download")]
            gib = up.size / 1024**3
            lines.append(
                f"| {tool} | {up.mb_per_s:.1f} | {down.mb_per_s:.1f} | "
                f"{up.peak_rss_mib:.0f} | {down.peak_rss_mib:.0f} | "
                f"{up.cpu_seconds / gib:.2f} | {down.cpu_seconds / gib:.2f} |"
            )
        ours = "airflow-provider-swift"
        lines += ["", "| ratio (ours / other) | upload | download |", "|---|---:|---:|"]
        for tool in tools:
            if tool == ours:
                continue
            ratio_up = best[(ours, "upload")].mb_per_s / best[(tool, "upload")].mb_per_s
            ratio_down = best[(ours, "download")].mb_per_s / best[(tool, "download")].mb_per_s
            lines.append(f"| vs {tool} | {ratio_up:.2f} | {ratio_down:.2f} |")
    if rss:
        lines += [
            "",
            "| object size | upload peak RSS MiB | download peak RSS MiB |",
            "|---:|---:|---:|",
        ]
        lines += [f"| {size} MB | {up:.1f} | {down:.1f} |" for size, up, down in rss]
        growth = max(rss[-1][1] - rss[0][1], rss[-1][2] - rss[0][2])
        lines.append(f"\nRSS growth from {rss[0][0]} MB to {rss[-1][0]} MB: {growth:.1f} MiB")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("probe")
    p.add_argument("action", choices=["upload", "download"])
    for flag in ("--auth-url", "--user", "--key", "--container", "--name", "--path"):
        p.add_argument(flag, required=True)
    p.add_argument("--segment-size", type=int, default=None)
    p.add_argument("--threads", type=int, default=4)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--segment-mb", type=int, default=64)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--tools",
        default="airflow-provider-swift,python-swiftclient,rclone,curl (one PUT/GET)",
        type=lambda s: s.split(","),
    )
    parser.add_argument(
        "--rss-sizes", default="", type=lambda s: [int(x) for x in s.split(",") if x]
    )
    parser.add_argument("--rss-only", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the raw runs here")
    args = parser.parse_args()
    if args.command == "probe":
        probe(args)
        return
    runs = [] if args.rss_only else bench(args)
    rss = rss_series(args) if args.rss_sizes else []
    print()
    print(report(runs, rss, args))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in runs] + [{"rss": rss}], indent=1))


if __name__ == "__main__":
    main()
