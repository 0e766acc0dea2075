"""Swift to Swift: objects and prefixes copied between two accounts or two clusters.

A transfer has a source client and a destination client (each with its own auth).
For each object it picks the cheapest way that keeps the bytes checked end to end:

* **server-side** when both storage URLs are on the same cluster (same scheme, host,
  port and API path): a ``PUT`` with ``X-Copy-From`` (and ``X-Copy-From-Account``
  for another account), no data through this process. A plain object is copied so
  between accounts; a large object only within one account (its segments are
  copied server-side too). When the destination user may not read the source
  account (403), the object is streamed instead.
* **streamed** otherwise: a GET of the source relayed into a PUT on the destination
  (:class:`~airflow_provider_swift.client.large.relay.Relay`) -- no local file at all:

  - a plain object that fits in one destination object: one PUT carrying the
    source's ETag, so the destination's Swift refuses any byte that differs (422);
  - a large object: segment by segment, ``segment_threads`` at once, each segment a GET of
    the source's segment relayed into a PUT carrying that segment's MD5; the
    manifest last, and its ETag (the MD5 of the segment MD5s) must equal the
    source's. Segments are named after the source's ETag, so a retried transfer
    (a task retry) finds those already stored, checks their MD5 in the listing and
    sends only the others;
  - a plain object bigger than the destination takes (its ``max_file_size``, or the
    ``segment_size`` asked for), or a large object whose segments the destination
    cannot take as they are: one GET, checked against the source's ETag (every
    segment's MD5 for a large source) as it streams, cut into segments by the
    client's stream upload, which spools one segment at a time to send it.

* **skipped** when the destination already holds the same object (``if_exists=
  "skip_identical"``, the default): for a prefix, decided from one listing of each
  side (size and MD5 -- an SLO's ``slo_etag``), a HEAD of both only for zero-byte
  entries (which may be DLOs); for one object, a HEAD of both.

The source's content type, user metadata and ``Content-Disposition``/``-Encoding``
go with the object; its expiry does not.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import IO, TYPE_CHECKING, Any, Literal, Unpack, cast
from urllib.parse import unquote, urlsplit

from airflow_provider_swift.client.base.errors import (
    SwiftForbiddenError,
    SwiftNotFoundError,
    SwiftValidationError,
)
from airflow_provider_swift.client.base.options import (
    TRANSFER_DEFAULTS,
    TransferIfExists,
    TransferOptions,
    transfer_options,
)
from airflow_provider_swift.client.base.parallel import run_each
from airflow_provider_swift.client.large.pieces import RelayedSegment
from airflow_provider_swift.client.large.reads import large_object_kind
from airflow_provider_swift.client.large.relay import Relay
from airflow_provider_swift.client.large.segmented import Target, WritePolicy
from airflow_provider_swift.client.large.segments import (
    Segment,
    choose_segment_size,
)
from airflow_provider_swift.client.rest.info import Limits
from airflow_provider_swift.client.rest.objects import strip_etag
from airflow_provider_swift.client.transfers.copies import COPIED_HEADERS

if TYPE_CHECKING:  # a transfer is handed two clients; it builds on their layers only
    from airflow_provider_swift.client.client import SwiftClient

log = logging.getLogger(__name__)

#: How an object reached the destination.
Method = Literal["server-side", "streamed", "skipped"]


@dataclass(frozen=True)
class TransferResult:
    """What happened to one object. ``etag`` is the destination's (unquoted)."""

    source: str
    destination: str
    etag: str
    bytes: int
    method: Method
    large_object: str | None = None
    segments: int = 0
    segments_sent: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PrefixTransferResult:
    """Every object of a prefix transfer, and the counts."""

    objects: list[TransferResult] = field(default_factory=list)

    def summary(self, examples: int = 5) -> dict[str, Any]:
        """Counts and bytes per method, and a few destination names of each."""
        counts: dict[str, int] = {}
        sizes: dict[str, int] = {}
        names: dict[str, list[str]] = {}
        for result in self.objects:
            counts[result.method] = counts.get(result.method, 0) + 1
            sizes[result.method] = sizes.get(result.method, 0) + result.bytes
            shown = names.setdefault(result.method, [])
            if len(shown) < examples:
                shown.append(result.destination)
        return {"objects": len(self.objects), "counts": counts, "bytes": sizes, "examples": names}


