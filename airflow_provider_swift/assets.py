"""``swift://container/object`` assets: URI checks, creation, OpenLineage datasets."""

from __future__ import annotations

from typing import Any
from urllib.parse import SplitResult, urlsplit

from airflow_provider_swift.openlineage import namespace


def sanitize_uri(uri: SplitResult) -> SplitResult:
    """Check a ``swift://`` asset URI: it names a container (and maybe an object)."""
    if not uri.netloc:
        raise ValueError("URI format swift:// must contain a container name")
    if "@" in uri.netloc:
        raise ValueError(
            "swift:// asset URIs name a container, not a connection: use "
            "swift://<container>/<object>"
        )
    return uri._replace(path=uri.path.rstrip("/") if uri.path != "/" else "")


def create_asset(*, container: str, name: str = "", extra: dict[str, Any] | None = None) -> Any:
    """An Asset for a container or an object."""
    from airflow.providers.common.compat.sdk import Asset

    path = "/" + name.lstrip("/") if name else ""
    return Asset(uri=f"swift://{container}{path}", extra=extra)


def convert_asset_to_openlineage(asset: Any, lineage_context: Any) -> Any:
    """The OpenLineage dataset of a ``swift://`` asset (same naming as the operators')."""
    from airflow.providers.common.compat.openlineage.facet import Dataset

    parsed = urlsplit(asset.uri)
    return Dataset(namespace=namespace(parsed.netloc), name=parsed.path.lstrip("/") or "/")
