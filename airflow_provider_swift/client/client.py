"""SwiftClient: one object per Swift account, composed of one service per concern.

Each service owns one part of the Swift API and receives the services it builds on
(nothing reaches into another's private methods):

==================  ==========================  ======================================
service             module                      what it owns
==================  ==========================  ======================================
``info``            ``rest/info.py``            ``/info``: capabilities and limits
``account``         ``rest/account.py``         the account: HEAD, POST, container listing
``containers``      ``rest/containers.py``      containers: PUT, HEAD, POST, DELETE, listing
``objects``         ``rest/objects.py``         objects: PUT, HEAD, POST, DELETE
``server``          ``rest/server.py``          what this server can do, probed once
``bulk``            ``rest/bulk.py``            many deletes (bulk middleware, else DELETEs)
``reads``           ``large/reads.py``          verified GETs and downloads, segment discovery
``large_objects``   ``large/large_objects.py``  segment cleanup, deletes with segments
``segmented``       ``large/segmented.py``      the one transaction that writes segments
``uploads``         ``transfers/uploads.py``    uploads of any size (segmented, resumable)
``copies``          ``transfers/copies.py``     server-side copy, move and expiry
``sync``            ``transfers/sync.py``       directory <-> prefix syncs from one listing
==================  ==========================  ======================================

The client's own methods (listed in :data:`FACADE`) delegate to those services'
methods, with the same signatures (``tests/client/test_facade.py`` checks it), so
``client.put_object(...)`` and ``client.objects.put_object(...)`` are the same call;
each method's docstring names the service method that documents it in full.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, Unpack

from airflow_provider_swift.client.base.options import (
    CopyOptions,
    IfExists,
    SyncOptions,
    SyncUpOptions,
    UploadOptions,
    Verify,
)
from airflow_provider_swift.client.large.large_objects import LargeObjects
from airflow_provider_swift.client.large.reads import DownloadResult, Reads
from airflow_provider_swift.client.large.segmented import SegmentedWrite
from airflow_provider_swift.client.large.segments import Segment
from airflow_provider_swift.client.rest.account import Account
from airflow_provider_swift.client.rest.bulk import Bulk, BulkDeleteResult
from airflow_provider_swift.client.rest.containers import Containers
from airflow_provider_swift.client.rest.info import Info, Limits
from airflow_provider_swift.client.rest.objects import Objects, PutResult
from airflow_provider_swift.client.rest.server import ServerCapabilities, ServerFacts
from airflow_provider_swift.client.transfers.copies import Copies, CopyResult
from airflow_provider_swift.client.transfers.sync import Sync, SyncResult
from airflow_provider_swift.client.transfers.uploads import UploadResult, Uploads
from airflow_provider_swift.client.wire.auth import AuthOptions
from airflow_provider_swift.client.wire.calls import ListingQuery
from airflow_provider_swift.client.wire.metadata import MetadataLimits
from airflow_provider_swift.client.wire.transport import Transport, TransportOptions

#: The client's methods and the service methods they delegate to (same signatures).
FACADE: dict[str, str] = {
    "capabilities": "info.capabilities",
    "metadata_limits": "info.metadata_limits",
    "large_object_limits": "info.large_object_limits",
    "server_capabilities": "server.learned",
    "tempurl_digests": "server.tempurl_digests",
    "head_account": "account.head_account",
    "post_account": "account.post_account",
    "iter_containers": "account.iter_containers",
    "put_container": "containers.put_container",
    "head_container": "containers.head_container",
    "post_container": "containers.post_container",
    "delete_container": "containers.delete_container",
    "iter_objects": "containers.iter_objects",
    "is_versioned": "containers.is_versioned",
    "put_object": "objects.put_object",
    "head_object": "objects.head_object",
    "head_or_none": "objects.head_or_none",
    "newest_headers": "objects.newest_headers",
    "post_object": "objects.post_object",
    "update_object_metadata": "objects.update_object_metadata",
    "delete_object": "objects.delete_object",
    "delete_many": "bulk.delete_many",
    "get_object": "reads.get_object",
    "get_range": "reads.get_range",
    "download_object": "reads.download_object",
    "segments_of": "reads.segments_of",
    "slo_segments": "reads.slo_segments",
    "matches_file": "reads.matches_file",
    "matches_bytes": "reads.matches_bytes",
    "delete_object_with_segments": "large_objects.delete_object_with_segments",
    "delete_objects_with_segments": "large_objects.delete_objects_with_segments",
    "upload_file": "uploads.upload_file",
    "upload_bytes": "uploads.upload_bytes",
    "upload_stream": "uploads.upload_stream",
    "upload_planned": "uploads.upload_planned",
    "upload_files": "sync.upload_files",
    "sync_up": "sync.sync_up",
    "sync_down": "sync.sync_down",
    "copy_object": "copies.copy_object",
    "move_object": "copies.move_object",
    "set_expiry": "copies.set_expiry",
}


class SwiftClient:
    """An Airflow-free Swift client, safe to share between threads.

    >>> client = SwiftClient.connect(
    ...     AuthOptions(auth_url="http://127.0.0.1:8080/auth/v1.0",
    ...                 username="test:tester", password="testing"))
    >>> client.put_container("reports")   # doctest: +SKIP
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.info = Info(transport)
        self.account = Account(transport)
        self.containers = Containers(transport)
        self.objects = Objects(transport, self.info)
        self.server = ServerFacts(transport, self.info, self.containers, self.objects)
        self.bulk = Bulk(transport, self.info, self.objects)
        self.reads = Reads(transport, self.containers, self.objects)
        self.large_objects = LargeObjects(
            transport, self.server, self.containers, self.objects, self.bulk, self.reads
        )
        self.segmented = SegmentedWrite(
            transport,
            self.info,
            self.server,
            self.containers,
            self.objects,
            self.reads,
            self.large_objects,
        )
        self.uploads = Uploads(
            transport,
            self.info,
            self.server,
            self.containers,
            self.objects,
            self.reads,
            self.large_objects,
            self.segmented,
        )
        self.copies = Copies(
            transport, self.info, self.objects, self.reads, self.large_objects, self.segmented
        )
        self.sync = Sync(
            self.info, self.containers, self.objects, self.reads, self.large_objects, self.uploads
        )

    @classmethod
    def connect(
        cls,
        auth: AuthOptions,
        options: TransportOptions | None = None,
        *,
        on_secret: Callable[[str], None] | None = None,
    ) -> SwiftClient:
        """Build a client from auth and transport settings.

        :param on_secret: called with every secret the client learns (tokens), e.g.
            Airflow's ``mask_secret``.
        """
        if on_secret:
            for secret in auth.secrets():
                on_secret(secret)
        return cls(Transport(auth, options, on_secret=on_secret))

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    # -- the services' methods (see FACADE) ---------------------------------------------

    def capabilities(self, *, refresh: bool = False) -> dict[str, Any]:
        """The cluster's ``/info`` (cached; ``{}`` when it is not exposed).

        See :meth:`.Info.capabilities`.
        """
        return self.info.capabilities(refresh=refresh)

    def metadata_limits(self) -> MetadataLimits:
        """Metadata limits from ``/info`` (Swift's defaults where it says nothing).

        See :meth:`.Info.metadata_limits`.
        """
        return self.info.metadata_limits()

    def large_object_limits(self) -> Limits:
        """Segment and manifest limits from ``/info`` (Swift's defaults where it is silent).

        See :meth:`.Info.large_object_limits`.
        """
        return self.info.large_object_limits()

    def server_capabilities(self, container: str) -> ServerCapabilities:
        """What this server can do, probed in ``container`` once per client.

        See :meth:`.ServerFacts.learned`.
        """
        return self.server.learned(container)

    def tempurl_digests(self) -> frozenset[str]:
        """The digests TempURL signatures may use (from ``/info``; sha1 if silent).

        See :meth:`.ServerFacts.tempurl_digests`.
        """
        return self.server.tempurl_digests()

    def head_account(self) -> dict[str, str]:
        """Account headers.

        See :meth:`.Account.head_account`.
        """
        return self.account.head_account()

    def post_account(
        self,
        *,
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
    ) -> None:
        """Set account metadata (merged by Swift) and other account headers.

        See :meth:`.Account.post_account`.
        """
        self.account.post_account(metadata=metadata, headers=headers)

    def iter_containers(self, **query: Unpack[ListingQuery]) -> Iterator[dict[str, Any]]:
        """Yield the account's containers (``name``, ``count``, ``bytes``, ``last_modified``).

        See :meth:`.Account.iter_containers`.
        """
        return self.account.iter_containers(**query)

    def put_container(
        self,
        container: str,
        *,
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
    ) -> bool:
        """Create a container (or update the headers of an existing one).

        See :meth:`.Containers.put_container`.
        """
        return self.containers.put_container(container, metadata=metadata, headers=headers)

    def head_container(self, container: str) -> dict[str, str]:
        """Container headers; raises :class:`SwiftNotFoundError` if it does not exist.

        See :meth:`.Containers.head_container`.
        """
        return self.containers.head_container(container)

    def post_container(
        self,
        container: str,
        *,
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
    ) -> None:
        """Set container metadata and headers (Swift merges them with what is there).

        See :meth:`.Containers.post_container`.
        """
        self.containers.post_container(container, metadata=metadata, headers=headers)

    def delete_container(self, container: str) -> None:
        """Delete an empty container (409 :class:`SwiftConflictError` if it is not empty).

        See :meth:`.Containers.delete_container`.
        """
        self.containers.delete_container(container)

    def iter_objects(
        self, container: str, **query: Unpack[ListingQuery]
    ) -> Iterator[dict[str, Any]]:
        """Yield the container's objects (and ``subdir`` entries with a delimiter).

        See :meth:`.Containers.iter_objects`.
        """
        return self.containers.iter_objects(container, **query)

    def is_versioned(self, container: str) -> bool:
        """Whether older versions of the container's objects are kept (either API).

        See :meth:`.Containers.is_versioned`.
        """
        return self.containers.is_versioned(container)

    def put_object(  # noqa: PLR0913 -- the signature of Objects.put_object
        self,
        container: str,
        name: str,
        data: bytes | str | IO[bytes] | Iterable[bytes],
        *,
        content_length: int | None = None,
        etag: str | None = None,
        content_type: str | None = None,
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        if_none_match: str | None = None,
        query: Mapping[str, str | int | None] | None = None,
    ) -> PutResult:
        """Upload an object from bytes, a binary file or an iterable of bytes.

        See :meth:`.Objects.put_object`.
        """
        return self.objects.put_object(
            container,
            name,
            data,
            content_length=content_length,
            etag=etag,
            content_type=content_type,
            metadata=metadata,
            headers=headers,
            if_none_match=if_none_match,
            query=query,
        )

    def head_object(
        self, container: str, name: str, *, headers: Mapping[str, object] | None = None
    ) -> dict[str, str]:
        """Object headers; raises :class:`SwiftNotFoundError` if it does not exist.

        See :meth:`.Objects.head_object`.
        """
        return self.objects.head_object(container, name, headers=headers)

    def head_or_none(self, container: str, name: str) -> dict[str, str] | None:
        """Object headers, or None if it does not exist.

        See :meth:`.Objects.head_or_none`.
        """
        return self.objects.head_or_none(container, name)

    def newest_headers(self, container: str, name: str) -> dict[str, str] | None:
        """HEAD with ``X-Newest`` (every replica asked, the newest answer wins).

        See :meth:`.Objects.newest_headers`.
        """
        return self.objects.newest_headers(container, name)

    def post_object(self, container: str, name: str, headers: Mapping[str, object]) -> None:
        """Raw object POST.

        See :meth:`.Objects.post_object`.
        """
        self.objects.post_object(container, name, headers)

    def update_object_metadata(
        self,
        container: str,
        name: str,
        metadata: Mapping[str, object] | None = None,
        *,
        remove: Collection[str] = (),
        headers: Mapping[str, object] | None = None,
        remove_headers: Collection[str] = (),
    ) -> dict[str, str]:
        """Change some metadata of an object and keep everything else.

        See :meth:`.Objects.update_object_metadata`.
        """
        return self.objects.update_object_metadata(
            container, name, metadata, remove=remove, headers=headers, remove_headers=remove_headers
        )

    def delete_object(
        self,
        container: str,
        name: str,
        *,
        query: Mapping[str, str | int | None] | None = None,
        headers: Mapping[str, object] | None = None,
    ) -> dict[str, str]:
        """Delete one object: a plain DELETE (a large object's segments stay).

        See :meth:`.Objects.delete_object`.
        """
        return self.objects.delete_object(container, name, query=query, headers=headers)

    def delete_many(
        self, objects: Iterable[tuple[str, str]], *, object_threads: int = 8
    ) -> BulkDeleteResult:
        """Delete ``(container, name)`` pairs, plain DELETEs (segments stay).

        See :meth:`.Bulk.delete_many`.
        """
        return self.bulk.delete_many(objects, object_threads=object_threads)

    def get_object(
        self,
        container: str,
        name: str,
        *,
        headers: Mapping[str, object] | None = None,
        query: Mapping[str, str | int | None] | None = None,
        verify: Verify = "when_possible",
    ) -> tuple[dict[str, str], bytes]:
        """Read a whole object into memory, verified (see the module docstring).

        See :meth:`.Reads.get_object`.
        """
        return self.reads.get_object(container, name, headers=headers, query=query, verify=verify)

    def get_range(self, container: str, name: str, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` (exclusive) of an object, unverified.

        See :meth:`.Reads.get_range`.
        """
        return self.reads.get_range(container, name, start, end)

    def download_object(
        self,
        container: str,
        name: str,
        destination: str | os.PathLike[str],
        *,
        if_exists: IfExists = "replace",
        if_none_match: str | None = None,
        headers: Mapping[str, object] | None = None,
        segment_threads: int = 4,
        verify: Verify = "when_possible",
    ) -> DownloadResult:
        """Stream an object to ``destination`` through a verified temporary file.

        See :meth:`.Reads.download_object`.
        """
        return self.reads.download_object(
            container,
            name,
            destination,
            if_exists=if_exists,
            if_none_match=if_none_match,
            headers=headers,
            segment_threads=segment_threads,
            verify=verify,
        )

    def segments_of(
        self, container: str, name: str, headers: Mapping[str, str] | None = None
    ) -> list[Segment] | None:
        """A large object's data segments in order, or None for a plain object.

        See :meth:`.Reads.segments_of`.
        """
        return self.reads.segments_of(container, name, headers)

    def slo_segments(
        self, container: str, name: str, *, etag: str | None = None, depth: int = 0
    ) -> list[Segment]:
        """The data segments of an SLO, nested manifests expanded, in order.

        See :meth:`.Reads.slo_segments`.
        """
        return self.reads.slo_segments(container, name, etag=etag, depth=depth)

    def matches_file(
        self,
        container: str,
        name: str,
        path: str | os.PathLike[str],
        headers: Mapping[str, str] | None = None,
    ) -> bool:
        """Whether the stored object holds exactly the bytes of a local file.

        See :meth:`.Reads.matches_file`.
        """
        return self.reads.matches_file(container, name, path, headers)

    def matches_bytes(
        self, container: str, name: str, data: bytes, headers: Mapping[str, str] | None = None
    ) -> bool:
        """Whether the stored object holds exactly ``data`` (as :meth:`matches_file`).

        See :meth:`.Reads.matches_bytes`.
        """
        return self.reads.matches_bytes(container, name, data, headers)

    def delete_object_with_segments(
        self, container: str, name: str, *, missing_ok: bool = False
    ) -> bool:
        """Delete an object and, for a large object, its segments.

        See :meth:`.LargeObjects.delete_object_with_segments`.
        """
        return self.large_objects.delete_object_with_segments(
            container, name, missing_ok=missing_ok
        )

    def delete_objects_with_segments(
        self, container: str, names: Iterable[str]
    ) -> BulkDeleteResult:
        """Delete many objects and their segments (bulk delete).

        See :meth:`.LargeObjects.delete_objects_with_segments`.
        """
        return self.large_objects.delete_objects_with_segments(container, names)

    def upload_file(
        self,
        container: str,
        name: str,
        path: str | os.PathLike[str],
        **options: Unpack[UploadOptions],
    ) -> UploadResult:
        """Upload a local file.

        See :meth:`.Uploads.upload_file`.
        """
        return self.uploads.upload_file(container, name, path, **options)

    def upload_bytes(
        self, container: str, name: str, data: bytes, **options: Unpack[UploadOptions]
    ) -> UploadResult:
        """Upload bytes held in memory.

        See :meth:`.Uploads.upload_bytes`.
        """
        return self.uploads.upload_bytes(container, name, data, **options)

    def upload_stream(
        self,
        container: str,
        name: str,
        stream: IO[bytes] | Iterable[bytes],
        **options: Unpack[UploadOptions],
    ) -> UploadResult:
        """Upload a stream of unknown length: one PUT, or a large object.

        See :meth:`.Uploads.upload_stream`.
        """
        return self.uploads.upload_stream(container, name, stream, **options)

    def upload_planned(
        self,
        container: str,
        name: str,
        path: str | os.PathLike[str],
        current: Mapping[str, str] | None,
        **options: Unpack[UploadOptions],
    ) -> UploadResult:
        """:meth:`upload_file` when a listing already told the object's state.

        See :meth:`.Uploads.upload_planned`.
        """
        return self.uploads.upload_planned(container, name, path, current, **options)

    def upload_files(
        self,
        container: str,
        files: Sequence[tuple[str | os.PathLike[str], str]],
        *,
        object_threads: int = 10,
        **options: Unpack[UploadOptions],
    ) -> list[UploadResult]:
        """Upload many local files to the names given, planned from one listing.

        See :meth:`.Sync.upload_files`.
        """
        return self.sync.upload_files(container, files, object_threads=object_threads, **options)

    def sync_up(
        self,
        directory: str | os.PathLike[str],
        container: str,
        prefix: str = "",
        **options: Unpack[SyncUpOptions],
    ) -> SyncResult:
        """Make ``container/prefix`` hold what ``directory`` holds.

        See :meth:`.Sync.sync_up`.
        """
        return self.sync.sync_up(directory, container, prefix, **options)

    def sync_down(
        self,
        container: str,
        prefix: str,
        directory: str | os.PathLike[str],
        **options: Unpack[SyncOptions],
    ) -> SyncResult:
        """Make ``directory`` hold what ``container/prefix`` holds (verified downloads).

        See :meth:`.Sync.sync_down`.
        """
        return self.sync.sync_down(container, prefix, directory, **options)

    def copy_object(
        self,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        *,
        if_match: str | None = None,
        **options: Unpack[CopyOptions],
    ) -> CopyResult:
        """Copy an object server-side; large objects get segments of their own.

        See :meth:`.Copies.copy_object`.
        """
        return self.copies.copy_object(
            source_container, source_name, dest_container, dest_name, if_match=if_match, **options
        )

    def move_object(
        self,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        **options: Unpack[CopyOptions],
    ) -> CopyResult:
        """Move (rename) an object: verified copy, then delete the source.

        See :meth:`.Copies.move_object`.
        """
        return self.copies.move_object(
            source_container, source_name, dest_container, dest_name, **options
        )

    def set_expiry(
        self, container: str, name: str, delete_at: int | None, *, segment_threads: int = 4
    ) -> dict[str, str]:
        """Set (``delete_at``) or cancel (None) an object's expiry, segments too.

        See :meth:`.Copies.set_expiry`.
        """
        return self.copies.set_expiry(container, name, delete_at, segment_threads=segment_threads)
