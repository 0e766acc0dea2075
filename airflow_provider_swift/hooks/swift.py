"""SwiftHook: an Airflow Connection of type ``swift`` turned into a Swift client."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Unpack

from airflow.providers.common.compat.sdk import BaseHook, mask_secret

from airflow_provider_swift.client import (
    SwiftClient,
    SwiftError,
    SwiftNotFoundError,
    SwiftValidationError,
)
from airflow_provider_swift.client.base.options import (
    CopyOptions,
    IfExists,
    SyncOptions,
    SyncUpOptions,
    UploadOptions,
    Verify,
    copy_options,
    upload_options,
)
from airflow_provider_swift.client.rest.containers import container_headers
from airflow_provider_swift.client.rest.server import choose_tempurl_digest
from airflow_provider_swift.client.rest.tempurl import temp_url
from airflow_provider_swift.client.transfers.copies import CopyResult
from airflow_provider_swift.client.transfers.sync import SyncResult
from airflow_provider_swift.client.transfers.transfer import Transfer, TransferOptions
from airflow_provider_swift.client.wire.metadata import metadata_from_headers
from airflow_provider_swift.hooks.arguments import absolute_expiry, glob_prefix
from airflow_provider_swift.hooks.connection import options_from_connection
from airflow_provider_swift.hooks.form import CONN_FIELDS, SECRET_FIELDS, UI_FIELD_BEHAVIOUR
from airflow_provider_swift.hooks.lineage import record


class SwiftHook(BaseHook):
    """Interact with OpenStack Swift through an Airflow connection.

    :param swift_conn_id: the ``swift`` connection to use.
    """

    conn_name_attr = "swift_conn_id"
    default_conn_name = "swift_default"
    conn_type = "swift"
    hook_name = "OpenStack Swift"

    def __init__(self, swift_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.swift_conn_id = swift_conn_id

    # -- connection form (Airflow 3.0/3.1 read these; 3.2+ read the provider info) ---

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Relabel and hide standard connection fields in the UI."""
        return {key: value for key, value in UI_FIELD_BEHAVIOUR.items()}

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Extra fields for UIs that read hooks rather than provider info (Airflow 3.0
        and 3.1), from :data:`CONN_FIELDS`: secrets as password fields."""
        from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
        from flask_babel import lazy_gettext
        from wtforms import BooleanField, PasswordField, StringField

        widgets: dict[str, Any] = {}
        for name, spec in CONN_FIELDS.items():
            label, description = lazy_gettext(spec["label"]), spec["description"]
            if "boolean" in spec["schema"]["type"]:
                widgets[name] = BooleanField(label, description=description)
            elif spec["schema"].get("format") == "password":
                widgets[name] = PasswordField(
                    label, description=description, widget=BS3PasswordFieldWidget()
                )
            else:
                widgets[name] = StringField(
                    label, description=description, widget=BS3TextFieldWidget()
                )
        return widgets

    # -- the client -------------------------------------------------------------------

    def get_conn(self) -> SwiftClient:
        """The :class:`SwiftClient` for this connection (one per hook, shared by threads)."""
        return self.client

    @cached_property
    def client(self) -> SwiftClient:
        conn = self.get_connection(self.swift_conn_id)
        if conn.password:
            mask_secret(conn.password)
        extra = conn.extra_dejson
        for key in (*SECRET_FIELDS, "temp_url_key"):
            if extra.get(key):
                mask_secret(extra[key])
        auth, transport = options_from_connection(
            host=conn.host,
            login=conn.login,
            password=conn.password,
            extra=extra,
            port=conn.port,
            schema=conn.schema,
        )
        return SwiftClient.connect(auth, transport, on_secret=mask_secret)

    def test_connection(self) -> tuple[bool, str]:
        """Authenticate and HEAD the account; never raises."""
        try:
            headers = self.client.head_account()
        except SwiftError as exc:
            return False, str(exc)
        except Exception as exc:
            return False, f"{type(exc).__name__}: {exc}"
        return True, (
            f"Connected to Swift: {headers.get('x-account-container-count', '?')} containers, "
            f"{headers.get('x-account-object-count', '?')} objects"
        )

    def get_capabilities(self, *, refresh: bool = False) -> dict[str, Any]:
        """The cluster's ``/info``: limits and enabled middleware (cached)."""
        return self.client.capabilities(refresh=refresh)

    # -- containers ---------------------------------------------------------------------

    def create_container(  # noqa: PLR0913 -- one keyword per header (pyproject.toml)
        self,
        container: str,
        *,
        metadata: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        read_acl: str | None = None,
        write_acl: str | None = None,
        cors_allow_origin: str | None = None,
        versions: str | Mapping[str, str] | None = None,
        quota_bytes: int | None = None,
        quota_count: int | None = None,
        storage_policy: str | None = None,
    ) -> bool:
        """Create a container, or update the settings of an existing one (idempotent).

        ``None`` leaves a setting as it is, ``""`` removes it. With
        ``versions={"location": ...}`` the versions container is created too.

        :return: True if the container was created, False if it existed.
        """
        settings = container_headers(
            read_acl=read_acl,
            write_acl=write_acl,
            cors_allow_origin=cors_allow_origin,
            versions=versions,
            quota_bytes=quota_bytes,
            quota_count=quota_count,
            storage_policy=storage_policy,
        )
        if isinstance(versions, Mapping):
            self.client.put_container(str(versions["location"]))
        existing = self.head_container(container)
        if existing is not None and storage_policy:
            current = existing.get("x-storage-policy")
            if current and current != storage_policy:
                raise SwiftValidationError(
                    f"container {container!r} exists with storage policy {current!r}; "
                    "a container's policy cannot be changed"
                )
        if existing is not None:
            # an existing container's settings change by POST (merged by Swift); a PUT
            # would do the same on Swift, but RGW answers 409 to a PUT that carries
            # settings for a bucket that exists
            changes = {**settings, **(headers or {})}
            changes.pop("X-Storage-Policy", None)  # checked above: it cannot change
            self.client.post_container(container, metadata=metadata, headers=changes)
            return False
        return self.client.put_container(
            container, metadata=metadata, headers={**settings, **(headers or {})}
        )

    def update_container_metadata(
        self,
        container: str,
        metadata: Mapping[str, object] | None = None,
        *,
        remove: Collection[str] = (),
    ) -> dict[str, str]:
        """Set and remove container metadata (Swift merges; nothing else changes).

        :return: the container's user metadata afterwards.
        """
        headers = {f"X-Remove-Container-Meta-{key}": "x" for key in remove}
        self.client.post_container(container, metadata=metadata, headers=headers)
        return metadata_from_headers(self.client.head_container(container), "container")

    def empty_container(self, container: str) -> dict[str, int]:
        """Delete every object of a container, large objects' segments included."""
        names = [entry["name"] for entry in self.client.iter_objects(container)]
        return self.delete_objects_with_segments(container, names)

    def delete_container(
        self, container: str, *, missing_ok: bool = False, force: bool = False
    ) -> bool:
        """Delete a container; ``force`` empties it first (segments included, bulk delete).

        :return: True if deleted, False if it did not exist and ``missing_ok``.
        """
        try:
            if force:
                self.empty_container(container)
            self.client.delete_container(container)
        except SwiftNotFoundError:
            if missing_ok:
                return False
            raise
        return True

    def list_containers(self, *, prefix: str | None = None) -> list[dict[str, Any]]:
        """The account's containers: ``name``, ``count``, ``bytes``, ``last_modified``."""
        return list(self.client.iter_containers(prefix=prefix))

    def head_container(self, container: str) -> dict[str, str] | None:
        """Container headers, or None if it does not exist."""
        try:
            return self.client.head_container(container)
        except SwiftNotFoundError:
            return None

    # -- listing ------------------------------------------------------------------------

    def iter_objects(
        self,
        container: str,
        *,
        prefix: str | None = None,
        delimiter: str | None = None,
        glob: str | None = None,
    ) -> Iterable[dict[str, Any]]:
        """Yield listing entries; ``glob`` filters names with shell-style wildcards
        (``*`` also matches ``/``), listing only under its literal prefix."""
        if glob is not None:
            literal = glob_prefix(glob)
            if prefix is not None and not literal.startswith(prefix):
                literal = prefix
            prefix = literal
        for entry in self.client.iter_objects(container, prefix=prefix, delimiter=delimiter):
            name = entry.get("name", entry.get("subdir", ""))
            if glob is None or fnmatch.fnmatchcase(name, glob):
                yield entry

    def list_objects(
        self,
        container: str,
        *,
        prefix: str | None = None,
        delimiter: str | None = None,
        glob: str | None = None,
    ) -> list[str]:
        """Object names (and ``subdir`` pseudo-directories when ``delimiter`` is set)."""
        return [
            entry.get("name", entry.get("subdir", ""))
            for entry in self.iter_objects(container, prefix=prefix, delimiter=delimiter, glob=glob)
        ]

    # -- objects ------------------------------------------------------------------------

    def head_object(self, container: str, name: str) -> dict[str, str] | None:
        """Object headers (lower-case names), or None if the object does not exist."""
        try:
            return self.client.head_object(container, name)
        except SwiftNotFoundError:
            return None

    def object_exists(self, container: str, name: str) -> bool:
        """Whether the object exists (a missing container counts as missing)."""
        return self.head_object(container, name) is not None

    def upload_bytes(
        self,
        container: str,
        name: str,
        data: bytes | str,
        *,
        delete_after: int | None = None,
        **options: Unpack[UploadOptions],
    ) -> dict[str, Any]:
        """Upload bytes (or UTF-8 text); a large object if bigger than a segment.

        See :meth:`upload_file` for the options.
        """
        payload = data.encode("utf-8") if isinstance(data, str) else data
        opts = self._upload_options(options, delete_after)
        result = self.client.upload_bytes(container, name, payload, **opts)
        if result.skipped:
            self.log.info("Skipped %s/%s: identical object already stored", container, name)
        else:
            self.log.info(
                "Uploaded %s/%s (%d bytes, ETag %s)", container, name, result.bytes, result.etag
            )
        record(self, wrote=(container, name))
        return result.as_dict()

    def upload_file(
        self,
        container: str,
        name: str,
        path: str | os.PathLike[str],
        *,
        delete_after: int | None = None,
        **options: Unpack[UploadOptions],
    ) -> dict[str, Any]:
        """Upload a local file: one PUT, or a large object (SLO or DLO) when it is
        bigger than ``segment_size`` -- by default, than the cluster's ``max_file_size``.

        :param delete_after: seconds from now after which the object (and its segments)
            expire; or ``delete_at``, a Unix time.
        :param options: :class:`~airflow_provider_swift.client.base.options.UploadOptions`:
            ``segment_size``, ``large_object`` (``"slo"``/``"dlo"``),
            ``segment_container``, ``segment_threads``, ``content_type``, ``metadata``,
            ``headers``, ``delete_at``, ``leave_segments`` and ``if_exists``:
            ``replace`` (default); ``skip_identical`` leaves an object with the same
            bytes alone (per-segment MD5s for large objects); ``fail`` refuses to
            overwrite (``If-None-Match: *``).
        :return: ``container``, ``name``, ``etag``, ``bytes``, ``large_object``,
            ``segments``, ``segments_uploaded`` and ``skipped``.
        """
        opts = self._upload_options(options, delete_after)
        result = self.client.upload_file(container, name, path, **opts)
        if result.skipped:
            self.log.info("Skipped %s/%s: identical object already stored", container, name)
        else:
            large = (
                f", {result.large_object.upper()} of {result.segments} segments, "
                f"{result.segments_uploaded} sent"
                if result.large_object
                else ""
            )
            self.log.info(
                "Uploaded %s/%s (%d bytes, ETag %s%s)",
                container,
                name,
                result.bytes,
                result.etag,
                large,
            )
        record(self, wrote=(container, name))
        return result.as_dict()

    def upload_files(
        self,
        container: str,
        files: Sequence[tuple[str | os.PathLike[str], str]],
        *,
        object_threads: int = 10,
        delete_after: int | None = None,
        **options: Unpack[UploadOptions],
    ) -> list[dict[str, Any]]:
        """Upload many local files, each to the object name given, ``object_threads``
        at once, planned from one listing of their names (no HEAD per file). Every
        file is attempted; failures are raised together at the end.

        :param files: ``(local path, object name)`` pairs.
        :param options: as for :meth:`upload_file`.
        :return: one :meth:`upload_file` result per file, in the order given.
        """
        opts = self._upload_options(options, delete_after)
        results = self.client.upload_files(container, files, object_threads=object_threads, **opts)
        sent = sum(1 for r in results if not r.skipped)
        self.log.info(
            "Uploaded %d files to %s (%d identical ones skipped)",
            sent,
            container,
            len(results) - sent,
        )
        record(self, wrote=(container, os.path.commonprefix([n for _, n in files])))  # noqa: RUF071
        return [r.as_dict() for r in results]

    @staticmethod
    def _upload_options(options: UploadOptions, delete_after: int | None) -> UploadOptions:
        """The options checked, with the expiry made one absolute time."""
        expiry = absolute_expiry(options.get("delete_at"), delete_after)
        return upload_options({**options, "delete_at": expiry})

    def read_object(self, container: str, name: str, *, verify: Verify = "when_possible") -> bytes:
        """The whole object in memory, checked like :meth:`download_file`.

        :param verify: ``required`` or ``when_possible`` (see :meth:`download_file`).
        """
        data = self.client.get_object(container, name, verify=verify)[1]
        record(self, read=(container, name))
        return data

    def download_file(
        self,
        container: str,
        name: str,
        path: str | os.PathLike[str],
        *,
        if_exists: IfExists = "replace",
        verify: Verify = "when_possible",
        segment_threads: int = 4,
    ) -> dict[str, Any]:
        """Download an object to a local file, atomically and verified (plain objects
        against their MD5, large objects segment by segment).

        :param if_exists: ``replace`` (default); ``skip_identical`` keeps a local file
            that already has the object's bytes (``If-None-Match`` for plain objects,
            per-segment MD5s for large ones); ``fail`` refuses to overwrite a local file.
        :param verify: what to do when the bytes cannot be checked (a large object
            whose segment list the server does not give, e.g. on Ceph RGW one this
            provider did not write): ``required`` raises
            :class:`~airflow_provider_swift.client.SwiftUnverifiedError` and writes
            nothing; ``when_possible`` (default) downloads, logs a warning, and the
            result says ``verified: None`` and why in ``unverified``.
        :param segment_threads: segments of a large object fetched at once.
        :return: ``container``, ``name``, ``path``, ``etag``, ``bytes``, ``verified``
            (``md5``, ``segments`` or None), ``unverified`` (why not, or None) and
            ``skipped``.
        """
        target = Path(path)
        result = self.client.download_object(
            container,
            name,
            target,
            if_exists=if_exists,
            verify=verify,
            segment_threads=segment_threads,
        )
        if result.skipped:
            self.log.info("Kept %s: identical to %s/%s", target, container, name)
        elif result.verified:
            self.log.info(
                "Downloaded %s/%s to %s (%d bytes, verified: %s)",
                container,
                name,
                target,
                result.bytes,
                result.verified,
            )
        else:
            self.log.warning(
                "Downloaded %s/%s to %s (%d bytes) NOT verified: %s",
                container,
                name,
                target,
                result.bytes,
                result.unverified,
            )
        record(self, read=(container, name))
        return {
            "container": container,
            "name": name,
            "path": str(target),
            "etag": result.etag,
            "bytes": result.bytes,
            "verified": result.verified,
            "unverified": result.unverified,
            "skipped": result.skipped,
        }

    def sync_up(
        self,
        directory: str | os.PathLike[str],
        container: str,
        prefix: str = "",
        *,
        delete_after: int | None = None,
        **options: Unpack[SyncUpOptions],
    ) -> SyncResult:
        """Make ``container/prefix`` hold what a local directory holds: one listing
        decides what to PUT, skip (same MD5) or, with ``delete``, delete; no HEAD per
        file. See :class:`~airflow_provider_swift.client.base.options.SyncUpOptions`
        (``compare``, ``delete``, ``dry_run``, ``include``, ``exclude``,
        ``object_threads``, ``segment_threads`` and how objects are written);
        ``delete_after`` as for :meth:`upload_file`."""
        options["delete_at"] = absolute_expiry(options.get("delete_at"), delete_after)
        result = self.client.sync_up(directory, container, prefix, **options)
        record(self, wrote=(container, prefix))
        return result

    def sync_down(
        self,
        container: str,
        prefix: str,
        directory: str | os.PathLike[str],
        **options: Unpack[SyncOptions],
    ) -> SyncResult:
        """Make a local directory hold what ``container/prefix`` holds: verified,
        atomic, parallel downloads of what differs; path-traversal-guarded. See
        :class:`~airflow_provider_swift.client.base.options.SyncOptions`."""
        result = self.client.sync_down(container, prefix, directory, **options)
        record(self, read=(container, prefix))
        return result

    def delete_object_with_segments(
        self, container: str, name: str, *, missing_ok: bool = False
    ) -> bool:
        """Delete an object; a large object's segments go with it (not in versioned
        containers, whose older versions still use them).

        :return: True if deleted, False if it was already absent and ``missing_ok``.
        """
        return self.client.delete_object_with_segments(container, name, missing_ok=missing_ok)

    def delete_objects_with_segments(self, container: str, names: Iterable[str]) -> dict[str, int]:
        """Delete many objects (bulk delete where the cluster offers it), segments too.

        Missing objects are counted, not errors; any other failure raises, naming them.
        :return: ``deleted`` and ``not_found`` counts.
        """
        result = self.client.delete_objects_with_segments(container, names)
        result.raise_for_errors()
        self.log.info(
            "Deleted %d objects from %s (%d not found)", result.deleted, container, result.not_found
        )
        return {"deleted": result.deleted, "not_found": result.not_found}

    def copy_object(
        self,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        *,
        delete_after: float | None = None,
        **options: Unpack[CopyOptions],
    ) -> dict[str, Any]:
        """Copy an object server-side (large objects: segment by segment, into segments
        of the copy's own). The copy does not inherit ``X-Delete-At`` unless
        ``keep_expiry``; ``delete_at``/``delete_after`` give it an expiry of its own,
        set as it is created.

        :param options: :class:`~airflow_provider_swift.client.base.options.CopyOptions`:
            ``source_account``, ``dest_account``, ``fresh_metadata``, ``metadata``,
            ``keep_expiry``, ``delete_at``, ``segment_threads``.
        :return: ``source``, ``destination``, ``etag``, ``bytes``..."""
        opts = self._copy_options(options, delete_after)
        result = self.client.copy_object(
            source_container, source_name, dest_container, dest_name, **opts
        )
        return self._server_side(
            "Copied", result, (source_container, source_name), (dest_container, dest_name)
        )

    def move_object(
        self,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        *,
        delete_after: float | None = None,
        **options: Unpack[CopyOptions],
    ) -> dict[str, Any]:
        """Move (rename) an object: verified copy, then delete the source only if it is
        still the version copied; else raise and delete nothing. Options and expiry as
        for :meth:`copy_object`. A retry after the move happened (the source gone, the
        destination there) succeeds, with ``already_moved`` in the result."""
        opts = self._copy_options(options, delete_after)
        result = self.client.move_object(
            source_container, source_name, dest_container, dest_name, **opts
        )
        return self._server_side(
            "Moved", result, (source_container, source_name), (dest_container, dest_name)
        )

    @staticmethod
    def _copy_options(options: CopyOptions, delete_after: float | None) -> CopyOptions:
        expiry = absolute_expiry(options.get("delete_at"), delete_after)
        return copy_options({**options, "delete_at": expiry})

    def _server_side(
        self, done: str, result: CopyResult, source: tuple[str, str], dest: tuple[str, str]
    ) -> dict[str, Any]:
        """A copy or move done: logged, and its lineage recorded."""
        self.log.info(
            "%s %s to %s (%d bytes)", done, result.source, result.destination, result.bytes
        )
        record(self, read=source, wrote=dest)
        return result.as_dict()

    def transfer_object(
        self,
        dest: SwiftHook,
        source_container: str,
        source_name: str,
        dest_container: str,
        dest_name: str,
        **options: Unpack[TransferOptions],
    ) -> dict[str, Any]:
        """Copy an object from this connection to ``dest``'s (another account or
        cluster): server-side on one cluster, else streamed and MD5-checked end to end
        (see :mod:`airflow_provider_swift.client.transfers.transfer`).

        :param options: :class:`~airflow_provider_swift.client.base.options.TransferOptions`.
        :return: ``source``, ``destination``, ``etag``, ``bytes``, ``method``...
        """
        result = Transfer(self.client, dest.client).copy_object(
            source_container, source_name, dest_container, dest_name, **options
        )
        self.log.info(
            "%s: %s to %s on %s (%d bytes)",
            result.method,
            result.source,
            result.destination,
            dest.swift_conn_id,
            result.bytes,
        )
        return result.as_dict()

    def transfer_prefix(
        self,
        dest: SwiftHook,
        source_container: str,
        prefix: str,
        dest_container: str,
        dest_prefix: str | None = None,
        **options: Unpack[TransferOptions],
    ) -> dict[str, Any]:
        """Copy every object under ``prefix`` to ``dest``'s ``dest_container`` (under
        ``dest_prefix``, default the same names), skipping identical objects by listing.

        :param options: :class:`~airflow_provider_swift.client.base.options.TransferOptions`.
        :return: ``{"summary": {objects, counts, bytes, examples}, "objects": [...]}``.
        """
        result = Transfer(self.client, dest.client).copy_prefix(
            source_container, prefix, dest_container, dest_prefix, **options
        )
        summary = result.summary()
        self.log.info(
            "Transferred /%s/%s to %s /%s/%s: %s",
            source_container,
            prefix,
            dest.swift_conn_id,
            dest_container,
            dest_prefix if dest_prefix is not None else prefix,
            summary["counts"],
        )
        return {"summary": summary, "objects": [r.as_dict() for r in result.objects]}

    def expire_object(
        self,
        container: str,
        name: str,
        *,
        delete_at: int | None = None,
        delete_after: int | None = None,
        cancel: bool = False,
    ) -> int | None:
        """Set or cancel an object's expiry, keeping all its metadata (and a large
        object's segments in step). :return: the new ``X-Delete-At``, or None."""
        if cancel:
            if delete_at is not None or delete_after is not None:
                raise SwiftValidationError("cancel=True takes no delete_at/delete_after")
            when = None
        else:
            when = absolute_expiry(delete_at, delete_after)
            if when is None:
                raise SwiftValidationError("give delete_at or delete_after, or cancel=True")
        headers = self.client.set_expiry(container, name, when)
        value = headers.get("x-delete-at")
        return int(value) if value else None

    def temp_url_key(self, container: str | None = None) -> str:
        """The key temporary URLs are signed with: the connection's ``temp_url_secret``
        extra (the older name ``temp_url_key`` is still read), else the account's, else
        the container's ``Temp-URL-Key`` metadata."""
        extra = self.get_connection(self.swift_conn_id).extra_dejson
        key = extra.get("temp_url_secret") or extra.get("temp_url_key")
        if not key:
            account = self.client.head_account()
            key = account.get("x-account-meta-temp-url-key") or account.get(
                "x-account-meta-temp-url-key-2"
            )
        if not key and container:
            found = self.head_container(container) or {}
            key = found.get("x-container-meta-temp-url-key") or found.get(
                "x-container-meta-temp-url-key-2"
            )
        if not key:
            raise SwiftValidationError(
                "no temp URL key: set the connection extra temp_url_secret, or the account's "
                "or container's Temp-URL-Key metadata"
            )
        mask_secret(key)
        return str(key)

    def generate_temp_url(
        self,
        container: str,
        name: str,
        *,
        method: str = "GET",
        expires_in: int = 3600,
        digest: str | None = None,
        prefix: bool = False,
        ip_range: str | None = None,
    ) -> str:
        """A temporary URL for an object (or, with ``prefix``, for names under a prefix).

        :param digest: ``sha256``, ``sha512`` or ``sha1``; default: the strongest the
            server checks (``allowed_digests`` in ``/info``; sha1 alone where ``/info``
            lists none, as on Ceph RGW). A digest the server cannot check raises
            :class:`SwiftValidationError` rather than giving a URL that answers 403.
        """
        digest = choose_tempurl_digest(digest, self.client.tempurl_digests())
        return temp_url(
            self.client.transport.storage_url(),
            container,
            name,
            self.temp_url_key(container),
            method=method,
            expires_in=expires_in,
            digest=digest,
            prefix=prefix,
            ip_range=ip_range,
        )

    def update_object_metadata(
        self,
        container: str,
        name: str,
        metadata: Mapping[str, object] | None = None,
        *,
        remove: Collection[str] = (),
    ) -> dict[str, str]:
        """Set and remove some user metadata, keeping the rest (and expiry, manifests...).

        :return: the object's user metadata afterwards.
        """
        return self.client.update_object_metadata(container, name, metadata, remove=remove)
