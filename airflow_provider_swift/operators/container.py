"""Container operators: create or update (ACLs, CORS, versioning, quotas), delete."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from airflow_provider_swift.operators.base import SwiftBaseOperator, templated_int


class SwiftCreateContainerOperator(SwiftBaseOperator):
    """Create a container, or bring an existing one to these settings (idempotent).

    A setting left as None is not touched; ``""`` removes it.

    :param container: the container (templated).
    :param read_acl: ``X-Container-Read``, e.g. ``"acct:user"`` or ``".r:*"`` (templated).
    :param write_acl: ``X-Container-Write`` (templated).
    :param cors_allow_origin: origins allowed by CORS, space separated (templated).
    :param versions: ``"enabled"`` (object versioning), ``{"location": c}`` or
        ``{"location": c, "mode": "stack"}`` (legacy versioning into container ``c``)
        (templated).
    :param quota_bytes: container quota in bytes (templated; a template rendering to
        ``""`` leaves the quota alone).
    :param quota_count: container quota in objects (templated, as ``quota_bytes``).
    :param metadata: container metadata to set (templated).
    :param storage_policy: policy for a new container (an existing one must match)
        (templated).
    :return: ``{"container": ..., "created": bool}``.
    """

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "container",
        "read_acl",
        "write_acl",
        "cors_allow_origin",
        "versions",
        "quota_bytes",
        "quota_count",
        "metadata",
        "storage_policy",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"metadata": "json", "versions": "json"}

    def __init__(
        self,
        *,
        container: str,
        read_acl: str | None = None,
        write_acl: str | None = None,
        cors_allow_origin: str | None = None,
        versions: str | Mapping[str, str] | None = None,
        quota_bytes: int | str | None = None,
        quota_count: int | str | None = None,
        metadata: Mapping[str, object] | None = None,
        storage_policy: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.read_acl = read_acl
        self.write_acl = write_acl
        self.cors_allow_origin = cors_allow_origin
        self.versions = versions
        self.quota_bytes = quota_bytes
        self.quota_count = quota_count
        self.metadata = metadata
        self.storage_policy = storage_policy

    def execute(self, context: Any) -> dict[str, Any]:
        created = self.hook.create_container(
            self.container,
            metadata=self.metadata,
            read_acl=self.read_acl,
            write_acl=self.write_acl,
            cors_allow_origin=self.cors_allow_origin,
            versions=self.versions,
            quota_bytes=templated_int(self.quota_bytes),
            quota_count=templated_int(self.quota_count),
            storage_policy=self.storage_policy,
        )
        self.log.info("Container %s %s", self.container, "created" if created else "updated")
        return {"container": self.container, "created": created}


class SwiftDeleteContainerOperator(SwiftBaseOperator):
    """Delete a container; a missing one counts as done (so retries are harmless).

    :param container: the container (templated).
    :param force: first delete every object in it, large objects' segments included
        (bulk delete where the cluster offers it). Not templated: a switch.
    """

    template_fields: Sequence[str] = ("swift_conn_id", "container")

    def __init__(self, *, container: str, force: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.force = force

    def execute(self, context: Any) -> bool:
        return self.hook.delete_container(self.container, force=self.force, missing_ok=True)
