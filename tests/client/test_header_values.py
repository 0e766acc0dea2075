"""Header values are encoded once: non-ASCII metadata round-trips through every write
path, and what HTTP cannot carry is refused before anything is sent."""

from __future__ import annotations

import http.client
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from airflow_provider_swift.client import SwiftClient, SwiftValidationError
from airflow_provider_swift.client.wire.names import object_path

VALUE = "héllo ✓ 50%25off"
KIB = 1024


def raw_meta(client: SwiftClient, container: str, name: str, key: str) -> bytes:
    """The stored header value's bytes, read with http.client (no decoding of ours)."""
    url = urlsplit(client.transport.storage_url())
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)
    conn.request(
        "HEAD",
        url.path + object_path(container, name)[0],
        headers={"X-Auth-Token": client.transport.token()},
    )
    response = conn.getresponse()
    conn.close()
    value = response.getheader(f"X-Object-Meta-{key}") or ""
    return value.encode("latin-1")


def test_update_metadata_stores_utf8_once(swift_client: SwiftClient, swift_container: str) -> None:
    swift_client.put_object(swift_container, "o", b"x")
    swift_client.update_object_metadata(swift_container, "o", {"k": VALUE})
    assert raw_meta(swift_client, swift_container, "o", "k") == VALUE.encode("utf-8")
    assert swift_client.head_object(swift_container, "o")["x-object-meta-k"] == VALUE


@pytest.mark.parametrize("size", [10, 300 * KIB], ids=["small", "segmented"])
def test_upload_copy_move_and_expiry_keep_non_ascii_metadata(
    swift_client: SwiftClient, swift_container: str, tmp_path: Path, size: int
) -> None:
    c = swift_container
    source = tmp_path / "f"
    source.write_bytes(b"z" * size)
    swift_client.upload_file(c, "up", source, segment_size=128 * KIB, metadata={"k": VALUE})
    swift_client.copy_object(c, "up", c, "copy", metadata={"other": "ünï"})
    swift_client.move_object(c, "copy", c, "moved")
    swift_client.set_expiry(c, "moved", int(time.time()) + 3600)
    for name in ("up", "moved"):
        assert swift_client.head_object(c, name)["x-object-meta-k"] == VALUE
        assert raw_meta(swift_client, c, name, "k") == VALUE.encode("utf-8")
    assert swift_client.head_object(c, "moved")["x-object-meta-other"] == "ünï"
    for name in ("up", "moved"):
        swift_client.delete_object_with_segments(c, name)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (" lead", "leading or trailing"),
        ("trail ", "leading or trailing"),
        ("a\x00b", "control character"),
        ("a\rb", "control character"),
    ],
)
def test_values_http_cannot_carry_are_refused_naming_the_key(
    swift_client: SwiftClient, swift_container: str, value: str, message: str
) -> None:
    writes = ("PUT", "POST", "DELETE", "COPY")
    sent = {m: swift_client.transport.sent.get(m, 0) for m in writes}
    with pytest.raises(SwiftValidationError, match=f"'metadata note'.*{message}"):
        swift_client.put_object(swift_container, "o", b"x", metadata={"note": value})
    with pytest.raises(SwiftValidationError, match=message):
        swift_client.post_container(swift_container, headers={"X-Container-Meta-N": value})
    assert {m: swift_client.transport.sent.get(m, 0) for m in writes} == sent, "a write was sent"
