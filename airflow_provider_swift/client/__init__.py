"""Airflow-free OpenStack Swift client: auth, transport, and one method per REST request."""

from __future__ import annotations

from airflow_provider_swift.client.base.errors import (
    SwiftAuthenticationError,
    SwiftBodyNotRewindableError,
    SwiftChecksumError,
    SwiftConflictError,
    SwiftConnectionError,
    SwiftError,
    SwiftForbiddenError,
    SwiftHTTPError,
    SwiftLocalNameError,
    SwiftNameCollisionError,
    SwiftNotFoundError,
    SwiftPathTraversalError,
    SwiftPreconditionFailedError,
    SwiftRateLimitedError,
    SwiftSegmentsUnknownError,
    SwiftServerError,
    SwiftSourceChangedError,
    SwiftTimeoutError,
    SwiftTLSError,
    SwiftUnprocessableError,
    SwiftUnverifiedError,
    SwiftValidationError,
)
from airflow_provider_swift.client.client import SwiftClient
from airflow_provider_swift.client.large.reads import DownloadResult
from airflow_provider_swift.client.rest.objects import PutResult
from airflow_provider_swift.client.wire.auth import AUTH_TYPES, AuthOptions, TempAuth
from airflow_provider_swift.client.wire.retry import RetryPolicy
from airflow_provider_swift.client.wire.transport import TransportOptions

__all__ = [
    "AUTH_TYPES",
    "AuthOptions",
    "DownloadResult",
    "PutResult",
    "RetryPolicy",
    "SwiftAuthenticationError",
    "SwiftBodyNotRewindableError",
    "SwiftChecksumError",
    "SwiftClient",
    "SwiftConflictError",
    "SwiftConnectionError",
    "SwiftError",
    "SwiftForbiddenError",
    "SwiftHTTPError",
    "SwiftLocalNameError",
    "SwiftNameCollisionError",
    "SwiftNotFoundError",
    "SwiftPathTraversalError",
    "SwiftPreconditionFailedError",
    "SwiftRateLimitedError",
    "SwiftSegmentsUnknownError",
    "SwiftServerError",
    "SwiftSourceChangedError",
    "SwiftTLSError",
    "SwiftTimeoutError",
    "SwiftUnprocessableError",
    "SwiftUnverifiedError",
    "SwiftValidationError",
    "TempAuth",
    "TransportOptions",
]
