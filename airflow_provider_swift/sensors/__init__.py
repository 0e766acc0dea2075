"""Sensors that wait on Swift objects and prefixes."""

from __future__ import annotations

from airflow_provider_swift.sensors.swift import (
    SwiftObjectChangedSensor,
    SwiftObjectSensor,
    SwiftPrefixQuiescenceSensor,
)

__all__ = ["SwiftObjectChangedSensor", "SwiftObjectSensor", "SwiftPrefixQuiescenceSensor"]
