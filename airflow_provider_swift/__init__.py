"""Apache Airflow provider for OpenStack Swift object storage."""

from __future__ import annotations

from airflow_provider_swift.fs.syntax import declare_path_syntax

__version__ = "0.1.0"

# before any swift:// path is parsed (fs/syntax.py says why it must be this early)
declare_path_syntax(strict=False)
