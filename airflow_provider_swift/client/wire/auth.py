"""Authentication: every supported method as a keystoneauth1 plugin.

keystoneauth1 ships the Keystone v3 plugins (password, application credential,
token) and a static token + endpoint plugin; Swift's own tempauth (v1) protocol
is added here as :class:`TempAuth`. Whatever the method, the transport asks the
keystoneauth1 session for a token and an endpoint before each request, so tokens
are refreshed before they expire and shared by every thread of a client.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import requests
from keystoneauth1 import exceptions as ksa_exc
from keystoneauth1 import plugin as ksa_plugin
from keystoneauth1 import session as ksa_session
from keystoneauth1 import token_endpoint
from keystoneauth1.identity import v3

from airflow_provider_swift.client.base.errors import (
    SwiftAuthenticationError,
    SwiftConnectionError,
    SwiftServerError,
    SwiftTimeoutError,
    SwiftTLSError,
    SwiftValidationError,
    error_for_status,
)

#: How a connection authenticates (see :class:`AuthOptions`).
AuthType = Literal["tempauth", "password", "application_credential", "token", "preauthenticated"]
AUTH_TYPES: tuple[str, ...] = get_args(AuthType)

#: Refresh a tempauth token this long before the server says it expires...
_REFRESH_MARGIN = 60.0
#: ...or, for short-lived tokens, once this fraction of its life is left.
_REFRESH_FRACTION = 0.2


@dataclass(frozen=True)
class AuthOptions:
    """Everything needed to authenticate; secrets are kept out of ``repr``.

    :param auth_type: one of ``tempauth``, ``password``, ``application_credential``,
        ``token`` (Keystone v3 token) or ``preauthenticated`` (storage URL + token).
    :param auth_url: tempauth URL (e.g. ``http://host:8080/auth/v1.0``) or Keystone v3 URL.
    :param storage_url: overrides the endpoint found in the catalog; required for
        ``preauthenticated``.
    """

    auth_type: AuthType = "tempauth"
    auth_url: str | None = None
    username: str | None = None
    user_id: str | None = None
    password: str | None = field(default=None, repr=False)
    user_domain_name: str | None = None
    user_domain_id: str | None = None
    project_name: str | None = None
    project_id: str | None = None
    project_domain_name: str | None = None
    project_domain_id: str | None = None
    application_credential_id: str | None = None
    application_credential_name: str | None = None
    application_credential_secret: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    storage_url: str | None = None
    region_name: str | None = None
    interface: str = "public"
    service_type: str = "object-store"

    def secrets(self) -> list[str]:
        """The secret values among these options (for log masking)."""
        values = (self.password, self.application_credential_secret, self.token)
        return [v for v in values if v]

    def validate(self) -> None:
        """Raise :class:`SwiftValidationError` naming what is missing for ``auth_type``."""
        if self.auth_type not in AUTH_TYPES:
            raise SwiftValidationError(
                f"unknown auth_type {self.auth_type!r}; expected one of {', '.join(AUTH_TYPES)}"
            )
        need: dict[str, Any] = {}
        if self.auth_type != "preauthenticated":
            need["auth URL (connection host)"] = self.auth_url
        if self.auth_type == "tempauth":
            need["user (connection login)"] = self.username
            need["key (connection password)"] = self.password
        elif self.auth_type == "password":
            need["user name or user_id (connection login)"] = self.username or self.user_id
            need["password (connection password)"] = self.password
        elif self.auth_type == "application_credential":
            need["application_credential_id, or application_credential_name and user"] = (
                self.application_credential_id
                or (self.application_credential_name and (self.username or self.user_id))
            )
            need["application credential secret"] = self.application_credential_secret
        elif self.auth_type == "token":
            need["token (connection password)"] = self.token
        else:
            need["token (connection password)"] = self.token
            need["storage_url (connection extra)"] = self.storage_url
        missing = [what for what, value in need.items() if not value]
        if missing:
            raise SwiftValidationError(f"auth_type {self.auth_type!r} needs: {'; '.join(missing)}")
        if self.auth_url and not self.auth_url.startswith(("http://", "https://")):
            raise SwiftValidationError(
                f"auth URL {self.auth_url!r} must start with http:// or https://"
            )


class TempAuth(ksa_plugin.BaseAuthPlugin):
    """Swift's tempauth (v1) protocol as a keystoneauth1 plugin.

    ``GET auth_url`` with ``X-Auth-User``/``X-Auth-Key`` returns ``X-Storage-Url``,
    ``X-Auth-Token`` and ``X-Auth-Token-Expires``. The request goes straight through
    the pooled requests session, not keystoneauth1's logging wrapper, so the key
    never reaches a debug log.
    """

    def __init__(self, auth_url: str, username: str, key: str) -> None:
        super().__init__()
        self.auth_url = auth_url
        self.username = username
        self._key = key
        self._lock = threading.Lock()
        self._token: str | None = None
        self._storage_url: str | None = None
        self._refresh_at = 0.0

    def __repr__(self) -> str:
        return f"TempAuth(auth_url={self.auth_url!r}, username={self.username!r})"

    def get_token(self, session: ksa_session.Session) -> str | None:
        with self._lock:
            if self._token is None or time.monotonic() >= self._refresh_at:
                self._authenticate(session)
            return self._token

    def get_endpoint(self, session: ksa_session.Session, **kwargs: Any) -> str | None:
        self.get_token(session)
        return self._storage_url

    def invalidate(self) -> bool:
        with self._lock:
            self._token = None
        return True

    def _authenticate(self, session: ksa_session.Session) -> None:
        headers = {"X-Auth-User": self.username, "X-Auth-Key": self._key}
        try:
            resp = session.session.get(
                self.auth_url,
                headers=headers,
                verify=session.verify,
                cert=session.cert,
                timeout=session.timeout,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise SwiftTLSError(
                f"TLS failed talking to auth URL {self.auth_url}: {type(exc).__name__}",
                method="GET",
                path=self.auth_url,
            ) from None
        except requests.exceptions.Timeout:
            raise SwiftTimeoutError(
                f"auth URL {self.auth_url} did not answer in time", method="GET"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise SwiftConnectionError(
                f"cannot reach auth URL {self.auth_url} ({type(exc).__name__})", method="GET"
            ) from None
        txn = resp.headers.get("X-Trans-Id")
        if resp.status_code in (401, 403):
            raise SwiftAuthenticationError(
                f"tempauth rejected user {self.username!r}: check the login and password",
                status=resp.status_code,
                method="GET",
                path=self.auth_url,
                transaction_id=txn,
            )
        if not 200 <= resp.status_code < 300:
            raise error_for_status(
                resp.status_code,
                method="GET",
                path=self.auth_url,
                reason=f"authentication failed ({resp.reason})",
                body=resp.content,
                transaction_id=txn,
            )
        token = resp.headers.get("X-Auth-Token") or resp.headers.get("X-Storage-Token")
        storage_url = resp.headers.get("X-Storage-Url")
        if not token or not storage_url:
            raise SwiftAuthenticationError(
                "tempauth answered without X-Auth-Token/X-Storage-Url: is this a Swift auth URL?",
                status=resp.status_code,
                method="GET",
                path=self.auth_url,
                transaction_id=txn,
            )
        self._token = token
        self._storage_url = storage_url
        lifetime = _float_or_none(resp.headers.get("X-Auth-Token-Expires"))
        if lifetime is None:
            self._refresh_at = float("inf")
        else:
            margin = min(_REFRESH_MARGIN, lifetime * _REFRESH_FRACTION)
            self._refresh_at = time.monotonic() + lifetime - margin


def _float_or_none(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def make_auth_plugin(options: AuthOptions) -> ksa_plugin.BaseAuthPlugin:
    """Build the keystoneauth1 plugin for ``options`` (validated first)."""
    options.validate()
    kind = options.auth_type
    if kind == "tempauth":
        return TempAuth(options.auth_url or "", options.username or "", options.password or "")
    if kind == "preauthenticated":
        return token_endpoint.Token(options.storage_url, options.token)
    auth_url = options.auth_url or ""
    # Keystone needs the domain of a user or project given by name; like the
    # OpenStack clients, assume the "Default" domain when none is given.
    project_domain_name = options.project_domain_name
    if options.project_name and not (project_domain_name or options.project_domain_id):
        project_domain_name = "Default"
    user_domain_name = options.user_domain_name
    if options.username and not (user_domain_name or options.user_domain_id):
        user_domain_name = "Default"
    scope: dict[str, Any] = {
        "project_name": options.project_name,
        "project_id": options.project_id,
        "project_domain_name": project_domain_name,
        "project_domain_id": options.project_domain_id,
    }
    if kind == "password":
        return v3.Password(
            auth_url=auth_url,
            username=options.username,
            user_id=options.user_id,
            password=options.password or "",
            user_domain_name=user_domain_name,
            user_domain_id=options.user_domain_id,
            **scope,
        )
    if kind == "application_credential":
        return v3.ApplicationCredential(
            auth_url=auth_url,
            application_credential_secret=options.application_credential_secret or "",
            application_credential_id=options.application_credential_id,
            application_credential_name=options.application_credential_name,
            username=options.username,
            user_id=options.user_id,
            user_domain_name=user_domain_name,
            user_domain_id=options.user_domain_id,
        )
    return v3.Token(auth_url=auth_url, token=options.token or "", **scope)


def translate_auth_errors(call: Callable[[], Any], *, what: str) -> Any:
    """Run a keystoneauth1 call, turning its exceptions into this client's typed errors."""
    try:
        return call()
    except ksa_exc.SSLError:
        raise SwiftTLSError(f"TLS verification failed while {what}") from None
    except ksa_exc.ConnectTimeout:
        raise SwiftTimeoutError(f"timed out while {what}") from None
    except ksa_exc.ConnectionError as exc:
        raise SwiftConnectionError(
            f"cannot reach the identity service while {what} ({type(exc).__name__})"
        ) from None
    except ksa_exc.Unauthorized:
        raise SwiftAuthenticationError(
            f"credentials rejected while {what}: check user, password/secret, project and domains",
            status=401,
        ) from None
    except ksa_exc.Forbidden:
        raise SwiftAuthenticationError(
            f"access forbidden while {what}: the user may lack a role on the project",
            status=403,
        ) from None
    except ksa_exc.EndpointNotFound:
        raise SwiftAuthenticationError(
            f"no object-store endpoint found in the service catalog while {what}: "
            "check region_name and interface, or set storage_url"
        ) from None
    except ksa_exc.DiscoveryFailure as exc:
        raise SwiftAuthenticationError(
            f"could not discover the identity API while {what}: is the auth URL right? "
            f"({type(exc).__name__})"
        ) from None
    except ksa_exc.BadRequest:
        raise SwiftAuthenticationError(
            f"the identity service refused the request while {what} (400): check that "
            "user and project are given with their domains",
            status=400,
        ) from None
    except ksa_exc.HttpError as exc:
        if (exc.http_status or 0) >= 500:
            raise SwiftServerError(
                f"identity service failed while {what} ({exc.http_status})",
                status=exc.http_status,
            ) from None
        raise SwiftAuthenticationError(
            f"identity service failed while {what} ({exc.http_status} {type(exc).__name__})",
            status=exc.http_status,
        ) from None
    except ksa_exc.ClientException as exc:
        raise SwiftAuthenticationError(
            f"authentication failed while {what} ({type(exc).__name__})"
        ) from None
