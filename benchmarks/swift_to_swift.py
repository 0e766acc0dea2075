"""Swift to Swift across two clusters: this provider's transfer vs a ``curl GET | curl
PUT`` pipe (and rclone's remote-to-remote copy, when installed).

Starts two local Swift clusters, stores the same object in the first, then copies it
to the second with each tool, each as its own process (timed from start to exit,
peak RSS and CPU from ``wait4``), and checks the copy's ETag after every run:

* ``airflow-provider-swift``: ``Transfer(source, dest).copy_object`` -- a plain
  object is one GET relayed into one PUT (no local file), checked against the
  source's MD5; an SLO (``--segment-mb``) is relayed segment by segment,
  ``--threads`` at once;
* ``curl GET | curl PUT``: two curls and a pipe, no checking at all (the floor);
* ``rclone copyto``: rclone 1.60 streaming from one remote to the other.

    .venv/bin/python benchmarks/swift_to_swift.py --size-mb 1024 --repeat 2
    .venv/bin/python benchmarks/swift_to_swift.py --size-mb 1024 --segment-mb 64 --threads 4

Not a test: numbers depend on the machine. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from large_objects import make_file, measure

from airflow_provider_swift.client import AuthOptions, SwiftClient, SwiftError
from airflow_provider_swift.client.transfers.transfer import Transfer
from airflow_provider_swift.testing.server import LocalSwift

MIB = 1024 * 1024
CONTAINER = "bench"
NAME = "obj"


@dataclass
class Run:
    tool: str
    seconds: float
    peak_rss_mib: float
    cpu_seconds: float
    size: int

    @property
    def mb_per_s(self) -> float:
        return self.size / 1e6 / self.seconds


def connect(auth_url: str, user: str, key: str) -> SwiftClient:
    return SwiftClient.connect(AuthOptions(auth_url=auth_url, username=user, password=key))


def probe(args: argparse.Namespace) -> None:
    """One transfer with this provider's client (run as its own process)."""
    source = connect(args.source_auth, args.user, args.key)
    dest = connect(args.dest_auth, args.user, args.key)
    Transfer(source, dest).copy_object(
        CONTAINER, NAME, CONTAINER, NAME, if_exists="replace", segment_threads=args.threads
    )


def bench(args: argparse.Namespace) -> tuple[list[Run], str]:
    size = args.size_mb * MIB
    work = Path(tempfile.mkdtemp(prefix="swift-bench-"))
    runs: list[Run] = []
    try:
        with LocalSwift() as first, LocalSwift() as second:
            source = connect(first.auth_url, first.user.login, first.user.key)
            dest = connect(second.auth_url, second.user.login, second.user.key)
            source.put_container(CONTAINER)
            dest.put_container(CONTAINER)
            path = work / "source.bin"
            content_md5 = make_file(path, size)
            segment = args.segment_mb * MIB if args.segment_mb else None
            kind = f"SLO of {args.segment_mb} MiB segments" if segment else "plain object"
            stored = source.upload_file(
                CONTAINER, NAME, path, segment_size=segment, segment_threads=args.threads
            )
            path.unlink()  # nothing local from here on
            src_url = f"{source.transport.storage_url()}/{CONTAINER}/{NAME}"
            dst_url = f"{dest.transport.storage_url()}/{CONTAINER}/{NAME}"
            pipe = (
                f"set -o pipefail; curl -sSf -H 'X-Auth-Token: {source.transport.token()}' "
                f"'{src_url}' | curl -sSf -T - -H 'X-Auth-Token: {dest.transport.token()}' "
                f"'{dst_url}'"
            )
            auth = ["--user", first.user.login, "--key", first.user.key]
            rclone_env = {}
            for remote, swift in (("SRC", first), ("DST", second)):
                rclone_env |= {
                    f"RCLONE_CONFIG_{remote}_TYPE": "swift",
                    f"RCLONE_CONFIG_{remote}_AUTH": swift.auth_url,
                    f"RCLONE_CONFIG_{remote}_USER": swift.user.login,
                    f"RCLONE_CONFIG_{remote}_KEY": swift.user.key,
                    f"RCLONE_CONFIG_{remote}_AUTH_VERSION": "1",
                }
            tools: dict[str, tuple[list[str], dict[str, str] | None]] = {
                "airflow-provider-swift": (
                    [
                        sys.executable,
                        __file__,
                        "probe",
                        "--source-auth",
                        first.auth_url,
                        "--dest-auth",
                        second.auth_url,
                        *auth,
                        "--threads",
                        str(args.threads),
                    ],
                    None,
                ),
                "curl GET piped to curl PUT": (["bash", "-c", pipe], None),
            }
            if shutil.which("rclone"):
                tools["rclone copyto"] = (
                    [
                        "rclone",
                        "copyto",
                        f"src:{CONTAINER}/{NAME}",
                        f"dst:{CONTAINER}/{NAME}",
                        "--transfers",
                        str(args.threads),
                        "--swift-chunk-size",
                        f"{args.segment_mb or 5120}M",
                        "--ignore-times",
                    ],
                    rclone_env,
                )
            for _ in range(args.repeat):
                for tool, (command, env) in tools.items():
                    for container in (CONTAINER, f"{CONTAINER}_segments"):
                        with contextlib.suppress(SwiftError):
                            for entry in list(dest.iter_objects(container)):
                                dest.delete_object_with_segments(
                                    container, entry["name"], missing_ok=True
                                )
                    seconds, peak, cpu = measure(command, env)
                    copied = dest.head_object(CONTAINER, NAME)
                    if int(copied["content-length"]) != size:
                        raise RuntimeError(f"{tool}: the copy has the wrong size")
                    etag = copied["etag"].strip('"')
                    # a large object's copy has the source's composite ETag, a plain
                    # copy (curl's; rclone's of a segmented source) the content's MD5
                    if etag not in (stored.etag, content_md5):
                        raise RuntimeError(f"{tool}: the copy has ETag {copied['etag']}")
                    runs.append(Run(tool, seconds, peak, cpu, size))
                    print(f"{tool}: {size / 1e6 / seconds:.1f} MB/s", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return runs, kind


def report(runs: list[Run], kind: str, args: argparse.Namespace) -> str:
    best: dict[str, Run] = {}
    for run in runs:
        if run.tool not in best or run.seconds < best[run.tool].seconds:
            best[run.tool] = run
    lines = [
        f"{args.size_mb} MiB, {kind}, {args.threads} threads, best of {args.repeat}:",
        "",
        "| tool | MB/s | seconds | peak RSS MiB | client CPU s |",
        "|------|---:|---:|---:|---:|",
    ]
    for run in best.values():
        lines.append(
            f"| {run.tool} | {run.mb_per_s:.1f} | {run.seconds:.2f} | "
            f"{run.peak_rss_mib:.0f} | {run.cpu_seconds:.2f} |"
        )
    ours, pipe = best["airflow-provider-swift"], best["curl GET piped to curl PUT"]
    lines += ["", f"ratio ours / curl pipe: {ours.mb_per_s / pipe.mb_per_s:.2f}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    one = sub.add_parser("probe")
    one.add_argument("--source-auth", required=True)
    one.add_argument("--dest-auth", required=True)
    one.add_argument("--user", required=True)
    one.add_argument("--key", required=True)
    one.add_argument("--threads", type=int, default=4)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--segment-mb", type=int, default=0, help="store the source as an SLO")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if args.command == "probe":
        probe(args)
        return
    runs, kind = bench(args)
    print(report(runs, kind, args))


if __name__ == "__main__":
    main()
