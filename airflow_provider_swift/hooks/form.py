"""The ``swift`` connection form, declared as data for Airflow's connection dialog.

Airflow 3 renders a connection type's extra fields from the static ``conn-fields`` of
the provider info (JSON-schema per field; ``section`` groups fields into collapsible
panels, ``values_display`` labels dropdown choices, ``format: password`` makes a
masked input). What this form is built around, all checked in a real Airflow 3.3 UI
(``tests/ui/test_connection_form.py``):

- The dialog writes *every* extra field into the Extra JSON, ``null`` for the ones
  left empty, and writes a field's ``default`` as if the user had typed it. So no
  field has a ``default``: an untouched field stays ``null``, which the connection
  mapping reads as "unset", and the help text says what unset means.
- Airflow hides a value in the REST API, the UI and the CLI's redacted views by the
  *name* of the extra (``password``, ``secret``, ``token``, ... in
  ``[core] sensitive_var_conn_names``), never by ``format: password``. So every
  secret extra has such a name: ``application_credential_secret``, ``token`` and
  ``temp_url_secret`` (the temp URL key; ``temp_url_key`` is not a sensitive name).
- Placeholders apply to standard fields only; extra fields get help text instead.

This module imports nothing heavy: Airflow loads it with the provider info in every
process (the client is not needed to draw a form).
"""

from __future__ import annotations

from typing import Any

#: The auth types, as the client names them (``client.auth.AUTH_TYPES``; a test keeps
#: the two equal), with what the dropdown shows.
AUTH_TYPE_LABELS: dict[str, str] = {
    "tempauth": "tempauth / Swift's own auth (auth URL ends in /auth/v1.0)",
    "password": "Keystone v3: user name and password",
    "application_credential": "Keystone v3: application credential",
    "token": "Keystone v3: existing token",
    "preauthenticated": "Storage URL and token (no auth service)",
}

#: The extras that hold secrets: masked inputs, and names Airflow treats as sensitive.
SECRET_FIELDS = ("application_credential_secret", "token", "temp_url_secret")

AUTH = "Swift: authentication"
KEYSTONE = "Swift: Keystone v3 scope and endpoint"
TEMP_URLS = "Swift: temporary URLs"
TLS = "Swift: TLS"
NETWORK = "Swift: timeouts and retries"
PATHS = "Swift: swift:// paths (ObjectStoragePath)"


def _field(
    label: str,
    section: str,
    description: str,
    kind: str = "string",
    **schema: Any,
) -> dict[str, Any]:
    """One ``conn-fields`` entry: nullable (empty means unset), never a default."""
    return {
        "label": label,
        "description": description,
        "schema": {"type": [kind, "null"], "section": section, **schema},
    }


def _choice(label: str, section: str, description: str, choices: dict[str, str]) -> dict[str, Any]:
    """A labelled dropdown; empty (cleared) means the default, so ``null`` is no choice."""
    return _field(label, section, description, enum=list(choices), values_display=choices)


def _secret(label: str, section: str, description: str) -> dict[str, Any]:
    return _field(label, section, description, format="password")


