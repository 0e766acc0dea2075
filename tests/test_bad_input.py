"""The bad-input table: each bad input gets a typed error a user can act on, raised
before anything is changed on the server. docs/bad-input.md lists the same rows (a
test below keeps the two in step)."""

from __future__ import annotations

import datetime
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_swift.client import (
    AuthOptions,
    RetryPolicy,
    SwiftAuthenticationError,
    SwiftClient,
    SwiftConnectionError,
    SwiftError,
    SwiftPathTraversalError,
    SwiftTLSError,
    SwiftValidationError,
    TransportOptions,
)
from airflow_provider_swift.hooks.connection import options_from_connection
from airflow_provider_swift.hooks.swift import SwiftHook
from airflow_provider_swift.operators import SwiftDownloadOperator
from airflow_provider_swift.testing.pytest_plugin import client_for, connection_json
from airflow_provider_swift.testing.server import LocalSwift, free_port

KIB = 1024
QUICK = TransportOptions(retry=RetryPolicy(max_attempts=2, backoff_initial=0.01), connect_timeout=2)


@dataclass
class Env:
    hook: SwiftHook
    client: SwiftClient
    swift: LocalSwift
    container: str
    tmp: Path


@dataclass(frozen=True)
class Row:
    what: str
    call: Callable[[Env], Any]
    error: type[SwiftError]
    message: str


def _meta(n: int, size: int = 1) -> dict[str, str]:
    return {f"k{i}": "v" * size for i in range(n)}


def _https_server_with_self_signed_cert(tmp: Path) -> tuple[HTTPServer, int]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp / "cert.pem", tmp / "key.pem")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def _tls_failure(env: Env) -> None:
    server, port = _https_server_with_self_signed_cert(env.tmp)
    try:
        SwiftClient.connect(
            AuthOptions(
                auth_url=f"https://127.0.0.1:{port}/auth/v1.0", username="a:b", password="k"
            ),
            QUICK,
        ).head_account()
    finally:
        server.shutdown()


