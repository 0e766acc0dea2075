"""Lost replies: the server commits a write, the client never sees the answer.

The fault proxy forwards the request to the real Swift, lets it commit, then closes
the connection without a reply (``drop_response``). The client retries, and the retry
meets the state the lost attempt created. For every mutating request the client
makes, the operation must then succeed, its result must equal what is stored, and
nothing may be lost, orphaned or left dangling (``check_invariants``).
docs/client.md has the table of what each retry may meet; docs/faults.md the column.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from airflow_provider_swift.client import (
    AuthOptions,
    RetryPolicy,
    SwiftClient,
    SwiftNotFoundError,
    SwiftPreconditionFailedError,
    TransportOptions,
)
from airflow_provider_swift.client.large.reads import large_object_kind
from airflow_provider_swift.testing.pytest_plugin import SwiftAPIServer, empty_container
from tests.faultproxy import Fault, FaultProxy, auth_url_behind
from tests.test_fault_matrix import check_invariants

KIB = 1024
SEGMENT = 128 * KIB
DATA = os.urandom(3 * SEGMENT + 1000)
SMALL = os.urandom(64 * KIB)


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@pytest.fixture
def lossy(server: SwiftAPIServer, faulty: FaultProxy) -> Iterator[SwiftClient]:
    """A client behind the fault proxy, with quick retries."""
    client = SwiftClient.connect(
        AuthOptions(
            auth_url=auth_url_behind(faulty, server.auth_url),
            username=server.user.login,
            password=server.user.key,
        ),
        TransportOptions(retry=RetryPolicy(max_attempts=4, backoff_initial=0.01, backoff_max=0.05)),
    )
    yield client
    client.close()


@pytest.fixture
def box(swift_client: SwiftClient) -> Iterator[str]:
    container = f"lr-{uuid.uuid4().hex[:8]}"
    swift_client.put_container(container)
    yield container
    check_invariants(swift_client, container)
    for name in (f"{container}_segments", container, f"{container}-new"):
        empty_container(swift_client, name)


def big_file(tmp: Path) -> Path:
    path = tmp / "big"
    path.write_bytes(DATA)
    return path


def lose(proxy: FaultProxy, method: str, path: str) -> Fault:
    fault = Fault(method=method, path=path, drop_response=True, times=1)
    proxy.inject(fault)
    return fault


# -- the two cases that lost data before ----------------------------------------------


def test_create_only_slo_whose_manifest_reply_is_lost_succeeds_and_keeps_its_segments(
    lossy: SwiftClient, swift_client: SwiftClient, faulty: FaultProxy, box: str, tmp_path: Path
) -> None:
    lossy.server_capabilities(box)  # the one-off probe, before the fault
    fault = lose(faulty, "PUT", r"multipart-manifest=put")
    result = lossy.upload_file(
        box,
        "big",
        big_file(tmp_path),
        segment_size=SEGMENT,
        large_object="slo",
        if_exists="fail",
    )
    assert fault.times == 0
    assert faulty.count("PUT", r"multipart-manifest=put") == 2  # the lost one, the retry
    stored = swift_client.head_object(box, "big")
    assert large_object_kind(stored) == "slo"
    assert result.etag == stored["etag"].strip('"')
    assert swift_client.get_object(box, "big")[1] == DATA  # every segment still there


def test_create_only_small_object_whose_reply_is_lost_succeeds(
    lossy: SwiftClient, swift_client: SwiftClient, faulty: FaultProxy, box: str, tmp_path: Path
) -> None:
    source = tmp_path / "small"
    source.write_bytes(SMALL)
    lose(faulty, "PUT", r"/small$")
    result = lossy.upload_file(box, "small", source, if_exists="fail")
    assert faulty.count("PUT", r"/small$") == 2
    assert result.etag == md5(SMALL) == swift_client.head_object(box, "small")["etag"]


@pytest.mark.server_limitation("rgw", "F8-put-if-none-match")
def test_create_only_retry_that_meets_another_writers_object_says_already_exists(
    lossy: SwiftClient, swift_client: SwiftClient, faulty: FaultProxy, box: str
) -> None:
    """The lost attempt is not what is stored (another writer replaced it before the
    retry): a typed "already exists", and the other writer's object stays."""
    rival = b"the other writer's bytes"
    faulty.inject(
        Fault(
            method="PUT",
            path=r"/contested$",
            drop_response=True,
            times=1,
            then=lambda: swift_client.put_object(box, "contested", rival),
        )
    )
    with pytest.raises(SwiftPreconditionFailedError, match="already exists"):
        lossy.put_object(box, "contested", SMALL, if_none_match="*")
    assert swift_client.get_object(box, "contested")[1] == rival


# -- every mutating request ---------------------------------------------------------------


@dataclass
class Cell:
    """A mutating operation, the request whose reply is lost, and what must hold after."""

    method: str
    path: str
    run: Callable[[SwiftClient, SwiftClient, str, Path], None]


