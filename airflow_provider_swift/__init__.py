"""Apache Airflow provider for OpenStack Swift object storage."""

from __future__ import annotations

__version__ = "0.1.0"
