"""Provider metadata read by Airflow through the ``apache_airflow_provider`` entry point.

Airflow imports this in every process, so it imports nothing but the form's data.
Validated against Airflow's own ``provider_info.schema.json`` in ``tests/test_provider.py``;
the documentation link on Airflow's Providers page comes from ``[project.urls]``
(``Documentation``) in pyproject.toml, not from here.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_swift import __version__
from airflow_provider_swift.hooks.form import CONN_FIELDS, UI_FIELD_BEHAVIOUR

INTEGRATION = "OpenStack Swift"
ASSETS = "airflow_provider_swift.assets"


def _modules(*names: str) -> list[dict[str, Any]]:
    return [{"integration-name": INTEGRATION, "python-modules": list(names)}]


def get_provider_info() -> dict[str, Any]:
    """Describe the provider; the connection form is declared statically for Airflow 3."""
    return {
        "package-name": "airflow-provider-swift",
        "name": "OpenStack Swift",
        "description": "Apache Airflow provider for OpenStack Swift object storage.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": INTEGRATION,
                "external-doc-url": "https://docs.openstack.org/swift/latest/",
                "tags": ["software"],
            }
        ],
        "operators": _modules(
            "airflow_provider_swift.operators.container",
            "airflow_provider_swift.operators.object",
            "airflow_provider_swift.operators.copy",
            "airflow_provider_swift.operators.lifecycle",
            "airflow_provider_swift.operators.sync",
        ),
        # Swift to Swift (another account or cluster) is declared as Airflow declares
        # its transfer operators: here, not under "operators"
        "transfers": [
            {
                "source-integration-name": INTEGRATION,
                "target-integration-name": INTEGRATION,
                "python-module": "airflow_provider_swift.operators.transfer",
            }
        ],
        "sensors": _modules("airflow_provider_swift.sensors.swift"),
        "triggers": _modules("airflow_provider_swift.triggers.swift"),
        "hooks": _modules("airflow_provider_swift.hooks.swift"),
        "filesystems": ["airflow_provider_swift.fs.swift"],
        "asset-uris": [
            {
                "schemes": ["swift"],
                "handler": f"{ASSETS}.sanitize_uri",
                "to_openlineage_converter": f"{ASSETS}.convert_asset_to_openlineage",
                "factory": f"{ASSETS}.create_asset",
            }
        ],
        "connection-types": [
            {
                "hook-class-name": "airflow_provider_swift.hooks.swift.SwiftHook",
                "hook-name": INTEGRATION,
                "connection-type": "swift",
                "conn-fields": CONN_FIELDS,
                "ui-field-behaviour": {
                    key.replace("_", "-"): value for key, value in UI_FIELD_BEHAVIOUR.items()
                },
            }
        ],
    }
