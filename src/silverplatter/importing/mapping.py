"""Which column of a file fills which field: canonical fields, presets and mapping files.

Every object type has canonical field names (``email``, ``first_name`` …) —
the header Silverplatter's own export writes.  Other systems' exports are
read through a *mapping*: a preset shipped for HubSpot, Salesforce and
Mautic, or a mapping file in TOML written by the user::

    # Trade-fair leads from the registration desk
    date_order = "dmy"          # dmy, mdy or ymd; sniffed from the data when left out
    timezone = "Europe/Helsinki"  # for times written without an offset (default UTC)
    ignore = ["Notes"]          # columns to leave out

    [columns]
    "Sähköposti" = "email"
    "Yritys" = "account_name"
    "Budjetti" = "custom.budget"

A preset holds one such section per object type (``[contacts]``,
``[contacts.columns]`` …) and may translate values (``[accounts.values.status]``).
Headers match case-insensitively; columns a mapping does not name still
match canonical names and common synonyms.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from silverplatter.domain.vocabulary import PROPERTY_NAME_PATTERN
from silverplatter.importing import ImportFileError
from silverplatter.importing.values import DATE_ORDERS, DateOrder

ObjectType = Literal["accounts", "contacts", "events", "opportunities"]
OBJECT_TYPES: tuple[ObjectType, ...] = ("accounts", "contacts", "events", "opportunities")

#: How a cell becomes a field value, per canonical field.
FIELDS: dict[ObjectType, dict[str, str]] = {
    "accounts": {
        "external_id": "text",
        "name": "text",
        "domain": "text",
        "industry": "text",
        "country": "text",
        "employees": "integer",
        "annual_revenue": "whole_money",
        "value_tier": "word",
        "needs_segment": "text",
        "owner_email": "text",
        "status": "word",
        "created_at": "datetime",
    },
    "contacts": {
        "email": "text",
        "external_id": "text",
        "first_name": "text",
        "last_name": "text",
        "title": "text",
        "seniority": "text",
        "department": "text",
        "decision_role": "text",
        "phone": "text",
        "linkedin_url": "text",
        "country": "text",
        "owner_email": "text",
        "account_domain": "text",
        "account_name": "text",
        "account_external_id": "first_of_list",
        "created_at": "datetime",
    },
    "events": {
        "type": "word",
        "occurred_at": "datetime",
        "idempotency_key": "text",
        "email": "text",
        "contact_id": "integer",
        "visitor_id": "text",
        "account_domain": "text",
        "account_id": "integer",
        "channel": "word",
        "traffic": "word",
        "properties": "json",
    },
    "opportunities": {
        "external_id": "text",
        "name": "text",
        "account_domain": "text",
        "account_name": "text",
        "account_external_id": "first_of_list",
        "contact_email": "text",
        "amount": "money",
        "currency": "upper",
        "stage": "text",
        "status": "word",
        "lost_reason": "text",
        "owner_email": "text",
        "created_at": "datetime",
        "closed_at": "datetime",
        "is_won": "boolean",
        "is_closed": "boolean",
    },
}

#: Each group needs at least one mapped column, or the file cannot be imported.
REQUIRED: dict[ObjectType, tuple[tuple[str, ...], ...]] = {
    "accounts": (("name", "domain", "external_id"),),
    "contacts": (("email",),),
    "events": (
        ("type",),
        ("occurred_at",),
        ("email", "visitor_id", "account_domain", "contact_id", "account_id"),
    ),
    "opportunities": (
        ("name",),
        ("stage",),
        ("account_domain", "account_name", "account_external_id"),
    ),
}

#: Where columns outside the canonical fields go: custom properties or event properties.
FREE_PREFIX: dict[ObjectType, str] = {
    "accounts": "custom.",
    "contacts": "custom.",
    "events": "properties.",
}

#: Common header spellings of canonical fields, used when no mapping names a column.
SYNONYMS: dict[ObjectType, dict[str, str]] = {
    "accounts": {
        "company": "name",
        "company_name": "name",
        "account_name": "name",
        "organization": "name",
        "organisation": "name",
        "website": "domain",
        "url": "domain",
        "company_domain": "domain",
        "company_domain_name": "domain",
        "number_of_employees": "employees",
        "employee_count": "employees",
        "revenue": "annual_revenue",
        "country_region": "country",
        "create_date": "created_at",
        "created_date": "created_at",
        "creation_date": "created_at",
    },
    "contacts": {
        "email_address": "email",
        "e_mail": "email",
        "firstname": "first_name",
        "given_name": "first_name",
        "lastname": "last_name",
        "surname": "last_name",
        "family_name": "last_name",
        "job_title": "title",
        "company": "account_name",
        "company_name": "account_name",
        "organization": "account_name",
        "organisation": "account_name",
        "website": "account_domain",
        "company_domain": "account_domain",
        "phone_number": "phone",
        "mobile": "phone",
        "mobile_phone": "phone",
        "linkedin": "linkedin_url",
        "country_region": "country",
        "create_date": "created_at",
        "created_date": "created_at",
        "creation_date": "created_at",
    },
    "events": {
        "event": "type",
        "event_type": "type",
        "timestamp": "occurred_at",
        "time": "occurred_at",
        "email_address": "email",
    },
    "opportunities": {
        "deal_name": "name",
        "opportunity_name": "name",
        "deal_stage": "stage",
        "company": "account_name",
        "company_name": "account_name",
        "company_domain": "account_domain",
        "close_date": "closed_at",
        "create_date": "created_at",
        "created_date": "created_at",
    },
}

#: Columns the importer itself adds to a rejects file; re-importing a fixed
#: rejects file leaves them out.
REJECT_COLUMNS = ("row_number", "reason")

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def header_key(text: str) -> str:
    """A header for matching: case-folded, spaces collapsed."""
    return " ".join(text.replace("\ufeff", "").strip().strip('"').casefold().split())


def snake_name(text: str) -> str:
    """A property name from a column header: ``Lead Status`` → ``lead_status``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = _NOT_WORD.sub("_", plain.lower()).strip("_")[:100].rstrip("_")
    if not name:
        return "column"
    return name if name[0].isalpha() else f"p_{name}"[:100]


