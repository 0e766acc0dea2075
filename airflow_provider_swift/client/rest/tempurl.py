"""Temporary URLs: time-limited links to an object (or a prefix) that need no token.

The signature is an HMAC, keyed with the account's or container's
``Temp-URL-Key``, over ``METHOD\\nEXPIRES\\nPATH`` -- the *unencoded* path
``/v1/AUTH_account/container/object`` (``prefix:``-marked for prefix URLs), preceded
by ``ip=RANGE\\n`` when the link is restricted to addresses. The URL itself carries
the percent-encoded path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from airflow_provider_swift.client.base.errors import SwiftValidationError
from airflow_provider_swift.client.wire.names import validate_container_name

TEMPURL_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def temp_url(  # noqa: PLR0913 -- one keyword per header (pyproject.toml)
    storage_url: str,
    container: str,
    name: str,
    key: str,
    *,
    method: str = "GET",
    expires_in: int = 3600,
    digest: str = "sha256",
    prefix: bool = False,
    ip_range: str | None = None,
    now: float | None = None,
) -> str:
    """A signed temporary URL.

    :param name: the object, or with ``prefix=True`` the name prefix the URL grants: the
        returned URL then points at the prefix, and the consumer replaces the prefix in
        its path with the full name of any object under it (the query stays as is).
    :param expires_in: seconds from now until the URL stops working.
    :param digest: ``sha256`` (default), ``sha512`` or ``sha1`` (if the cluster allows it).
    :param ip_range: an address or CIDR range the URL is limited to.
    """
    method = method.upper()
    if method not in TEMPURL_METHODS:
        raise SwiftValidationError(
            f"method={method!r}; a temporary URL allows {', '.join(TEMPURL_METHODS)}"
        )
    if digest not in DIGESTS:
        raise SwiftValidationError(f"digest={digest!r}; expected sha256, sha512 or sha1")
    if int(expires_in) <= 0:
        raise SwiftValidationError(f"expires_in={expires_in} must be a positive number")
    if not key:
        raise SwiftValidationError("no temp URL key")
    validate_container_name(container)
    parts = urlsplit(storage_url.rstrip("/"))
    path = f"{unquote(parts.path)}/{container}/{name}"
    expires = int((now if now is not None else time.time()) + int(expires_in))
    signed = f"prefix:{path}" if prefix else path
    body = f"{method}\n{expires}\n{signed}"
    if ip_range:
        body = f"ip={ip_range}\n{body}"
    mac = hmac.new(key.encode("utf-8"), body.encode("utf-8"), DIGESTS[digest])
    if digest == "sha512":
        signature = "sha512:" + base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")
    else:
        signature = mac.hexdigest()
    query = [("temp_url_sig", signature), ("temp_url_expires", str(expires))]
    if prefix:
        query.append(("temp_url_prefix", name))
    if ip_range:
        query.append(("temp_url_ip_range", ip_range))
    return urlunsplit(
        (parts.scheme, parts.netloc, quote(path, safe="/"), urlencode(query, quote_via=quote), "")
    )
