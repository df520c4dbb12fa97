"""The one filter definition of the contact and account lists.

``ContactFilter`` and ``AccountFilter`` are what a list may be asked for: the
REST API (``GET /api/v1/contacts``) and the HTML page (``/contacts``) take the
very same class from the query string, so they cannot drift apart.  The SQL
they compile to is in ``storage/record_lists.py``.

Pages are keyset-paginated on (sort key, id): ``after`` is an opaque cursor
(URL-safe base64 of a small JSON document) naming the last row of the
previous page and the sort it belongs to.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from silverplatter.domain.grades import GRADE_LETTERS, threshold_level
from silverplatter.domain.identity import InvalidValue, normalise_country
from silverplatter.domain.lifecycle import STAGE_NAMES
from silverplatter.domain.vocabulary import ACCOUNT_STATUSES, DECISION_ROLES, VALUE_TIERS

MAX_LIMIT: Final = 200
DEFAULT_LIMIT: Final = 50
MAX_ID: Final = 2**31 - 1

Sort = Literal["name", "created", "score", "updated"]
Direction = Literal["asc", "desc"]
#: The direction a sort takes when none is asked for: names A→Z, the rest newest/highest first.
DEFAULT_DIRECTION: Final[dict[str, Direction]] = {
    "name": "asc",
    "created": "desc",
    "score": "desc",
    "updated": "desc",
}
#: The latest e-mail consent of a contact: may be e-mailed (granted or confirmed),
#: confirmed by double opt-in, withdrawn, or never recorded.
Consent = Literal["given", "confirmed", "withdrawn", "none"]

Stage = Literal[STAGE_NAMES]  # type: ignore[valid-type]
Tier = Literal[VALUE_TIERS]  # type: ignore[valid-type]
DecisionRole = Literal[DECISION_ROLES]  # type: ignore[valid-type]
Grade = Literal[GRADE_LETTERS]  # type: ignore[valid-type]
AccountStatus = Literal[ACCOUNT_STATUSES]  # type: ignore[valid-type]
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class CursorError(ValueError):
    """A cursor that was not made by this list, or not for this sort."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the previous page ended: its sort, direction and last row's sort key."""

    sort: str
    direction: str
    key: tuple[Any, ...]

    def encode(self) -> str:
        document = json.dumps(
            {"s": self.sort, "d": self.direction, "k": list(self.key)},
            separators=(",", ":"),
            default=str,
        )
        return base64.urlsafe_b64encode(document.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            document = json.loads(raw)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise CursorError("not a cursor from this list; use the 'next' of a page") from None
        if not (
            isinstance(document, dict)
            and isinstance(document.get("s"), str)
            and isinstance(document.get("d"), str)
            and isinstance(document.get("k"), list)
        ):
            raise CursorError("not a cursor from this list; use the 'next' of a page")
        return cls(document["s"], document["d"], tuple(document["k"]))


class ListFilter(BaseModel):
    """What every list shares: sort, direction, cursor and page size.

    A blank value (an empty field of the HTML form) means "not given".
    """

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    q: Annotated[str, Field(max_length=200, description="Search text")] | None = None
    sort: Sort = Field("name", description="Sort key; rows with no score come last")
    direction: Direction | None = Field(
        None, description="asc or desc; by default name ascending, the others descending"
    )
    after: Annotated[str, Field(max_length=1000)] | None = Field(
        None, description="The 'next' cursor of the previous page"
    )
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and not value.strip():
            name = info.field_name or ""
            return cls.model_fields[name].default if name in cls.model_fields else None
        return value

    @field_validator("after")
    @classmethod
    def _readable_cursor(cls, value: str | None) -> str | None:
        if value is not None:
            Cursor.decode(value)
        return value

    @property
    def order(self) -> Direction:
        return self.direction or DEFAULT_DIRECTION[self.sort]

    @property
    def search(self) -> str | None:
        return self.q.lower() if self.q else None

    def cursor(self) -> Cursor | None:
        """The decoded ``after``; a cursor of another sort or direction is refused."""
        if self.after is None:
            return None
        cursor = Cursor.decode(self.after)
        if (cursor.sort, cursor.direction) != (self.sort, self.order):
            raise CursorError(
                f"this cursor continues a list sorted by {cursor.sort} {cursor.direction}, "
                f"not by {self.sort} {self.order}; start again without 'after'"
            )
        return cursor

    def query_pairs(self, **changes: Any) -> list[tuple[str, str]]:
        """The filter as query-string pairs (unset fields left out), for links."""
        values = {**self.model_dump(exclude_none=True), **changes}
        return [
            (name, str(value))
            for name, value in values.items()
            if value is not None and not (name == "limit" and value == DEFAULT_LIMIT)
        ]


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalise_country(value)
    except InvalidValue as error:
        raise ValueError(str(error)) from None


class ContactFilter(ListFilter):
    """Which contacts, in which order: one definition for the API and the HTML list."""

    q: (
        Annotated[
            str,
            Field(
                max_length=200,
                description="The start of the e-mail, first or last name (or both), "
                "or of the account's name or domain",
            ),
        ]
        | None
    ) = None
    stage: Stage | None = Field(None, description="Lifecycle stage")
    grade: Grade | None = Field(None, description="Grade at least (B includes B-)")
    tier: Tier | None = Field(None, description="Value tier of the contact's account")
    owner: RecordId | None = Field(None, description="Owner's user id")
    account: RecordId | None = Field(None, description="Account id")
    min_score: Annotated[float, Field(ge=0, le=1_000_000)] | None = Field(
        None, description="Engagement score at least"
    )
    country: Annotated[str, Field(max_length=60)] | None = Field(
        None, description="Country code, e.g. FI"
    )
    decision_role: DecisionRole | None = None
    consent: Consent | None = Field(None, description="Latest e-mail consent")

    _check_country = field_validator("country")(_country)

    @property
    def grade_level(self) -> int | None:
        return None if self.grade is None else threshold_level(self.grade)


class AccountFilter(ListFilter):
    """Which accounts, in which order: one definition for the API and the HTML list."""

    q: Annotated[str, Field(max_length=200, description="Part of the name or domain")] | None = None
    tier: Tier | None = Field(None, description="Value tier")
    status: AccountStatus | None = None
    owner: RecordId | None = Field(None, description="Owner's user id")
    country: Annotated[str, Field(max_length=60)] | None = Field(
        None, description="Country code, e.g. FI"
    )
    industry: Annotated[str, Field(max_length=100)] | None = None
    min_score: Annotated[float, Field(ge=0, le=1_000_000)] | None = Field(
        None, description="Account score at least"
    )

    _check_country = field_validator("country")(_country)


__all__ = [
    "DEFAULT_DIRECTION",
    "MAX_LIMIT",
    "AccountFilter",
    "ContactFilter",
    "Cursor",
    "CursorError",
    "ListFilter",
]