ROWS = [
    Row(
        "empty container name",
        lambda e: e.hook.upload_bytes("", "o", b"x"),
        SwiftValidationError,
        "non-empty",
    ),
    Row(
        "container name with '/'",
        lambda e: e.hook.create_container("a/b"),
        SwiftValidationError,
        "cannot be nested",
    ),
    Row(
        "container name over 256 bytes",
        lambda e: e.hook.create_container("c" * 257),
        SwiftValidationError,
        "at most 256",
    ),
    Row(
        "empty object name",
        lambda e: e.hook.upload_bytes(e.container, "", b"x"),
        SwiftValidationError,
        "non-empty",
    ),
    Row(
        "object name over 1024 bytes",
        lambda e: e.hook.upload_bytes(e.container, "ü" * 513, b"x"),
        SwiftValidationError,
        "at most 1024",
    ),
    Row(
        "object name with a NUL byte",
        lambda e: e.hook.upload_bytes(e.container, "a\0b", b"x"),
        SwiftValidationError,
        "NUL",
    ),
    Row(
        "metadata value over 256 bytes",
        lambda e: e.hook.upload_bytes(e.container, "o", b"x", metadata={"k": "v" * 257}),
        SwiftValidationError,
        "at most 256",
    ),
    Row(
        "metadata key that is not a header name",
        lambda e: e.hook.upload_bytes(e.container, "o", b"x", metadata={"bad key": "v"}),
        SwiftValidationError,
        "valid header name",
    ),
    Row(
        "non-ASCII metadata key",
        lambda e: e.hook.upload_bytes(e.container, "o", b"x", metadata={"clé": "v"}),
        SwiftValidationError,
        "valid header name",
    ),
    Row(
        "more than 90 metadata items",
        lambda e: e.hook.upload_bytes(e.container, "o", b"x", metadata=_meta(91)),
        SwiftValidationError,
        "at most 90",
    ),
    Row(
        "metadata over 4096 bytes in total",
        lambda e: e.hook.upload_bytes(e.container, "o", b"x", metadata=_meta(20, 250)),
        SwiftValidationError,
        "at most 4096",
    ),
    Row(
        "negative delete_after",
        lambda e: e.hook.upload_bytes(e.container, "o", b"x", delete_after=-5),
        SwiftValidationError,
        "positive",
    ),
    Row(
        "delete_at in the past",
        lambda e: e.hook.upload_bytes(e.container, "o", b"x", delete_at=int(time.time()) - 1),
        SwiftValidationError,
        "in the past",
    ),
    Row(
        "both delete_at and delete_after",
        lambda e: e.hook.expire_object(e.container, "o", delete_at=2**31, delete_after=5),
        SwiftValidationError,
        "not both",
    ),
    Row(
        "segment size below the server minimum (1 byte in Swift 2.38)",
        lambda e: e.hook.upload_file(e.container, "o", e.tmp / "file", segment_size=0),
        SwiftValidationError,
        "must be positive",
    ),
    Row(
        "segment size making more segments than a manifest may hold",
        lambda e: e.hook.upload_file(e.container, "o", e.tmp / "file", segment_size=10),
        SwiftValidationError,
        "allows 1000 per manifest",
    ),
    Row(
        "segment size above max_file_size",
        lambda e: e.hook.upload_file(e.container, "o", e.tmp / "file", segment_size=10 * 2**30),
        SwiftValidationError,
        "exceeds the cluster's max_file_size",
    ),
    Row(
        "unknown large_object kind",
        lambda e: e.hook.upload_file(e.container, "o", e.tmp / "file", large_object="xlo"),
        SwiftValidationError,
        "expected one of slo, dlo",
    ),
    Row(
        "unknown if_exists",
        lambda e: e.hook.upload_file(e.container, "o", e.tmp / "file", if_exists="merge"),
        SwiftValidationError,
        "replace, skip_identical, fail",
    ),
    Row(
        "unknown auth version",
        lambda e: options_from_connection(
            host="http://x/auth", login="a", password="b", extra={"auth_type": "v2"}
        ),
        SwiftValidationError,
        "unknown auth_type 'v2'",
    ),
    Row(
        "missing extras (pre-authenticated without storage_url)",
        lambda e: options_from_connection(
            host=None, login=None, password="tok", extra={"auth_type": "preauthenticated"}
        ),
        SwiftValidationError,
        "storage_url",
    ),
    Row(
        "connection extra that is not a number",
        lambda e: options_from_connection(
            host="http://x/auth/v1.0", login="a", password="b", extra={"read_timeout": "slow"}
        ),
        SwiftValidationError,
        "not a number",
    ),
    Row(
        "wrong password",
        lambda e: client_for(e.swift, key="nope").head_account(),
        SwiftAuthenticationError,
        "check the login and password",
    ),
    Row(
        "unreachable auth URL",
        lambda e: SwiftClient.connect(
            AuthOptions(
                auth_url=f"http://127.0.0.1:{free_port()}/auth/v1.0", username="a:b", password="k"
            ),
            QUICK,
        ).head_account(),
        SwiftConnectionError,
        "cannot reach auth URL",
    ),
    Row("TLS verification failure", _tls_failure, SwiftTLSError, "TLS"),
    Row(
        "local file missing",
        lambda e: e.hook.upload_file(e.container, "o", e.tmp / "nope"),
        SwiftValidationError,
        "does not exist",
    ),
    Row(
        "local path is not a readable file",
        lambda e: e.hook.upload_file(e.container, "o", e.tmp),
        SwiftValidationError,
        "not a readable file",
    ),
    Row(
        "destination directory missing",
        lambda e: e.hook.download_file(e.container, "seed", e.tmp / "no" / "such" / "dir"),
        SwiftValidationError,
        "does not exist",
    ),
    Row(
        "destination not writable (its parent is a file)",
        lambda e: e.hook.download_file(e.container, "seed", e.tmp / "file" / "out"),
        SwiftValidationError,
        "does not exist",
    ),
    Row(
        "object name escaping the download directory",
        lambda e: SwiftDownloadOperator(
            task_id="d",
            container=e.container,
            prefix="esc/",
            destination=str(e.tmp / "dl"),
            swift_conn_id="swift_strict",
        ).execute({}),
        SwiftPathTraversalError,
        "outside",
    ),
    Row(
        "temp URL with no key anywhere",
        lambda e: e.hook.generate_temp_url(e.container, "seed"),
        SwiftValidationError,
        "temp URL key",
    ),
    Row(
        "invalid versioning setting",
        lambda e: e.hook.create_container(e.container, versions={"mode": "stack"}),
        SwiftValidationError,
        "versions must be",
    ),
    Row(
        "metadata value with leading or trailing spaces",
        lambda e: e.hook.update_object_metadata(e.container, "seed", {"note": " padded "}),
        SwiftValidationError,
        "'metadata note'",
    ),
    Row(
        "metadata value with a control character",
        lambda e: e.hook.upload_bytes(e.container, "o", b"x", metadata={"note": "a\tb"}),
        SwiftValidationError,
        "control character",
    ),
    Row(
        "metadata value with a line break (copy)",
        lambda e: e.hook.copy_object(
            e.container, "seed", e.container, "c", metadata={"note": "a\nb"}
        ),
        SwiftValidationError,
        "control character",
    ),
    Row(
        "header value with outer spaces",
        lambda e: e.hook.upload_bytes(
            e.container, "o", b"x", headers={"Content-Disposition": "inline "}
        ),
        SwiftValidationError,
        "'Content-Disposition'",
    ),
    Row(
        "header value over Swift's 8192-byte header limit",
        lambda e: e.hook.upload_bytes(
            e.container, "o", b"x", headers={"Content-Disposition": "x" * 9000}
        ),
        SwiftValidationError,
        "at most 8192",
    ),
    Row(
        "segment_threads below 1 for a large upload",
        lambda e: e.hook.upload_file(
            e.container, "o", e.tmp / "file", segment_size=64 * KIB, segment_threads=0
        ),
        SwiftValidationError,
        "segment_threads=0 must be at least 1",
    ),
]


