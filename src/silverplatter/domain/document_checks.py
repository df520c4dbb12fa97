"""Errors of structured documents (zipper boards, strategy documents) that name the path.

A document is checked by a pydantic model and then by rules across its parts;
both kinds of failure become one :class:`DocumentInvalid` whose errors say
*where* (``touchpoints[2].customer_step``, ``questions[1].why``) and *what was
expected* in words a person reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError

#: The form of an item's id in a document (``c12``, ``s3``, ``order-desk``).
ID_PATTERN: Final = r"^[a-z][a-z0-9-]{0,39}$"


@dataclass(frozen=True, slots=True)
class DocumentError:
    field: str
    message: str


class DocumentInvalid(ValueError):
    """A document, or a change to one, that cannot be accepted; ``errors`` name each field."""

    def __init__(self, errors: Sequence[DocumentError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


class StaleVersion(Exception):
    """A save of a versioned document from a version that is no longer the newest."""

    def __init__(self, what: str, seen: int, current: int) -> None:
        self.what, self.seen, self.current = what, seen, current
        super().__init__(
            f"{what} is at version {current}, not {seen}: somebody saved it since you "
            "opened it; reload it and make your change again"
        )


def invalid(field: str, message: str) -> DocumentInvalid:
    return DocumentInvalid([DocumentError(field, message)])


def path_of(location: Sequence[int | str]) -> str:
    """``("touchpoints", 2, "customer_step")`` → ``touchpoints[2].customer_step``."""
    name = ""
    for part in location:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "document"


def _message(item: Any) -> str:
    """Pydantic's message for one error, said as what was expected."""
    kind = item.get("type", "")
    context = item.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters"
    if kind == "too_long":
        return f"must have at most {context.get('max_length')} entries"
    if kind == "too_short":
        return f"must have at least {context.get('min_length')} entries"
    if kind in ("string_type", "int_type", "list_type", "tuple_type", "dict_type", "model_type"):
        expected = {
            "string_type": "text",
            "int_type": "a whole number",
            "list_type": "a list",
            "tuple_type": "a list",
            "dict_type": "an object",
            "model_type": "an object",
        }[kind]
        return f"must be {expected}"
    if kind == "string_pattern_mismatch":
        if context.get("pattern") == ID_PATTERN:
            return "must be a short id: a lowercase letter, then up to 39 letters, digits or -"
        return f"does not have the expected form ({context.get('pattern')})"
    if kind == "int_parsing":
        return "must be a whole number"
    if kind == "greater_than_equal":
        return f"must be at least {context.get('ge')}"
    if kind == "less_than_equal":
        return f"must be at most {context.get('le')}"
    if kind == "literal_error":
        return f"must be one of {context.get('expected')}"
    message = str(item.get("msg", "is not valid"))
    return message.removeprefix("Value error, ")


def from_validation_error(
    error: ValidationError, *, prefix: Sequence[int | str] = ()
) -> DocumentInvalid:
    """Every pydantic error as a :class:`DocumentError` naming its path."""
    found: list[DocumentError] = []
    for item in error.errors():
        location = list(item.get("loc", ()))
        found.append(DocumentError(path_of([*prefix, *location]), _message(item)))
    return DocumentInvalid(found)


__all__ = [
    "ID_PATTERN",
    "DocumentError",
    "DocumentInvalid",
    "StaleVersion",
    "from_validation_error",
    "invalid",
    "path_of",
]