def small_put(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    result = lossy.put_object(c, "small", SMALL)
    assert result.etag == clean.head_object(c, "small")["etag"] == md5(SMALL)


def create_only_put(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    result = lossy.put_object(c, "small", SMALL, if_none_match="*")
    assert result.etag == clean.head_object(c, "small")["etag"] == md5(SMALL)


def segmented(kind: str, if_exists: str) -> Callable[[SwiftClient, SwiftClient, str, Path], None]:
    def run(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
        result = lossy.upload_file(
            c, "big", big_file(tmp), segment_size=SEGMENT, large_object=kind, if_exists=if_exists
        )
        stored = clean.head_object(c, "big")
        assert large_object_kind(stored) == kind
        assert result.etag == stored["etag"].strip('"')
        assert clean.get_object(c, "big")[1] == DATA

    return run


def copy_small(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    clean.put_object(c, "small", SMALL)
    result = lossy.copy_object(c, "small", c, "copy")
    assert result.etag == clean.head_object(c, "copy")["etag"] == md5(SMALL)


def copy_large(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    clean.upload_file(c, "big", big_file(tmp), segment_size=SEGMENT)
    result = lossy.copy_object(c, "big", c, "copy")
    assert result.etag == clean.head_object(c, "copy")["etag"].strip('"')
    assert clean.get_object(c, "copy")[1] == DATA


def move_small(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    clean.put_object(c, "small", SMALL)
    lossy.move_object(c, "small", c, "moved")
    assert clean.get_object(c, "moved")[1] == SMALL
    with pytest.raises(SwiftNotFoundError):
        clean.head_object(c, "small")


def update_metadata(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    clean.put_object(c, "small", SMALL, metadata={"keep": "yes"})
    result = lossy.update_object_metadata(c, "small", {"k": "héllo ✓"})
    stored = clean.head_object(c, "small")
    assert result == {"keep": "yes", "k": "héllo ✓"}
    assert (stored["x-object-meta-keep"], stored["x-object-meta-k"]) == ("yes", "héllo ✓")


def expire_large(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    clean.upload_file(c, "big", big_file(tmp), segment_size=SEGMENT)
    when = int(time.time()) + 3600
    headers = lossy.set_expiry(c, "big", when)
    assert headers["x-delete-at"] == clean.head_object(c, "big")["x-delete-at"] == str(when)
    for segment in clean.segments_of(c, "big") or []:
        assert clean.head_object(segment.container, segment.name)["x-delete-at"] == str(when)


def cancel_expiry(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    clean.put_object(c, "small", SMALL, headers={"X-Delete-At": str(int(time.time()) + 3600)})
    headers = lossy.set_expiry(c, "small", None)  # X-Remove-Delete-At
    assert "x-delete-at" not in headers
    assert "x-delete-at" not in clean.head_object(c, "small")


def delete_small(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    clean.put_object(c, "small", SMALL)
    assert lossy.delete_object_with_segments(c, "small") is True
    assert list(clean.iter_objects(c)) == []


def delete_slo(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    clean.upload_file(c, "big", big_file(tmp), segment_size=SEGMENT)
    assert lossy.delete_object_with_segments(c, "big") is True
    assert list(clean.iter_objects(c)) == []
    assert list(clean.iter_objects(f"{c}_segments")) == []


def bulk_delete(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    clean.upload_file(c, "big", big_file(tmp), segment_size=SEGMENT)
    clean.put_object(c, "small", SMALL)
    result = lossy.delete_objects_with_segments(c, ["big", "small"])
    result.raise_for_errors()
    assert list(clean.iter_objects(c)) == []
    assert list(clean.iter_objects(f"{c}_segments")) == []


def container_put(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    lossy.put_container(f"{c}-new", metadata={"k": "ünïcode"})
    assert clean.head_container(f"{c}-new")["x-container-meta-k"] == "ünïcode"


def container_post(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    lossy.post_container(c, metadata={"k": "ünïcode"})
    assert clean.head_container(c)["x-container-meta-k"] == "ünïcode"


def container_delete(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    clean.put_container(f"{c}-new")
    lossy.delete_container(f"{c}-new")
    with pytest.raises(SwiftNotFoundError):
        clean.head_container(f"{c}-new")


def sync_tree(lossy: SwiftClient, clean: SwiftClient, c: str, tmp: Path) -> None:
    """A sync's planned PUTs (no HEAD first), one replacing an SLO the listing showed."""
    tree = tmp / "tree"
    tree.mkdir()
    (tree / "small").write_bytes(SMALL)
    big_file(tree)
    old = tmp / "old"
    old.write_bytes(DATA[::-1])
    clean.upload_file(c, "big", old, segment_size=SEGMENT // 2)  # the old SLO
    result = lossy.sync_up(tree, c, segment_size=SEGMENT)
    assert result.summary.counts == {"put": 2}
    assert clean.get_object(c, "small")[1] == SMALL
    assert clean.get_object(c, "big")[1] == DATA
    assert lossy.sync_up(tree, c, segment_size=SEGMENT).summary.counts == {"skip": 2}


MANIFEST_PUT = r"multipart-manifest=put"
CELLS = {
    "object PUT": Cell("PUT", r"/small$", small_put),
    "create-only object PUT": Cell("PUT", r"/small$", create_only_put),
    "segment PUT": Cell("PUT", r"_segments/.*/00000001$", segmented("slo", "replace")),
    "SLO manifest PUT": Cell("PUT", r"multipart-manifest=put", segmented("slo", "replace")),
    "create-only SLO manifest PUT": Cell(
        "PUT", r"multipart-manifest=put", segmented("slo", "fail")
    ),
    "DLO manifest PUT": Cell("PUT", r"/big$", segmented("dlo", "replace")),
    "create-only DLO manifest PUT": Cell("PUT", r"/big$", segmented("dlo", "fail")),
    "copy (PUT X-Copy-From)": Cell("PUT", r"/copy$", copy_small),
    "segment copy": Cell("PUT", r"_segments/copy/.*/00000001$", copy_large),
    "copy's manifest PUT": Cell("PUT", r"/copy\?multipart-manifest=put", copy_large),
    "move: source DELETE": Cell("DELETE", r"/small$", move_small),
    "metadata POST": Cell("POST", r"/small$", update_metadata),
    "expiry POST (manifest)": Cell("POST", r"/big$", expire_large),
    "expiry POST (segment)": Cell("POST", r"_segments/.*/00000000$", expire_large),
    "expiry cancel POST": Cell("POST", r"/small$", cancel_expiry),
    "object DELETE": Cell("DELETE", r"/small$", delete_small),
    "SLO DELETE with segments": Cell("DELETE", r"multipart-manifest=delete", delete_slo),
    "bulk delete": Cell("POST", r"bulk-delete", bulk_delete),
    "sync: planned object PUT": Cell("PUT", r"/small$", sync_tree),
    "sync: planned SLO manifest PUT over an SLO": Cell("PUT", r"multipart-manifest=put", sync_tree),
    "container PUT": Cell("PUT", r"-new$", container_put),
    "container POST": Cell("POST", r"/lr-[0-9a-f]{8}$", container_post),
    "container DELETE": Cell("DELETE", r"-new$", container_delete),
}


@pytest.mark.parametrize("operation", list(CELLS))
def test_lost_reply(
    operation: str,
    lossy: SwiftClient,
    swift_client: SwiftClient,
    faulty: FaultProxy,
    box: str,
    tmp_path: Path,
) -> None:
    cell = CELLS[operation]
    lossy.server_capabilities(box)  # the one-off probe, before any fault (cells below)
    fault = lose(faulty, cell.method, cell.path)
    cell.run(lossy, swift_client, box, tmp_path)
    assert fault.times == 0, "the reply was never lost: the cell tested nothing"
    assert faulty.count(cell.method, cell.path) >= 2, "the lost request was not retried"


@pytest.mark.parametrize(
    "request_path",
    [r"/\.capabilities-[0-9a-f]+/slo\?multipart-manifest=put", r"/\.capabilities-[0-9a-f]+/plain$"],
    ids=["manifest PUT", "object PUT"],
)
def test_lost_reply_during_the_capability_probe(
    request_path: str, lossy: SwiftClient, swift_client: SwiftClient, faulty: FaultProxy, box: str
) -> None:
    """The probe's writes are retried like any other: what it learns is what a probe
    without faults learns, and it leaves nothing behind."""
    fault = lose(faulty, "PUT", request_path)
    learned = lossy.server_capabilities(box)
    assert fault.times == 0, "the reply was never lost: the cell tested nothing"
    assert learned == swift_client.server.probe(box)
    assert list(swift_client.iter_objects(box)) == []


# -- the async driver's one write ---------------------------------------------------------


def test_async_state_object_put_whose_reply_is_lost_stores_it_once(
    lossy: SwiftClient, swift_client: SwiftClient, faulty: FaultProxy, box: str
) -> None:
    """The trigger's watermark PUT (async driver, ``AfterRetry.REPEATABLE``): the retry
    stores the same bytes again, and the PUT succeeds with their MD5."""
    import asyncio

    from airflow_provider_swift.client.rest.async_client import AsyncSwiftClient

    body = b'{"objects": {"a": "b"}}'
    lose(faulty, "PUT", r"/state\.json$")
    lossy.transport.token()

    async def put() -> str:
        client = AsyncSwiftClient(lossy.transport)
        try:
            return await client.put_object(box, "state.json", body)
        finally:
            await client.aclose()

    assert asyncio.run(put()) == md5(body)
    assert faulty.count("PUT", r"/state\.json$") == 2
    headers, stored = swift_client.get_object(box, "state.json")
    assert stored == body and headers["content-type"] == "application/json"
