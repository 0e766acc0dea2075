"""Many small files: this provider's tree sync vs python-swiftclient and rclone.

Starts one local Swift and builds one tree (by default 5,000 files x 4 KiB in 50
folders). Each tool, 10 files at once, as its own process (timed from start to
exit, peak RSS from the kernel), into its own container. This provider runs twice:
its client's tree sync, and its Airflow operators (``SwiftUploadOperator`` over the
directory with ``if_exists="skip_identical"``, ``SwiftDownloadOperator`` with a
prefix; the process includes importing Airflow):

1. first upload of the tree (nothing stored yet);
2. unchanged re-sync: the same tree again, everything already stored;
3. prefix download into an empty directory (every file's bytes checked after).

Requests are counted from the proxy's access log (every tool alike) and, for this
provider, by the client itself (``transport.sent``).

    .venv/bin/python benchmarks/many_files.py --files 5000 --size 4096 --folders 50

Not a test: numbers depend on the machine. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from large_objects import measure  # the same process timer for both benchmarks

from airflow_provider_swift.client import AuthOptions, SwiftClient
from airflow_provider_swift.testing.server import LocalSwift

BIN = Path(sys.executable).parent
OURS = "airflow-provider-swift"
OPERATORS = "provider operators"
PHASES = ("first upload", "unchanged re-sync", "prefix download")


def build_tree(root: Path, files: int, size: int, folders: int) -> dict[str, str]:
    """The tree, and each file's MD5 by relative path."""
    digests = {}
    for index in range(files):
        relative = f"d{index % folders:03d}/f{index:06d}.bin"
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = os.urandom(size)
        path.write_bytes(data)
        digests[relative] = hashlib.md5(data, usedforsecurity=False).hexdigest()
    return digests


def probe(args: argparse.Namespace) -> None:
    """One sync with this provider's client (run as its own process); prints what it
    did and the requests it sent as JSON."""
    if args.action.startswith("op-"):
        operate(args)
        return
    client = SwiftClient.connect(
        AuthOptions(auth_url=args.auth_url, username=args.user, password=args.key)
    )
    if args.action == "up":
        result = client.sync_up(args.path, args.container, args.prefix, object_threads=args.threads)
    else:
        result = client.sync_down(
            args.container, args.prefix, args.path, object_threads=args.threads
        )
    print(json.dumps({"counts": result.summary.counts, "sent": client.transport.sent}))


def operate(args: argparse.Namespace) -> None:
    """One run of this provider's operators (as a task would run them) on the tree."""
    os.environ["AIRFLOW_CONN_SWIFT_BENCH"] = json.dumps(
        {
            "conn_type": "swift",
            "host": args.auth_url,
            "login": args.user,
            "password": args.key,
            "extra": {"auth_type": "tempauth"},
        }
    )
    from airflow_provider_swift.operators import SwiftDownloadOperator, SwiftUploadOperator

    common = {"swift_conn_id": "swift_bench", "container": args.container}
    if args.action == "op-up":
        done = SwiftUploadOperator(
            task_id="up",
            source=args.path,
            prefix=args.prefix,
            if_exists="skip_identical",
            object_threads=args.threads,
            report_threshold=10**9,
            **common,
        ).execute({})
    else:
        done = SwiftDownloadOperator(
            task_id="down",
            destination=args.path,
            prefix=args.prefix,
            object_threads=args.threads,
            report_threshold=10**9,
            **common,
        ).execute({})
    print(json.dumps({"objects": len(done)}))


def client_requests(swift: LocalSwift) -> int:
    """Requests the proxy has logged from clients so far (not its own subrequests)."""
    return sum(
        1 for line in swift.log().splitlines() if line.startswith("proxy-server: 127.0.0.1 ")
    )


def check_tree(root: Path, digests: dict[str, str]) -> None:
    for relative, expected in digests.items():
        data = (root / relative).read_bytes()
        if hashlib.md5(data, usedforsecurity=False).hexdigest() != expected:
            raise RuntimeError(f"{root / relative} has other bytes than the source")