def cluster_and_account(storage_url: str) -> tuple[str, str]:
    """``(cluster, account)`` of a storage URL: the URL without its last path segment
    (scheme, host, port and API path, lower-cased where case does not matter), and
    that segment (``AUTH_test``)."""
    parts = urlsplit(storage_url.rstrip("/"))
    head, _, account = parts.path.rpartition("/")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{head}", unquote(account)


def transfer_headers(source: Mapping[str, str]) -> dict[str, str]:
    """The headers an object takes along: content type, user metadata, and the
    headers a copy carries (``Content-Disposition``, ``Content-Encoding``...)."""
    headers = {k: source[k] for k in COPIED_HEADERS if k in source}
    headers.update({k: v for k, v in source.items() if k.startswith("x-object-meta-")})
    if "content-type" in source:
        headers["content-type"] = source["content-type"]
    return headers


def listed_identity(entry: Mapping[str, Any]) -> tuple[int, str] | None:
    """(size, MD5) of a listing entry -- an SLO's ``slo_etag`` -- or None when the
    listing cannot tell (zero bytes: maybe a DLO, whose data the listing does not show)."""
    size = int(entry.get("bytes", 0))
    if size == 0:
        return None
    return size, strip_etag(str(entry.get("slo_etag") or entry.get("hash") or ""))


def headed_identity(headers: Mapping[str, str] | None) -> tuple[int, str] | None:
    """(size, ETag) from HEAD headers (a large object's ETag is its composite)."""
    if headers is None:
        return None
    return int(headers.get("content-length", 0)), strip_etag(headers.get("etag")) or ""


def aligned_fit(segments: Sequence[Segment], limits: Limits, kind: str) -> bool:
    """Whether the destination can take a large object's segments as they are."""
    if not segments or any(s.size > limits.max_file_size for s in segments):
        return False
    if kind == "slo":
        if len(segments) > limits.max_manifest_segments:
            return False
        return all(s.size >= limits.min_segment_size for s in segments[:-1])
    return True


