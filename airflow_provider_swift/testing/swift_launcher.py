"""Runs one Swift server (or builds rings) inside the Swift server's own virtualenv.

This file is executed by the *server's* Python, not imported by the provider: it may
import only Swift and the standard library. It exists for two reasons:

* Swift reads its constraints (``max_file_size``, listing limits...) from
  ``/etc/swift/swift.conf`` at import time, ignoring ``swift_dir``. A throwaway
  cluster must not touch ``/etc``, so the launcher points Swift at the test's own
  ``swift.conf`` and reloads constraints and storage policies before ``main()``.
* Tempauth and ratelimit need a memcache. Every server runs with ``workers = 0``
  (one process), so an in-process cache, installed as the proxy's ``cache`` filter,
  serves the same purpose without a memcached daemon.

Usage::

    python swift_launcher.py rings SWIFT_DIR ACCOUNT_PORT CONTAINER_PORT OBJECT_PORT
    python swift_launcher.py serve SWIFT_DIR (proxy|account|container|object) CONF
    python swift_launcher.py listing SWIFT_DIR DEVICES ACCOUNT CONTAINER NAMES_FILE
    python swift_launcher.py corrupt SWIFT_DIR DEVICES ACCOUNT CONTAINER OBJECT
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any


class InProcessMemcache:
    """The subset of Swift's ``MemcacheRing`` that its middleware uses, in a dict.

    Values are JSON round-tripped, as the real memcache client does, so callers
    see the same types (tuples come back as lists).
    """

    def __init__(self) -> None:
        self._data: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _alive(self, key: str) -> Any:
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if expires and expires < time.time():
            del self._data[key]
            return None
        return value

    @staticmethod
    def _expiry(ttl: float) -> float:
        if not ttl:
            return 0.0
        # memcache treats values above 30 days as absolute timestamps
        return ttl if ttl > 30 * 24 * 3600 else time.time() + ttl

    def get(self, key: str, raise_on_error: bool = False) -> Any:
        with self._lock:
            value = self._alive(key)
        return None if value is None else json.loads(value)

    def set(
        self,
        key: str,
        value: Any,
        serialize: bool = True,
        time: float = 0,
        min_compress_len: int = 0,
        raise_on_error: bool = False,
    ) -> None:
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        with self._lock:
            self._data[key] = (self._expiry(time), json.dumps(value))

    def incr(self, key: str, delta: int = 1, time: float = 0) -> int:
        with self._lock:
            current = self._alive(key)
            number = max(0, int(json.loads(current)) + delta) if current is not None else delta
            expiry = self._data[key][0] if current is not None else self._expiry(time)
            self._data[key] = (expiry, json.dumps(number))
            return number

    def decr(self, key: str, delta: int = 1, time: float = 0) -> int:
        return self.incr(key, -delta, time)

    def delete(self, key: str, server_key: str | None = None) -> None:
        with self._lock:
            self._data.pop(key, None)

    def set_multi(
        self,
        mapping: dict[str, Any],
        server_key: str,
        serialize: bool = True,
        time: float = 0,
        min_compress_len: int = 0,
    ) -> None:
        for key, value in mapping.items():
            self.set(key, value, time=time)

    def get_multi(self, keys: list[str], server_key: str) -> list[Any]:
        return [self.get(key) for key in keys]


_CACHE = InProcessMemcache()


def cache_filter_factory(global_conf: dict[str, str], **local_conf: str) -> Any:
    """Paste filter factory: put the in-process cache where Swift looks for memcache."""

    def make(app: Any) -> Any:
        def middleware(env: dict[str, Any], start_response: Any) -> Any:
            env["swift.cache"] = _CACHE
            return app(env, start_response)

        return middleware

    return make


def _use_swift_dir(swift_dir: str) -> None:
    from swift.common import constraints, storage_policy, utils

    utils.SWIFT_CONF_FILE = os.path.join(swift_dir, "swift.conf")
    utils.HASH_PATH_PREFIX = b""
    utils.HASH_PATH_SUFFIX = b""
    utils.validate_hash_conf()
    constraints.reload_constraints()
    storage_policy.reload_storage_policies()


def build_rings(swift_dir: str, ports: dict[str, int]) -> None:
    """One device, one replica, 2**0 partitions: the smallest valid ring per server type."""
    from swift.common.ring import RingBuilder

    for kind, port in ports.items():
        builder = RingBuilder(0, 1, 1)
        builder.add_dev(
            {
                "id": 0,
                "region": 1,
                "zone": 1,
                "ip": "127.0.0.1",
                "port": port,
                "device": "d1",
                "weight": 1.0,
            }
        )
        builder.rebalance()
        builder.get_ring().save(os.path.join(swift_dir, f"{kind}.ring.gz"))


def add_listing_rows(
    swift_dir: str, devices: str, account: str, container: str, names_file: str
) -> None:
    """Insert rows straight into a container's database (no object data behind them).

    Filling a listing through the API costs one PUT per name; tests of listing
    pagination need tens of thousands of names, which the container broker merges
    in well under a second.
    """
    from swift.common.ring import Ring
    from swift.common.utils import Timestamp, hash_path, storage_directory
    from swift.container.backend import ContainerBroker

    ring = Ring(swift_dir, ring_name="container")
    part, nodes = ring.get_nodes(account, container)
    digest = hash_path(account, container)
    db_dir = os.path.join(
        devices, nodes[0]["device"], storage_directory("containers", part, digest)
    )
    broker = ContainerBroker(
        os.path.join(db_dir, digest + ".db"), account=account, container=container
    )
    created_at = Timestamp.now().internal
    with open(names_file, encoding="utf-8") as handle:
        names = handle.read().splitlines()
    broker.merge_items(
        [
            {
                "name": name,
                "created_at": created_at,
                "size": 0,
                "content_type": "application/octet-stream",
                "etag": "d41d8cd98f00b204e9800998ecf8427e",
                "deleted": 0,
                "storage_policy_index": 0,
            }
            for name in names
        ]
    )


def corrupt_object(swift_dir: str, devices: str, account: str, container: str, obj: str) -> None:
    """Flip one byte of an object's stored data, leaving its size and metadata (ETag)
    alone: silent on-disk corruption, which Swift serves until its auditor runs."""
    import glob

    from swift.common.ring import Ring
    from swift.common.utils import hash_path, storage_directory

    ring = Ring(swift_dir, ring_name="object")
    part, nodes = ring.get_nodes(account, container, obj)
    digest = hash_path(account, container, obj)
    folder = os.path.join(devices, nodes[0]["device"], storage_directory("objects", part, digest))
    (data_file,) = glob.glob(os.path.join(folder, "*.data"))
    with open(data_file, "r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(size // 2)
        byte = handle.read(1)
        handle.seek(size // 2)
        handle.write(bytes([byte[0] ^ 0xFF]))


def serve(swift_dir: str, kind: str, conf: str) -> int:
    _use_swift_dir(swift_dir)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from swift.common.wsgi import run_wsgi

    return int(run_wsgi(conf, f"{kind}-server", verbose=True) or 0)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "rings":
        swift_dir = argv[1]
        _use_swift_dir(swift_dir)
        names = ("account", "container", "object")
        build_rings(swift_dir, dict(zip(names, (int(p) for p in argv[2:5]), strict=True)))
        return 0
    if len(argv) == 6 and argv[0] == "listing":
        _use_swift_dir(argv[1])
        add_listing_rows(*argv[1:6])
        return 0
    if len(argv) == 6 and argv[0] == "corrupt":
        _use_swift_dir(argv[1])
        corrupt_object(*argv[1:6])
        return 0
    if len(argv) == 4 and argv[0] == "serve":
        return serve(argv[1], argv[2], argv[3])
    sys.stderr.write(__doc__ or "")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