def bench(args: argparse.Namespace) -> dict[str, dict[str, tuple[float, float, int]]]:
    """{tool: {phase: (seconds, peak RSS MiB, requests)}}."""
    work = Path(tempfile.mkdtemp(prefix="swift-many-"))
    results: dict[str, dict[str, tuple[float, float, int]]] = {}
    try:
        tree = work / "tree"
        digests = build_tree(tree, args.files, args.size, args.folders)
        with LocalSwift() as swift:
            auth = [
                "--auth-url",
                swift.auth_url,
                "--user",
                swift.user.login,
                "--key",
                swift.user.key,
            ]
            me = [sys.executable, __file__, "probe", *auth, "--threads", str(args.threads)]
            swift_cli = [
                str(BIN / "swift"),
                "-A",
                swift.auth_url,
                "-U",
                swift.user.login,
                "-K",
                swift.user.key,
            ]
            rclone_env = {
                "RCLONE_CONFIG_LOCAL_SWIFT_TYPE": "swift",
                "RCLONE_CONFIG_LOCAL_SWIFT_AUTH": swift.auth_url,
                "RCLONE_CONFIG_LOCAL_SWIFT_USER": swift.user.login,
                "RCLONE_CONFIG_LOCAL_SWIFT_KEY": swift.user.key,
                "RCLONE_CONFIG_LOCAL_SWIFT_AUTH_VERSION": "1",
            }
            n = str(args.threads)
            tools: dict[str, tuple[list[str], list[str], Path, dict[str, str] | None]] = {
                OURS: (
                    [*me, "up", "--path", str(tree), "--container", "ours", "--prefix", "tree/"],
                    [
                        *me,
                        "down",
                        "--path",
                        str(work / "out-ours"),
                        "--container",
                        "ours",
                        "--prefix",
                        "tree/",
                    ],
                    work / "out-ours",
                    None,
                ),
                OPERATORS: (
                    [*me, "op-up", "--path", str(tree), "--container", "ops", "--prefix", "tree/"],
                    [
                        *me,
                        "op-down",
                        "--path",
                        str(work / "out-ops"),
                        "--container",
                        "ops",
                        "--prefix",
                        "tree/",
                    ],
                    work / "out-ops",
                    None,
                ),
                "python-swiftclient": (
                    [
                        *swift_cli,
                        "upload",
                        "--object-threads",
                        n,
                        "--skip-identical",
                        "swiftclient",
                        "tree",
                    ],
                    [
                        *swift_cli,
                        "download",
                        "--object-threads",
                        n,
                        "swiftclient",
                        "--prefix",
                        "tree/",
                        "-D",
                        str(work / "out-swiftclient"),
                        "--remove-prefix",
                    ],
                    work / "out-swiftclient",
                    None,
                ),
                "rclone": (
                    [
                        "rclone",
                        "copy",
                        "--transfers",
                        n,
                        "--checkers",
                        n,
                        str(tree),
                        "local_swift:rclone/tree",
                    ],
                    [
                        "rclone",
                        "copy",
                        "--transfers",
                        n,
                        "--checkers",
                        n,
                        "local_swift:rclone/tree",
                        str(work / "out-rclone"),
                    ],
                    work / "out-rclone",
                    rclone_env,
                ),
            }
            os.chdir(work)  # `swift upload ... tree` names the objects tree/...
            for tool, (upload, download, out, env) in tools.items():
                if tool not in args.tools:
                    continue
                results[tool] = {}
                for phase, command in zip(PHASES, (upload, upload, download)):
                    before = client_requests(swift)
                    seconds, rss, _ = measure(command, env)
                    requests = client_requests(swift) - before
                    results[tool][phase] = (seconds, rss, requests)
                    print(
                        f"{tool:24} {phase:18} {seconds:7.2f} s  {args.files / seconds:7.1f} "
                        f"files/s  {requests:6} requests  peak RSS {rss:6.1f} MiB",
                        flush=True,
                    )
                check_tree(out, digests)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def report(
    results: dict[str, dict[str, tuple[float, float, int]]], args: argparse.Namespace
) -> str:
    lines = [
        f"{args.files} files x {args.size} B in {args.folders} folders, {args.threads} at once:",
        "",
        "| tool | "
        + " | ".join(f"{p} s" for p in PHASES)
        + " | "
        + " | ".join(f"{p} req/1,000 files" for p in PHASES)
        + " |",
        "|---|" + "---:|" * (2 * len(PHASES)),
    ]
    for tool, phases in results.items():
        seconds = " | ".join(f"{phases[p][0]:.2f}" for p in PHASES)
        per_k = " | ".join(f"{phases[p][2] * 1000 / args.files:.1f}" for p in PHASES)
        lines.append(f"| {tool} | {seconds} | {per_k} |")
    peers = [t for t in results if t not in (OURS, OPERATORS)]
    mine = [t for t in (OURS, OPERATORS) if t in results]
    if mine and peers:
        lines += [
            "",
            "| ratio (time of the faster of "
            + ", ".join(peers)
            + " / time of ours) | "
            + " | ".join(PHASES)
            + " |",
            "|---|" + "---:|" * len(PHASES),
        ]
        for tool in mine:
            ratios = []
            for phase in PHASES:
                fastest = min(results[t][phase][0] for t in peers)
                ratios.append(f"{fastest / results[tool][phase][0]:.2f}")
            lines.append(f"| {tool} | " + " | ".join(ratios) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("probe")
    p.add_argument("--auth-url", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--threads", type=int, default=10)
    p.add_argument("action", choices=("up", "down", "op-up", "op-down"))
    p.add_argument("--path", required=True)
    p.add_argument("--container", required=True)
    p.add_argument("--prefix", default="")
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--folders", type=int, default=50)
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--tools", default=f"{OURS},{OPERATORS},python-swiftclient,rclone")
    args = parser.parse_args()
    if args.command == "probe":
        probe(args)
        return
    args.tools = args.tools.split(",")
    print(report(bench(args), args))


if __name__ == "__main__":
    main()
