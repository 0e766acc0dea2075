"""Object lifecycle: expiry, and temporary URLs for consumers without credentials."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_swift.openlineage import lineage
from airflow_provider_swift.operators.base import SwiftBaseOperator, templated_int


class SwiftExpireObjectOperator(SwiftBaseOperator):
    """Set or cancel an object's expiry without losing its metadata (or a DLO's
    manifest); a large object's segments expire with it.

    :param container: (templated)
    :param name: (templated)
    :param delete_at: Unix time to delete at (templated).
    :param delete_after: seconds from now (templated).
    :param cancel: remove the expiry instead (a switch, not templated).
    :return: the resulting ``X-Delete-At`` (None when cancelled).
    """

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "container",
        "name",
        "delete_at",
        "delete_after",
    )

    def __init__(
        self,
        *,
        container: str,
        name: str,
        delete_at: int | str | None = None,
        delete_after: int | str | None = None,
        cancel: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.name = name
        self.delete_at = delete_at
        self.delete_after = delete_after
        self.cancel = cancel

    def get_openlineage_facets_on_start(self) -> Any:
        """Output: the object, marked DROP (unless the expiry is being cancelled)."""
        return lineage(
            outputs=[(self.container, self.name)], lifecycle=None if self.cancel else "DROP"
        )

    def execute(self, context: Any) -> int | None:
        return self.hook.expire_object(
            self.container,
            self.name,
            delete_at=templated_int(self.delete_at),
            delete_after=templated_int(self.delete_after),
            cancel=self.cancel,
        )


class SwiftTempUrlOperator(SwiftBaseOperator):
    """Make a temporary URL: a time-limited link to an object that needs no token.

    The key comes from the connection extra ``temp_url_secret``, else from the account's
    or the container's ``Temp-URL-Key`` metadata; it is masked in logs.

    :param container: (templated)
    :param name: the object, or the prefix with ``prefix=True`` (templated).
    :param method: ``GET`` (default), ``HEAD``, ``PUT``, ``POST`` or ``DELETE``
        (templated; checked when the URL is made).
    :param expires_in: seconds the URL stays valid (templated).
    :param digest: ``sha256``, ``sha512`` or ``sha1``; default: the strongest the server
        checks (sha1 where ``/info`` lists no ``allowed_digests``, as on Ceph RGW)
        (templated).
    :param prefix: sign for every object under ``name`` used as a prefix (a switch,
        not templated).
    :param ip_range: limit the URL to an address or CIDR range (templated).
    :return: the URL.
    """

    template_fields: Sequence[str] = (
        "swift_conn_id",
        "container",
        "name",
        "method",
        "expires_in",
        "digest",
        "ip_range",
    )

    def __init__(
        self,
        *,
        container: str,
        name: str,
        method: str = "GET",
        expires_in: int | str = 3600,
        digest: str | None = None,
        prefix: bool = False,
        ip_range: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.container = container
        self.name = name
        self.method = method
        self.expires_in = expires_in
        self.digest = digest
        self.prefix = prefix
        self.ip_range = ip_range

    def execute(self, context: Any) -> str:
        url = self.hook.generate_temp_url(
            self.container,
            self.name,
            method=self.method,
            expires_in=int(self.expires_in),
            digest=self.digest or None,
            prefix=self.prefix,
            ip_range=self.ip_range or None,
        )
        self.log.info(
            "Temporary %s URL for /%s/%s, valid %ss",
            self.method,
            self.container,
            self.name,
            self.expires_in,
        )
        return url