def fold_value(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Mapping:
    """How one file's columns become one object type's fields."""

    name: str
    object_type: ObjectType
    columns: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_order: DateOrder | None = None
    timezone: str | None = None
    decimal_separator: str | None = None
    won_stages: frozenset[str] = frozenset()
    lost_stages: frozenset[str] = frozenset()
    #: Whether columns the mapping does not name may still match canonical names
    #: and synonyms.  Presets name every column they mean, so they do not.
    fallback: bool = True


def is_target(object_type: ObjectType, target: str) -> bool:
    prefix = FREE_PREFIX.get(object_type)
    if prefix is not None and target.startswith(prefix):
        return bool(PROPERTY_NAME_PATTERN.match(target[len(prefix) :]))
    return target in FIELDS[object_type]


def _option(section: dict[str, Any], top: dict[str, Any], key: str) -> Any:
    return section.get(key, top.get(key))


def _mapping_from(
    data: dict[str, Any], object_type: ObjectType, name: str, where: str, *, fallback: bool
) -> Mapping:
    section = data.get(object_type)
    if section is None:
        if not isinstance(data.get("columns"), dict):
            kinds = [kind for kind in OBJECT_TYPES if isinstance(data.get(kind), dict)]
            raise ImportFileError(
                f"{where} has no columns for {object_type}"
                + (f" (it has {', '.join(kinds)})" if kinds else "")
            )
        section = data
    columns: dict[str, str] = {}
    for header, target in dict(section.get("columns", {})).items():
        if not isinstance(target, str) or not is_target(object_type, target):
            raise ImportFileError(
                f"{where}: column {header!r} maps to {target!r}, which is not a field of "
                f"{object_type} (fields: {', '.join(FIELDS[object_type])}"
                + (f", or {FREE_PREFIX[object_type]}<name>)" if object_type in FREE_PREFIX else ")")
            )
        columns[header_key(header)] = target
    values = {
        target: {fold_value(raw): str(canonical) for raw, canonical in table.items()}
        for target, table in dict(section.get("values", {})).items()
    }
    date_order = _option(section, data, "date_order")
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ImportFileError(f"{where}: date_order must be one of {', '.join(DATE_ORDERS)}")
    won = section.get("won_stages", ())
    lost = section.get("lost_stages", ())
    return Mapping(
        name=name,
        object_type=object_type,
        columns=columns,
        ignore=frozenset(header_key(h) for h in _option(section, data, "ignore") or ()),
        values=values,
        date_order=cast(DateOrder | None, date_order),
        timezone=_option(section, data, "timezone"),
        decimal_separator=_option(section, data, "decimal_separator"),
        won_stages=frozenset(map(fold_value, won)),
        lost_stages=frozenset(map(fold_value, lost)),
        fallback=fallback,
    )


def preset_names() -> list[str]:
    folder = resources.files("silverplatter.importing") / "presets"
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


def load_preset(name: str, object_type: ObjectType) -> Mapping:
    """A shipped preset; :class:`ImportFileError` names the known ones when it is unknown."""
    known = preset_names()
    key = name.strip().lower()
    if key not in known:
        raise ImportFileError(f"unknown preset {name!r}: choose one of {', '.join(known)}")
    text = (resources.files("silverplatter.importing") / "presets" / f"{key}.toml").read_text(
        encoding="utf-8"
    )
    return _mapping_from(tomllib.loads(text), object_type, key, f"the {key} preset", fallback=False)


def load_mapping_file(path: Path, object_type: ObjectType) -> Mapping:
    """A user's mapping file; :class:`ImportFileError` says what is wrong with it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise ImportFileError(f"cannot read mapping file {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"mapping file {path.name} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ImportFileError(f"mapping file {path.name} is not valid TOML: {error}") from None
    return _mapping_from(data, object_type, path.name, f"mapping file {path.name}", fallback=True)


def native_mapping(object_type: ObjectType) -> Mapping:
    """Silverplatter's own layout: canonical names, their synonyms, nothing else."""
    return Mapping(name="native", object_type=object_type)


def canonical_target(mapping: Mapping, header: str) -> str | None:
    """The field a header fills under ``mapping``, or ``None``."""
    key = header_key(header)
    if key in mapping.columns:
        return mapping.columns[key]
    object_type = mapping.object_type
    prefix = FREE_PREFIX.get(object_type)
    if prefix is not None and key.startswith(prefix) and is_target(object_type, key):
        return key
    if not mapping.fallback:
        return None
    snake = snake_name(header)
    if snake in FIELDS[object_type]:
        return snake
    return SYNONYMS[object_type].get(snake)


def describe_required(group: tuple[str, ...]) -> str:
    return group[0] if len(group) == 1 else f"any of {', '.join(group)}"
