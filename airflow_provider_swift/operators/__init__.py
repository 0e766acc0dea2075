"""Operators: each validates its arguments, leaves the work to SwiftHook, returns XCom."""

from __future__ import annotations

from airflow_provider_swift.operators.container import (
    SwiftCreateContainerOperator,
    SwiftDeleteContainerOperator,
)
from airflow_provider_swift.operators.copy import SwiftCopyObjectOperator, SwiftMoveObjectOperator
from airflow_provider_swift.operators.lifecycle import (
    SwiftExpireObjectOperator,
    SwiftTempUrlOperator,
)
from airflow_provider_swift.operators.object import (
    SwiftCreateObjectOperator,
    SwiftDeleteObjectsOperator,
    SwiftDownloadOperator,
    SwiftListOperator,
    SwiftUpdateMetadataOperator,
    SwiftUploadOperator,
)
from airflow_provider_swift.operators.sync import SwiftSyncOperator
from airflow_provider_swift.operators.transfer import SwiftToSwiftOperator

__all__ = [
    "SwiftCopyObjectOperator",
    "SwiftCreateContainerOperator",
    "SwiftCreateObjectOperator",
    "SwiftDeleteContainerOperator",
    "SwiftDeleteObjectsOperator",
    "SwiftDownloadOperator",
    "SwiftExpireObjectOperator",
    "SwiftListOperator",
    "SwiftMoveObjectOperator",
    "SwiftSyncOperator",
    "SwiftTempUrlOperator",
    "SwiftToSwiftOperator",
    "SwiftUpdateMetadataOperator",
    "SwiftUploadOperator",
]
