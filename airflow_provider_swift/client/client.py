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
``uploads``         ``transfers/uploads.py``    uploads of any size (segmented, resumable)
``copies``          ``transfers/copies.py``     server-side copy, move and expiry
``sync``            ``transfers/sync.py``       directory <-> prefix syncs from one listing
==================  ==========================  ======================================

The client's own methods are those services' methods, so ``client.put_object(...)``
and ``client.objects.put_object(...)`` are the same call.
"""

from __future__ import annotations

from collections.abc import Callable

from airflow_provider_swift.client.large.large_objects import LargeObjects
from airflow_provider_swift.client.large.reads import Reads
from airflow_provider_swift.client.rest.account import Account
from airflow_provider_swift.client.rest.bulk import Bulk
from airflow_provider_swift.client.rest.containers import Containers
from airflow_provider_swift.client.rest.info import Info
from airflow_provider_swift.client.rest.objects import Objects
from airflow_provider_swift.client.rest.server import ServerFacts
from airflow_provider_swift.client.transfers.copies import Copies
from airflow_provider_swift.client.transfers.sync import Sync
from airflow_provider_swift.client.transfers.uploads import Uploads
from airflow_provider_swift.client.wire.auth import AuthOptions
from airflow_provider_swift.client.wire.transport import Transport, TransportOptions


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
        self.uploads = Uploads(
            transport, self.info, self.server, self.containers, self.objects, self.reads,
            self.large_objects,
        )  # fmt: skip
        self.copies = Copies(
            transport, self.info, self.objects, self.reads, self.large_objects, self.uploads
        )
        self.sync = Sync(
            self.info, self.containers, self.objects, self.reads, self.large_objects, self.uploads
        )
        # the flat API: each name is one service's method
        self.capabilities = self.info.capabilities
        self.metadata_limits = self.info.metadata_limits
        self.large_object_limits = self.info.large_object_limits
        self.server_capabilities = self.server.learned
        self.tempurl_digests = self.server.tempurl_digests
        self.head_account = self.account.head_account
        self.post_account = self.account.post_account
        self.iter_containers = self.account.iter_containers
        self.put_container = self.containers.put_container
        self.head_container = self.containers.head_container
        self.post_container = self.containers.post_container
        self.delete_container = self.containers.delete_container
        self.iter_objects = self.containers.iter_objects
        self.is_versioned = self.containers.is_versioned
        self.put_object = self.objects.put_object
        self.head_object = self.objects.head_object
        self.head_or_none = self.objects.head_or_none
        self.newest_headers = self.objects.newest_headers
        self.post_object = self.objects.post_object
        self.update_object_metadata = self.objects.update_object_metadata
        self.delete_object = self.objects.delete_object
        self.delete_many = self.bulk.delete_many
        self.get_object = self.reads.get_object
        self.get_range = self.reads.get_range
        self.download_object = self.reads.download_object
        self.segments_of = self.reads.segments_of
        self.slo_segments = self.reads.slo_segments
        self.matches_file = self.large_objects.matches_file
        self.delete_object_with_segments = self.large_objects.delete_object_with_segments
        self.delete_objects_with_segments = self.large_objects.delete_objects_with_segments
        self.upload_file = self.uploads.upload_file
        self.upload_stream = self.uploads.upload_stream
        self.upload_planned = self.uploads.upload_planned
        self.sync_up = self.sync.sync_up
        self.sync_down = self.sync.sync_down
        self.copy_object = self.copies.copy_object
        self.move_object = self.copies.move_object
        self.set_expiry = self.copies.set_expiry

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