class Transfer:
    """Copies from the ``source`` client's account to the ``dest`` client's."""

    def __init__(self, source: SwiftClient, dest: SwiftClient) -> None:
        self.source = source
        self.dest = dest

    def source_account(self) -> str | None:
        """On the same cluster: the source's account if it is not the destination's
        (for ``X-Copy-From-Account``), else None. Not on the same cluster: raise."""
        source_cluster, source_account = cluster_and_account(self.source.transport.storage_url())
        dest_cluster, dest_account = cluster_and_account(self.dest.transport.storage_url())
        if source_cluster != dest_cluster:
            raise SwiftValidationError("the source and destination are on different clusters")
        return None if source_account == dest_account else source_account

    def same_cluster(self) -> bool:
        """Whether both storage URLs are on one cluster (so a copy can be server-side)."""
        source = cluster_and_account(self.source.transport.storage_url())[0]
        return source == cluster_and_account(self.dest.transport.storage_url())[0]

    # -- one object -----------------------------------------------------------------

    def copy_object(
        self,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        **options: Unpack[TransferOptions],
    ) -> TransferResult:
        """Copy one object to the destination (see the module docstring for how).

        :param options: see :class:`TransferOptions`.
        """
        opts = transfer_options(options)
        source = self.source.head_object(source_container, source_name)
        if opts["if_exists"] == "skip_identical":
            current = self.dest.head_or_none(dest_container, dest_name)
            if current is not None and headed_identity(current) == headed_identity(source):
                return self._skipped(
                    source_container, source_name, dest_container, dest_name, current
                )
        return self._copy(source_container, source_name, source, dest_container, dest_name, opts)

    def _skipped(
        self,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        current: Mapping[str, str],
    ) -> TransferResult:
        log.debug(
            "Skipping /%s/%s: the destination holds the same object", dest_container, dest_name
        )
        size, etag = headed_identity(current) or (0, "")
        return TransferResult(
            f"/{source_container}/{source_name}",
            f"/{dest_container}/{dest_name}",
            etag,
            size,
            "skipped",
            large_object_kind(current),
        )

    def _copy(
        self,
        source_container: str,
        source_name: str,
        source: Mapping[str, str],
        dest_container: str,
        dest_name: str,
        opts: TransferOptions,
    ) -> TransferResult:
        kind = large_object_kind(source)
        if opts["server_side"] and self.same_cluster():
            account = self.source_account()
            if kind is None or account is None:
                try:
                    copied = self.dest.copy_object(
                        source_container,
                        source_name,
                        dest_container,
                        dest_name,
                        if_match=strip_etag(source.get("etag")),
                        source_account=account,
                        segment_threads=opts["segment_threads"],
                    )
                except SwiftForbiddenError:
                    log.info(
                        "The destination may not read /%s/%s server-side (403); streaming it",
                        source_container,
                        source_name,
                    )
                else:
                    return TransferResult(
                        copied.source,
                        copied.destination,
                        copied.etag,
                        copied.bytes,
                        "server-side",
                        copied.large_object,
                        copied.segments,
                    )
        return self._stream(source_container, source_name, source, dest_container, dest_name, opts)

    def _stream(
        self,
        source_container: str,
        source_name: str,
        source: Mapping[str, str],
        dest_container: str,
        dest_name: str,
        opts: TransferOptions,
    ) -> TransferResult:
        kind = large_object_kind(source)
        size = int(source.get("content-length", 0))
        etag = strip_etag(source.get("etag")) or ""
        limits = self.dest.large_object_limits()
        shown_source = f"/{source_container}/{source_name}"
        shown_dest = f"/{dest_container}/{dest_name}"
        segments = self.source.segments_of(source_container, source_name, source) if kind else None
        if segments is not None and aligned_fit(segments, limits, opts["large_object"]):
            return self._stream_segments(
                shown_source, source, segments, dest_container, dest_name, opts
            )
        chosen = choose_segment_size(
            size, limits, segment_size=opts["segment_size"], kind=opts["large_object"]
        )
        relay = Relay(
            self.source.transport,
            source_container,
            source_name,
            etag=etag,
            size=size,
            segments=segments,
        )
        with relay:
            if segments is None and chosen is None:
                current = self.dest.head_or_none(dest_container, dest_name)
                old = self.dest.large_objects.replaced_segments(dest_container, dest_name, current)
                put = self.dest.put_object(
                    dest_container,
                    dest_name,
                    _as_file(relay),
                    content_length=size,
                    etag=etag,
                    headers=transfer_headers(source),
                )
                self.dest.large_objects.retire(dest_container, dest_name, old, [])
                return TransferResult(shown_source, shown_dest, put.etag, size, "streamed")
            uploaded = self.dest.upload_stream(
                dest_container,
                dest_name,
                _as_file(relay),
                segment_size=chosen or opts["segment_size"],
                large_object=opts["large_object"],
                segment_threads=opts["segment_threads"],
                headers=transfer_headers(source),
            )
        return TransferResult(
            shown_source,
            shown_dest,
            uploaded.etag,
            uploaded.bytes,
            "streamed",
            uploaded.large_object,
            uploaded.segments,
            uploaded.segments_uploaded,
        )

    def _stream_segments(
        self,
        shown_source: str,
        source: Mapping[str, str],
        segments: list[Segment],
        dest_container: str,
        dest_name: str,
        opts: TransferOptions,
    ) -> TransferResult:
        """A large object, segment for segment, then its manifest (see the module)."""
        etag = strip_etag(source.get("etag")) or ""
        kind = opts["large_object"]
        target = Target(
            dest_container,
            dest_name,
            kind,
            f"{dest_container}_segments",
            f"transfer-{etag}",
            transfer_headers(source),
            self.dest.head_or_none(dest_container, dest_name),
            expected_etag=etag,
        )
        transport = self.source.transport
        sources = [RelayedSegment(i, segment, transport) for i, segment in enumerate(segments)]
        policy = WritePolicy(opts["segment_threads"], True, opts["leave_segments"], "transfer")
        done = self.dest.segmented.write(target, sources, policy)
        return TransferResult(
            shown_source,
            f"/{dest_container}/{dest_name}",
            done.etag,
            done.bytes,
            "streamed",
            kind,
            len(done.segments),
            done.sent,
        )

    # -- a prefix -------------------------------------------------------------------

    def copy_prefix(
        self,
        source_container: str,
        prefix: str,
        dest_container: str,
        dest_prefix: str | None = None,
        **options: Unpack[TransferOptions],
    ) -> PrefixTransferResult:
        """Copy every object under ``prefix`` to ``dest_prefix`` (default: the same
        names), ``object_threads`` objects at once. Identical objects are skipped from one
        listing of each side. Every object is attempted; if any failed, the first
        error is raised once the others are done (a retry then copies only those).

        :param options: see :class:`TransferOptions`.
        """
        opts = transfer_options(options)
        target_prefix = prefix if dest_prefix is None else dest_prefix
        sources = [
            e for e in self.source.iter_objects(source_container, prefix=prefix) if "name" in e
        ]
        existing = self._dest_listing(dest_container, target_prefix)
        result = PrefixTransferResult()
        todo: list[tuple[dict[str, Any], str]] = []
        for entry in sources:
            target = target_prefix + entry["name"][len(prefix) :]
            found = existing.get(target)
            if opts["if_exists"] == "skip_identical" and found is not None:
                mine, theirs = listed_identity(entry), listed_identity(found)
                if mine is not None and mine == theirs:
                    result.objects.append(
                        TransferResult(
                            f"/{source_container}/{entry['name']}",
                            f"/{dest_container}/{target}",
                            theirs[1],
                            theirs[0],
                            "skipped",
                        )
                    )
                    continue
            todo.append((entry, target))

        def one(item: tuple[dict[str, Any], str]) -> TransferResult:
            entry, target = item
            skip = opts["if_exists"] == "skip_identical" and target in existing
            if skip and listed_identity(entry) is None:  # zero bytes: a HEAD of both decides
                return self.copy_object(
                    source_container, entry["name"], dest_container, target, **opts
                )
            source = self.source.head_object(source_container, entry["name"])
            return self._copy(source_container, entry["name"], source, dest_container, target, opts)

        copied, failed = run_each(one, todo, opts["object_threads"], name="swift-transfer")
        result.objects += [done for _, done in copied]
        if failed:
            shown = "; ".join(f"{entry['name']}: {error}" for (entry, _), error in failed[:5])
            log.error("%d of %d objects failed to transfer: %s", len(failed), len(todo), shown)
            raise failed[0][1]
        return result

    def _dest_listing(self, container: str, prefix: str) -> dict[str, dict[str, Any]]:
        """The destination's objects under ``prefix`` by name (the container is created
        if missing)."""
        try:
            return {
                e["name"]: e
                for e in self.dest.iter_objects(container, prefix=prefix)
                if "name" in e
            }
        except SwiftNotFoundError:
            self.dest.put_container(container)
            return {}


def _as_file(relay: Relay) -> IO[bytes]:
    """A relay where the client takes a binary file: it has everything a PUT body
    needs of one (``read``, ``tell``, ``seek`` to the start, ``seekable``)."""
    return cast(IO[bytes], relay)


__all__ = [
    "TRANSFER_DEFAULTS",
    "PrefixTransferResult",
    "Transfer",
    "TransferIfExists",
    "TransferOptions",
    "TransferResult",
    "cluster_and_account",
    "listed_identity",
    "transfer_options",
]
