"""Checks of what people type into the customer-understanding pages and API.

Worries, needs grids and Kano studies share one error type,
:class:`UnderstandingInvalid`, whose errors name the field (``name``,
``weights.Price``, ``row 3, column 'Us: Price'``) and say what was expected;
the web adapters turn it into a form error or a problem+json answer.  Pure.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

SLUG: Final = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
MAX_NAME: Final = 200


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class UnderstandingInvalid(ValueError):
    """Bad input: ``errors`` name each bad field and what was expected."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{first.field}: {first.message}{more}")


def invalid(field: str, message: str) -> UnderstandingInvalid:
    return UnderstandingInvalid([FieldError(field, message)])


def slug_from(name: str) -> str:
    """``Cost control`` → ``cost-control`` (ASCII letters and digits joined by hyphens)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:100].rstrip("-")


def text(value: Any, field: str, *, most: int, required: bool = True) -> str | None:
    """A trimmed text of at most ``most`` characters; None for a blank optional one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise invalid(field, "required")
        return None
    if not isinstance(value, str):
        raise invalid(field, "expected text")
    cleaned = value.strip()
    if len(cleaned) > most:
        raise invalid(field, f"expected at most {most} characters, got {len(cleaned)}")
    if "\x00" in cleaned:
        raise invalid(field, "expected text without NUL characters")
    return cleaned


def name(value: Any, field: str = "name") -> str:
    found = text(value, field, most=MAX_NAME)
    assert found is not None
    return found


def slug(value: Any, fallback_name: str | None, field: str = "slug") -> str:
    """The slug given, or one made from the name; checked either way.

    ``fallback_name`` is None when the name itself was bad: without a slug
    given there is then nothing more to say (the name's error says it).
    """
    given = text(value, field, most=100, required=False)
    if given is None and fallback_name is None:
        return ""
    chosen = given if given is not None else slug_from(fallback_name or "")
    if not SLUG.match(chosen):
        raise invalid(
            field,
            "expected lower-case letters, digits and hyphens, e.g. cost-control"
            if given is not None
            else "the name has no letters or digits to make a slug of; give a slug",
        )
    return chosen


def number(value: Any, field: str, *, low: float, high: float) -> float:
    """A finite number from ``low`` to ``high`` (numbers or their text, comma decimals too)."""
    if isinstance(value, bool):
        raise invalid(field, f"expected a number from {_plain(low)} to {_plain(high)}")
    if isinstance(value, int | float):
        found = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            found = float(value.strip().replace(",", ".").replace(" ", ""))
        except ValueError:
            raise invalid(
                field, f"expected a number from {_plain(low)} to {_plain(high)}, got {value!r}"
            ) from None
    else:
        raise invalid(field, f"expected a number from {_plain(low)} to {_plain(high)}")
    if found != found or not low <= found <= high:  # NaN fails the first test
        raise invalid(
            field, f"expected a number from {_plain(low)} to {_plain(high)}, got {_plain(found)}"
        )
    return found


def _plain(value: float) -> str:
    return f"{value:g}"


def csv_rows(content: str) -> list[list[str]]:
    """The rows of a CSV text, comma- or semicolon-separated (whichever the header uses more)."""
    content = content.lstrip("\ufeff")
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(content), delimiter=delimiter))


def collect(errors: list[FieldError], check: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``check``; on :class:`UnderstandingInvalid` keep its errors and return None."""
    try:
        return check(*args, **kwargs)
    except UnderstandingInvalid as bad:
        errors.extend(bad.errors)
        return None


__all__ = [
    "SLUG",
    "FieldError",
    "UnderstandingInvalid",
    "collect",
    "csv_rows",
    "invalid",
    "name",
    "number",
    "slug",
    "slug_from",
    "text",
]
