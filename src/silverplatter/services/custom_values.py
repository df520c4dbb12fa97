"""Checking custom property values against their definitions, per batch."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from silverplatter.domain.identity import InvalidValue
from silverplatter.domain.properties import PropertyDefinition, coerce_property_value
from silverplatter.storage import properties as property_store


class CustomValueChecker:
    """Coerces ``custom`` documents for one object type, creating definitions when asked."""

    def __init__(
        self, connection: Connection, object_type: str, *, create: bool, now: datetime
    ) -> None:
        self._connection = connection
        self._object_type = object_type
        self._create = create
        self._now = now
        self._definitions = property_store.definitions_for(connection, object_type)

    def check(self, custom: Mapping[str, Any]) -> dict[str, Any]:
        """The stored form of ``custom``; :class:`InvalidValue` names the bad property."""
        stored: dict[str, Any] = {}
        for name, value in custom.items():
            definition = self._definitions.get(name) or self._define(name, value)
            try:
                stored[name] = coerce_property_value(definition, value)
            except InvalidValue as error:
                raise InvalidValue(f"custom.{error}") from None
        return stored

    def _define(self, name: str, value: Any) -> PropertyDefinition:
        """A new text property (callers that know better define typed ones first)."""
        if not self._create:
            raise InvalidValue(
                f"custom.{name}: no such {self._object_type} property; define it first "
                "or import with unknown columns as new properties"
            )
        definition = property_store.create_definition(
            self._connection,
            object_type=self._object_type,
            name=name,
            label=name.replace("_", " ").capitalize(),
            type="text",
            options=None,
            now=self._now,
        )
        self._definitions[name] = definition
        return definition
