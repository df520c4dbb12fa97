"""The tier × needs matrix (domain §8): needs segments, offer modules per cell, care models.

* A **needs segment** groups customers by a shared worry — usually two or
  three, rarely more.  It has a name (what ``accounts.needs_segment`` holds),
  a slug (how the API names it), a position (its column in the pyramid, and
  its priority: an account belongs to the *first* needs segment, by position,
  that any of its contacts matches) and the segment rule that defines it.
* An **offer cell** lists the offer modules sold to one tier in one needs
  segment (a basic offer for everyone, segment modules, silver modules,
  tailored gold modules) with notes; module names are free text.
* A **care model** says how a tier is looked after: a description, touches a
  year, channels and the role that owns the relationship (standardised and
  online for bronze, more face to face for silver, tailored for gold).

Pure checks: each function returns the cleaned value or raises
:class:`MatrixInvalid` with errors naming the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from silverplatter.domain.vocabulary import USER_ROLES

SLUG: Final = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
MAX_NAME: Final = 100
MAX_DESCRIPTION: Final = 2000
MAX_MODULES: Final = 30
MAX_MODULE: Final = 100
MAX_NOTES: Final = 2000
MAX_CHANNELS: Final = 12
MAX_CHANNEL: Final = 40
MAX_TOUCHES: Final = 1000
#: How many needs segments a matrix may have: the pyramid stays readable.
MAX_NEEDS_SEGMENTS: Final = 8


@dataclass(frozen=True, slots=True)
class MatrixError:
    field: str
    message: str


class MatrixInvalid(ValueError):
    """Bad input for a needs segment, an offer cell or a care model."""

    def __init__(self, errors: Sequence[MatrixError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


def invalid(field: str, message: str) -> MatrixInvalid:
    return MatrixInvalid([MatrixError(field, message)])


@dataclass(frozen=True, slots=True)
class NeedsSegmentFields:
    name: str
    slug: str
    description: str | None
    segment: str | None


@dataclass(frozen=True, slots=True)
class CareModelFields:
    description: str | None
    touches_per_year: int | None
    channels: tuple[str, ...]
    owner_role: str | None


def slug_from(name: str) -> str:
    """``Delivery reliability`` → ``delivery-reliability``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:100].rstrip("-")


def _text(value: Any, field: str, limit: int, errors: list[MatrixError]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(MatrixError(field, f"expected text, got {value!r}"))
        return None
    cleaned = value.strip()
    if len(cleaned) > limit:
        errors.append(MatrixError(field, f"at most {limit} characters, got {len(cleaned)}"))
        return None
    return cleaned or None


def _one_line(value: Any, field: str, limit: int, errors: list[MatrixError]) -> str | None:
    cleaned = _text(value, field, limit, errors)
    return None if cleaned is None else " ".join(cleaned.split())


def needs_segment_fields(document: Mapping[str, Any]) -> NeedsSegmentFields:
    """A needs segment's name, slug (from the name when not given), description and
    segment (a segment's slug, or None)."""
    errors: list[MatrixError] = []
    for key in document:
        if key not in ("name", "slug", "description", "segment"):
            errors.append(
                MatrixError(key, "unknown field; expected name, slug, description, segment")
            )
    name = _one_line(document.get("name"), "name", MAX_NAME, errors)
    if name is None and not any(e.field == "name" for e in errors):
        errors.append(MatrixError("name", "give the needs segment a name"))
    raw_slug = document.get("slug")
    slug = _one_line(raw_slug, "slug", 100, errors) if raw_slug not in (None, "") else None
    if slug is None and name is not None:
        slug = slug_from(name)
        if not slug:
            errors.append(MatrixError("slug", "the name has no letters or digits; give a slug"))
    elif slug is not None and not SLUG.match(slug):
        errors.append(
            MatrixError(
                "slug",
                "use 1–100 lower-case letters, digits and hyphens, "
                "starting and ending with a letter or digit",
            )
        )
    description = _text(document.get("description"), "description", MAX_DESCRIPTION, errors)
    segment = _one_line(document.get("segment"), "segment", 100, errors)
    if errors or name is None or slug is None:
        raise MatrixInvalid(errors)
    return NeedsSegmentFields(name, slug, description, segment)


def _listed(value: Any, field: str, limit: int, each: int, errors: list[MatrixError]) -> list[str]:
    """A list of short texts, in order, without blanks or repeats (ignoring case)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        errors.append(MatrixError(field, f"expected a list of texts, got {value!r}"))
        return []
    found: list[str] = []
    seen: set[str] = set()
    for number, item in enumerate(value):
        cleaned = _one_line(item, f"{field}[{number}]", each, errors)
        if cleaned is None or cleaned.casefold() in seen:
            continue
        seen.add(cleaned.casefold())
        found.append(cleaned)
    if len(found) > limit:
        errors.append(MatrixError(field, f"at most {limit} entries, got {len(found)}"))
    return found


def offer_cell_fields(modules: Any, notes: Any, *, where: str = "") -> tuple[list[str], str | None]:
    """A cell's module names (a list, or text with one module a line) and notes."""
    errors: list[MatrixError] = []
    found = _listed(modules, f"{where}modules", MAX_MODULES, MAX_MODULE, errors)
    cleaned = _text(notes, f"{where}notes", MAX_NOTES, errors)
    if errors:
        raise MatrixInvalid(errors)
    return found, cleaned


def _touches(value: Any, errors: list[MatrixError]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TOUCHES:
        errors.append(
            MatrixError(
                "touches_per_year",
                f"expected a whole number from 0 to {MAX_TOUCHES}, got {value!r}",
            )
        )
        return None
    return value


def care_model_fields(document: Mapping[str, Any]) -> CareModelFields:
    """A tier's care model: description, touches a year, channels, owner role."""
    errors: list[MatrixError] = []
    for key in document:
        if key not in ("description", "touches_per_year", "channels", "owner_role"):
            errors.append(
                MatrixError(
                    key,
                    "unknown field; expected description, touches_per_year, channels, owner_role",
                )
            )
    description = _text(document.get("description"), "description", MAX_DESCRIPTION, errors)
    touches = _touches(document.get("touches_per_year"), errors)
    channels = _listed(document.get("channels"), "channels", MAX_CHANNELS, MAX_CHANNEL, errors)
    role = document.get("owner_role")
    if role in (None, ""):
        role = None
    elif role not in USER_ROLES:
        errors.append(
            MatrixError("owner_role", f"expected one of {', '.join(USER_ROLES)}, got {role!r}")
        )
        role = None
    if errors:
        raise MatrixInvalid(errors)
    return CareModelFields(description, touches, tuple(channels), role)


def check_order(given: Sequence[str], known: Sequence[str], field: str = "order") -> list[str]:
    """``given`` must name every one of ``known`` exactly once."""
    missing = [slug for slug in known if slug not in given]
    unknown = [slug for slug in given if slug not in known]
    repeated = sorted({slug for slug in given if list(given).count(slug) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown: {', '.join(unknown)}")
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    if repeated:
        problems.append(f"named twice: {', '.join(repeated)}")
    if problems:
        raise invalid(field, "name every needs segment once; " + "; ".join(problems))
    return list(given)


__all__ = [
    "MAX_NEEDS_SEGMENTS",
    "CareModelFields",
    "MatrixError",
    "MatrixInvalid",
    "NeedsSegmentFields",
    "care_model_fields",
    "check_order",
    "invalid",
    "needs_segment_fields",
    "offer_cell_fields",
    "slug_from",
]