#: Extra fields of a ``swift`` connection, in Airflow's static ``conn-fields`` form, in
#: the order the dialog shows them.
CONN_FIELDS: dict[str, dict[str, Any]] = {
    "auth_type": _choice(
        "Auth type",
        AUTH,
        "How to authenticate. Empty: inferred (tempauth for /auth/v1.0 URLs, Keystone "
        "password or token for /v3 URLs, application credential when its ID or name is "
        "set, storage URL and token when there is no auth URL).",
        AUTH_TYPE_LABELS,
    ),
    "application_credential_id": _field(
        "Application credential ID",
        AUTH,
        "Application credential: its ID, e.g. 21dced0fd20347869b93710d2b98aae0.",
    ),
    "application_credential_name": _field(
        "Application credential name",
        AUTH,
        "Application credential: its name, instead of the ID (then User and the user "
        "domain are needed too).",
    ),
    "application_credential_secret": _secret(
        "Application credential secret",
        AUTH,
        "Application credential: the secret (or put it in the Password field). Masked.",
    ),
    "token": _secret(
        "Token",
        AUTH,
        "Keystone token, or the token for a storage URL (or put it in the Password field). Masked.",
    ),
    "storage_url": _field(
        "Storage URL",
        AUTH,
        "Use this account URL instead of the one from auth; required without an auth "
        "service, e.g. https://swift.example.com/v1/AUTH_data.",
    ),
    "project_name": _field(
        "Project name", KEYSTONE, "Keystone project to scope to, e.g. data-platform."
    ),
    "project_domain_name": _field(
        "Project domain name", KEYSTONE, "Domain of the project. Empty: Default."
    ),
    "user_domain_name": _field("User domain name", KEYSTONE, "Domain of the user. Empty: Default."),
    "project_id": _field("Project ID", KEYSTONE, "Project by ID, instead of its name and domain."),
    "project_domain_id": _field("Project domain ID", KEYSTONE, "Project domain by ID."),
    "user_domain_id": _field("User domain ID", KEYSTONE, "User domain by ID."),
    "region_name": _field(
        "Region",
        KEYSTONE,
        "Region of the object-store endpoint in the catalog, e.g. RegionOne. Empty: any.",
    ),
    "interface": _choice(
        "Endpoint interface",
        KEYSTONE,
        "Which catalog endpoint to use. Empty: public.",
        {"public": "public", "internal": "internal", "admin": "admin"},
    ),
    "temp_url_secret": _secret(
        "Temp URL key",
        TEMP_URLS,
        "Key that signs temporary URLs. Empty: the account's or the container's "
        "Temp-URL-Key metadata. Masked.",
    ),
    "insecure": _field(
        "Skip TLS certificate verification",
        TLS,
        "Only for test clusters with self-signed certificates. Off: certificates are verified.",
        "boolean",
    ),
    "ca_cert": _field(
        "CA bundle file",
        TLS,
        "Verify the server against this CA bundle, e.g. /etc/ssl/certs/internal-ca.pem.",
    ),
    "client_cert": _field("Client certificate file", TLS, "For mutual TLS: a PEM certificate."),
    "client_key": _field(
        "Client key file", TLS, "For mutual TLS: its key, if not in the certificate file."
    ),
    "connect_timeout": _field(
        "Connect timeout (s)", NETWORK, "Seconds to open a connection. Empty: 10.", "number"
    ),
    "read_timeout": _field(
        "Read timeout (s)", NETWORK, "Seconds to wait for the server. Empty: 60.", "number"
    ),
    "retry_max_attempts": _field(
        "Attempts per request",
        NETWORK,
        "Including the first; retried on connection errors, 408, 429, 498 and 5xx. Empty: 5.",
        "integer",
        minimum=1,
    ),
    "retry_deadline": _field(
        "Retry deadline (s)",
        NETWORK,
        "No new attempt after this many seconds. Empty: 300.",
        "number",
    ),
    "segment_size": _field(
        "Segment size (bytes)",
        PATHS,
        "Files written through swift:// paths past this size become large objects, "
        "e.g. 1073741824. Empty: the cluster's max_file_size.",
        "integer",
        minimum=1,
    ),
    "large_object": _choice(
        "Large object kind",
        PATHS,
        "How large files written through swift:// paths are stored. Empty: SLO.",
        {"slo": "Static large object (SLO)", "dlo": "Dynamic large object (DLO)"},
    ),
}

#: Standard fields: relabelled, with placeholders (Airflow applies placeholders to
#: these only). Port stays visible: the connection list's Test button needs a stored
#: port (docs/connections.md, "Testing from the UI").
UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden_fields": ["schema"],
    "relabeling": {"host": "Auth URL", "login": "User", "password": "Password / key"},
    "placeholders": {
        "host": "http://127.0.0.1:8080/auth/v1.0 or https://keystone.example.com:5000/v3",
        "port": "the auth URL's port, e.g. 8080 or 443 (needed by the Test button)",
        "login": "account:user (tempauth) or Keystone user name",
        "password": "tempauth key, Keystone password, or a secret / token",
    },
}
