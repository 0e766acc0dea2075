"""Provider metadata read by Airflow through the ``apache_airflow_provider`` entry point."""

from __future__ import annotations

from typing import Any

from airflow_provider_swift import __version__
from airflow_provider_swift.hooks.connection import CONN_FIELDS, UI_FIELD_BEHAVIOUR

ASSETS = "airflow_provider_swift.assets"


def get_provider_info() -> dict[str, Any]:
    """Describe the provider; the connection form is declared statically for Airflow 3."""
    return {
        "package-name": "airflow-provider-swift",
        "name": "OpenStack Swift",
        "description": "Apache Airflow provider for OpenStack Swift object storage.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "OpenStack Swift",
                "external-doc-url": "https://docs.openstack.org/swift/latest/",
                "tags": ["software"],
            }
        ],
        "hooks": [
            {
                "integration-name": "OpenStack Swift",
                "python-modules": ["airflow_provider_swift.hooks.swift"],
            }
        ],
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
                "hook-name": "OpenStack Swift",
                "connection-type": "swift",
                "conn-fields": CONN_FIELDS,
                "ui-field-behaviour": {
                    key.replace("_", "-"): value for key, value in UI_FIELD_BEHAVIOUR.items()
                },
            }
        ],
    }
