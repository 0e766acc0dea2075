"""How an Airflow Connection of type ``swift`` maps to client settings.

Kept apart from the hook so the mapping is a plain function (testable without a
metadata database) and so the async triggers can build the very same settings.

==================  ====================================================================
Connection field    Meaning
==================  ====================================================================
host                auth URL, e.g. ``http://swift:8080/auth/v1.0`` or
                    ``https://keystone:5000/v3`` (a bare host name is combined with
                    port, schema as the path, and the ``scheme`` extra)
login               tempauth ``account:user``, or the Keystone user name
password            tempauth key, Keystone password, application-credential secret,
                    or the token for ``token``/``preauthenticated``
extra               see :data:`airflow_provider_swift.hooks.form.CONN_FIELDS`
==================  ====================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlsplit

from airflow_provider_swift.client.base.errors import SwiftValidationError
from airflow_provider_swift.client.wire.auth import AuthOptions, AuthType
from airflow_provider_swift.client.wire.retry import RetryPolicy
from airflow_provider_swift.client.wire.transport import TransportOptions


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _unset_as(value: Any, default: Any) -> Any:
    return default if value is None or value == "" else value


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SwiftValidationError(f"connection extra {name}={value!r} is not true or false")


def _number(value: Any, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SwiftValidationError(f"connection extra {name}={value!r} is not a number") from None


def auth_url_of(host: str | None, port: int | None, schema: str | None, scheme: str) -> str | None:
    """The auth URL from a connection's host (a full URL, or host + port + path)."""
    host = _text(host)
    if host is None:
        return None
    if "://" in host:
        parts = urlsplit(host)
        if port and parts.port is None:
            return host.replace(parts.netloc, f"{parts.netloc}:{port}", 1)
        return host
    netloc = f"{host}:{port}" if port else host
    path = f"/{schema.strip('/')}" if schema and schema.strip("/") else ""
    return f"{scheme}://{netloc}{path}"


def infer_auth_type(extra: Mapping[str, Any], auth_url: str | None, has_login: bool) -> AuthType:
    """Pick the auth type when the connection does not say (an unknown one given is
    refused, naming the choices, by :meth:`AuthOptions.validate`)."""
    explicit = _text(extra.get("auth_type"))
    if explicit:
        return cast(AuthType, explicit.lower())
    version = _text(extra.get("auth_version"))
    if version in ("1", "1.0"):
        return "tempauth"
    if auth_url is None and _text(extra.get("storage_url")):
        return "preauthenticated"
    if _text(extra.get("application_credential_id")) or _text(
        extra.get("application_credential_name")
    ):
        return "application_credential"
    is_v3 = version in ("3", "3.0") or (auth_url is not None and "/v3" in urlsplit(auth_url).path)
    if is_v3:
        return "password" if has_login else "token"
    return "tempauth"


def options_from_connection(
    *,
    host: str | None,
    login: str | None,
    password: str | None,
    extra: Mapping[str, Any],
    port: int | None = None,
    schema: str | None = None,
) -> tuple[AuthOptions, TransportOptions]:
    """Translate connection fields into client settings, with clear errors."""
    auth_url = auth_url_of(host, port, schema, _text(extra.get("scheme")) or "https")
    auth_type = infer_auth_type(extra, auth_url, bool(_text(login)))
    secret = password or None
    auth = AuthOptions(
        auth_type=auth_type,
        auth_url=auth_url,
        username=_text(login),
        user_id=_text(extra.get("user_id")),
        password=secret if auth_type in ("tempauth", "password") else None,
        user_domain_name=_text(extra.get("user_domain_name")),
        user_domain_id=_text(extra.get("user_domain_id")),
        project_name=_text(extra.get("project_name")),
        project_id=_text(extra.get("project_id")),
        project_domain_name=_text(extra.get("project_domain_name")),
        project_domain_id=_text(extra.get("project_domain_id")),
        application_credential_id=_text(extra.get("application_credential_id")),
        application_credential_name=_text(extra.get("application_credential_name")),
        application_credential_secret=(
            secret or _text(extra.get("application_credential_secret"))
            if auth_type == "application_credential"
            else None
        ),
        token=(
            secret or _text(extra.get("token"))
            if auth_type in ("token", "preauthenticated")
            else None
        ),
        storage_url=_text(extra.get("storage_url")),
        region_name=_text(extra.get("region_name")),
        interface=_text(extra.get("interface")) or "public",
    )
    auth.validate()

    # the form's switch is ``insecure`` (python-swiftclient's word for it); Airflow's
    # dialog stores null for every field left empty, so null means unset throughout
    verify: bool | str = _bool(_unset_as(extra.get("verify"), True), "verify")
    if _bool(_unset_as(extra.get("insecure"), False), "insecure"):
        verify = False
    ca_cert = _text(extra.get("ca_cert"))
    if verify and ca_cert:
        verify = ca_cert
    client_cert, client_key = _text(extra.get("client_cert")), _text(extra.get("client_key"))
    cert: str | tuple[str, str] | None = (
        (client_cert, client_key) if client_cert and client_key else client_cert
    )
    defaults = TransportOptions()
    connect_timeout = _number(extra.get("connect_timeout"), "connect_timeout")
    read_timeout = _number(extra.get("read_timeout"), "read_timeout")
    pool_size = _number(extra.get("pool_size"), "pool_size")
    retry = RetryPolicy.from_mapping(
        {
            key.removeprefix("retry_"): value
            for key, value in extra.items()
            if key.startswith("retry_")
        }
    )
    transport = TransportOptions(
        verify=verify,
        cert=cert,
        connect_timeout=connect_timeout or defaults.connect_timeout,
        read_timeout=read_timeout or defaults.read_timeout,
        pool_size=int(pool_size) if pool_size else defaults.pool_size,
        retry=retry,
    )
    return auth, transport
