"""Statements for custom property definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from silverplatter.domain.properties import PropertyDefinition
from silverplatter.storage.schema import property_definitions


def definitions_for(connection: Connection, object_type: str) -> dict[str, PropertyDefinition]:
    rows = connection.execute(
        select(property_definitions).where(property_definitions.c.object_type == object_type)
    )
    return {row.name: PropertyDefinition.from_row(row) for row in rows}


def all_definitions(connection: Connection) -> list[PropertyDefinition]:
    rows = connection.execute(
        select(property_definitions).order_by(
            property_definitions.c.object_type, property_definitions.c.name
        )
    )
    return [PropertyDefinition.from_row(row) for row in rows]


def create_definition(
    connection: Connection,
    *,
    object_type: str,
    name: str,
    label: str,
    type: str,
    options: dict[str, Any] | None,
    now: datetime,
) -> PropertyDefinition:
    connection.execute(
        property_definitions.insert().values(
            object_type=object_type,
            name=name,
            label=label,
            type=type,
            options=options,
            created_at=now,
        )
    )
    return PropertyDefinition(
        object_type=object_type,
        name=name,
        label=label,
        type=type,
        choices=tuple((options or {}).get("choices", ())),
        multiple=bool((options or {}).get("multiple", False)),
        options=dict(options or {}),
    )
