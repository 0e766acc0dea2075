"""SwiftClient: one object per Swift account, with a method per REST request."""

from __future__ import annotations

import threading
from collections.abc import Callable

from airflow_provider_swift.client.account import AccountAPI
from airflow_provider_swift.client.auth import AuthOptions
from airflow_provider_swift.client.copy import CopyAPI
from airflow_provider_swift.client.transport import Transport, TransportOptions


class SwiftClient(AccountAPI, CopyAPI):
    """An Airflow-free Swift client, safe to share between threads.

    >>> client = SwiftClient.connect(
    ...     AuthOptions(auth_url="http://127.0.0.1:8080/auth/v1.0",
    ...                 username="test:tester", password="testing"))
    >>> client.put_container("reports")   # doctest: +SKIP
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._info = None
        self._info_lock = threading.Lock()

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
