"""Imported people lists: which columns a file may have and what a good row is (domain §11).

Two kinds of list: ``social_followers`` (people who follow us on LinkedIn, X
…) and ``nps_survey`` (customer-satisfaction respondents).  Columns are found
by header, case and spacing aside; the accepted headers of each field:

========================  ===================================================
field                     headers
========================  ===================================================
``email``                 email, e-mail, email address, mail
``full_name``             full_name, full name, name — or first_name and
                          last_name (first name, last name), joined
``company``               company, company name, organisation, organization,
                          account
``linkedin_url``          linkedin_url, linkedin, linkedin url, profile url
``handle``                handle, username, screen name
``score``                 score, nps, nps score, rating
``comment``               comment, comments, feedback
``answered_at``           answered_at, answered at, date, submitted at,
                          timestamp
========================  ===================================================

Other columns are ignored and named in the import's summary.  A file needs
one column that says who a person is (e-mail, name, LinkedIn URL or handle);
an NPS survey also needs a score column.  A row must say who the person is,
and an NPS row must carry its score, a whole number 0–10.  A bad value is
refused naming the row (as a spreadsheet numbers it, the header being row 1),
the field and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from silverplatter.domain.identity import InvalidValue, normalise_email, normalise_linkedin_url
from silverplatter.importing.values import parse_datetime

ListKind = Literal["social_followers", "nps_survey"]
LIST_KINDS: Final[tuple[ListKind, ...]] = ("social_followers", "nps_survey")
KIND_LABELS: Final = {"social_followers": "Social followers", "nps_survey": "NPS survey"}

HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "email": ("email", "e_mail", "email_address", "mail"),
    "full_name": ("full_name", "name"),
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "company": ("company", "company_name", "organisation", "organization", "account"),
    "linkedin_url": ("linkedin_url", "linkedin", "profile_url"),
    "handle": ("handle", "username", "screen_name"),
    "score": ("score", "nps", "nps_score", "rating"),
    "comment": ("comment", "comments", "feedback"),
    "answered_at": ("answered_at", "date", "submitted_at", "timestamp"),
}
IDENTIFYING: Final = ("email", "full_name", "first_name", "last_name", "linkedin_url", "handle")
LIMITS: Final = {"full_name": 200, "company": 300, "handle": 200, "comment": 5000}
_SEPARATORS = re.compile(r"[\s\-.]+")


class PeopleListError(ValueError):
    """A file or a row that cannot be imported; ``row`` is ``None`` for the whole file."""

    def __init__(self, message: str, *, row: int | None = None, field: str | None = None) -> None:
        where = f"row {row}, {field}: " if row is not None and field else ""
        super().__init__(f"{where}{message}")
        self.row = row
        self.field = field


@dataclass(frozen=True, slots=True)
class Columns:
    """Which position of a record holds each field, and the headers left unused."""

    positions: dict[str, int]
    ignored: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Person:
    """One good row of a list."""

    row: int
    email: str | None = None
    email_key: str | None = None
    full_name: str | None = None
    company: str | None = None
    linkedin_url: str | None = None
    handle: str | None = None
    score: int | None = None
    comment: str | None = None
    answered_at: datetime | None = None


def header_key(header: str) -> str:
    """A header as compared: lower case, words joined by ``_``."""
    return _SEPARATORS.sub("_", header.strip().lower()).strip("_")


def find_columns(header: Sequence[str], kind: str) -> Columns:
    """Map a header to fields; :class:`PeopleListError` when it cannot be a list of ``kind``."""
    if kind not in LIST_KINDS:
        raise PeopleListError(f"kind: expected one of {', '.join(LIST_KINDS)}, not {kind!r}")
    by_header = {alias: field for field, aliases in HEADERS.items() for alias in aliases}
    positions: dict[str, int] = {}
    ignored = []
    for index, title in enumerate(header):
        field = by_header.get(header_key(title))
        if field is None or field in positions:
            ignored.append(title)
        else:
            positions[field] = index
    if not any(field in positions for field in IDENTIFYING):
        raise PeopleListError(
            "the file has no column saying who a person is: expected a header email, name, "
            f"full_name, linkedin_url or handle; found {', '.join(header) or 'none'}"
        )
    if kind == "nps_survey" and "score" not in positions:
        raise PeopleListError("an NPS survey needs a score column (score, nps or rating)")
    return Columns(positions, tuple(ignored))


def _score(text: str, row: int) -> int:
    try:
        score = int(text)
    except ValueError:
        raise PeopleListError(
            f"expected a whole number from 0 to 10, got {text!r}", row=row, field="score"
        ) from None
    if not 0 <= score <= 10:
        raise PeopleListError(
            f"expected a whole number from 0 to 10, got {score}", row=row, field="score"
        )
    return score


def read_person(values: Sequence[str], columns: Columns, *, row: int, kind: str) -> Person:
    """One record as a :class:`Person`; :class:`PeopleListError` naming the row and field."""
    raw: dict[str, str] = {}
    for field, index in columns.positions.items():
        value = values[index].strip() if index < len(values) else ""
        if value:
            raw[field] = value
    names = " ".join(raw[part] for part in ("first_name", "last_name") if part in raw)
    full_name = raw.get("full_name") or names or None
    fields: dict[str, object] = {"full_name": full_name}
    for field, limit in LIMITS.items():
        text = full_name if field == "full_name" else raw.get(field)
        if text is not None and len(text) > limit:
            raise PeopleListError(
                f"at most {limit} characters, got {len(text)}", row=row, field=field
            )
        fields[field] = text
    try:
        if "email" in raw:
            fields["email"], fields["email_key"] = normalise_email(raw["email"])
    except InvalidValue as error:
        raise PeopleListError(str(error), row=row, field="email") from None
    try:
        if "linkedin_url" in raw:
            fields["linkedin_url"] = normalise_linkedin_url(raw["linkedin_url"])
    except InvalidValue as error:
        raise PeopleListError(str(error), row=row, field="linkedin_url") from None
    if "answered_at" in raw:
        try:
            fields["answered_at"] = parse_datetime(raw["answered_at"], "ymd")
        except (InvalidValue, ValueError):
            raise PeopleListError(
                f"expected a date such as 2026-01-31, got {raw['answered_at']!r}",
                row=row,
                field="answered_at",
            ) from None
    if "score" in raw:
        fields["score"] = _score(raw["score"], row)
    elif kind == "nps_survey":
        raise PeopleListError("an NPS answer needs its score (0 to 10)", row=row, field="score")
    if not any(fields.get(name) for name in ("email", "full_name", "linkedin_url", "handle")):
        raise PeopleListError(
            "the row says nothing about who the person is", row=row, field="email"
        )
    return Person(row=row, **fields)  # type: ignore[arg-type]


def email_domain_of(person: Person) -> str | None:
    """The domain of the person's e-mail, if any."""
    return person.email_key.rpartition("@")[2] if person.email_key else None


__all__ = [
    "HEADERS",
    "KIND_LABELS",
    "LIST_KINDS",
    "Columns",
    "ListKind",
    "PeopleListError",
    "Person",
    "email_domain_of",
    "find_columns",
    "header_key",
    "read_person",
]