@pytest.fixture(scope="module")
def strict_swift() -> Iterator[LocalSwift]:
    """A cluster with a 1 MiB max_file_size."""
    with LocalSwift(constraints={"max_file_size": 1024 * KIB}) as swift:
        yield swift


@pytest.fixture
def env(strict_swift: LocalSwift, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.setenv("AIRFLOW_CONN_SWIFT_STRICT", connection_json(strict_swift))
    hook = SwiftHook("swift_strict")
    container = "bad-input"
    hook.create_container(container)
    hook.upload_bytes(container, "seed", b"seed")
    hook.upload_bytes(container, "esc/ok", b"ok")
    hook.upload_bytes(container, "esc/../../../x", b"evil")
    (tmp_path / "file").write_bytes(b"f" * 200 * KIB)
    return Env(hook, hook.client, strict_swift, container, tmp_path)


@pytest.mark.parametrize("row", ROWS, ids=[r.what for r in ROWS])
def test_bad_input_gets_a_typed_actionable_error_before_any_change(env: Env, row: Row) -> None:
    before = {m: env.client.transport.sent.get(m, 0) for m in ("PUT", "POST", "DELETE", "COPY")}
    listing = sorted(e["name"] for e in env.client.iter_objects(env.container))
    with pytest.raises(row.error, match=row.message):
        row.call(env)
    after = {m: env.client.transport.sent.get(m, 0) for m in before}
    assert after == before, "a request that changes data was sent"
    assert sorted(e["name"] for e in env.client.iter_objects(env.container)) == listing
    assert not (env.tmp / "dl").exists() or not any((env.tmp / "dl").rglob("*"))


def test_the_docs_table_lists_every_row() -> None:
    table = (Path(__file__).parents[1] / "docs" / "bad-input.md").read_text()
    missing = [row.what for row in ROWS if f"| {row.what} |" not in table]
    assert not missing, missing
    assert len(ROWS) >= 20


def test_non_ascii_metadata_values_are_fine(env: Env) -> None:
    env.hook.upload_bytes(env.container, "m", b"x", metadata={"city": "Zürich"})
    assert (env.hook.head_object(env.container, "m") or {})["x-object-meta-city"] == "Zürich"
    json.dumps(env.hook.head_object(env.container, "m"))  # XCom-friendly
