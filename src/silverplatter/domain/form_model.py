"""What a capture form is: its fields, strategic questions, consent wording and origins.

The parts ``domain/forms.py`` validates a definition into and
``domain/form_answers.py`` checks a submission against.  Pure values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from silverplatter.domain.identity import InvalidValue

SLUG_PATTERN: Final = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9])?$")
MAX_FIELDS: Final = 30
MAX_QUESTIONS: Final = 5
MIN_CHOICES: Final = 2
MAX_CHOICES: Final = 12
MAX_ORIGINS: Final = 20
MAX_WORDING: Final = 2000
MAX_MESSAGE: Final = 1000
#: A field people never see; whoever fills it in is a robot (accepted silently, not stored).
HONEYPOT: Final = "website"
#: Names a submission uses for itself, so no field or question may take them.
RESERVED: Final = frozenset({HONEYPOT, "consent", "visitor_id"})
#: The strategic questions forms usually ask (domain §3).
TYPICAL_QUESTIONS: Final = (
    "responsibilities",
    "topics_of_interest",
    "current_situation",
    "preferred_channels",
)


@dataclass(frozen=True)
class StandardField:
    """A contact field every form may ask for; ``contact_key`` is where it is stored."""

    name: str
    label: str
    type: str
    max_length: int
    contact_key: str


STANDARD_FIELDS: Final = {
    spec.name: spec
    for spec in (
        StandardField("email", "E-mail", "email", 320, "email"),
        StandardField("first_name", "First name", "text", 100, "first_name"),
        StandardField("last_name", "Last name", "text", 100, "last_name"),
        StandardField("title", "Job title", "text", 200, "title"),
        StandardField("department", "Department", "text", 100, "department"),
        StandardField("company", "Company", "text", 300, "account_name"),
        StandardField("phone", "Phone", "tel", 50, "phone"),
        StandardField("country", "Country", "country", 100, "country"),
    )
}


@dataclass(frozen=True)
class FieldError:
    """One refusal: the field (``questions[1].choices``) and what was expected."""

    field: str
    message: str


class InvalidForm(ValueError):
    """A form definition that cannot be saved; ``errors`` names each bad field."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = list(errors)


class InvalidSubmission(ValueError):
    """A submission with missing or bad answers; ``errors`` are for inline display."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class FormField:
    """A field of a form: a standard contact field or a custom contact property."""

    name: str
    label: str
    required: bool
    type: str
    property: bool = False
    choices: tuple[str, ...] = ()
    multiple: bool = False

    def document(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "required": self.required,
            "type": self.type,
        }
        if self.property:
            shown["property"] = True
        if self.type == "choice":
            shown["choices"] = list(self.choices)
            shown["multiple"] = self.multiple
        return shown

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> FormField:
        return cls(
            name=str(document["name"]),
            label=str(document["label"]),
            required=bool(document.get("required", False)),
            type=str(document.get("type", "text")),
            property=bool(document.get("property", False)),
            choices=tuple(document.get("choices", ())),
            multiple=bool(document.get("multiple", False)),
        )


@dataclass(frozen=True)
class Question:
    """A strategic multiple-choice question; ``property`` keeps its answer on the contact."""

    key: str
    label: str
    choices: tuple[str, ...]
    multiple: bool = False
    required: bool = False
    property: str | None = None

    def document(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "choices": list(self.choices),
            "multiple": self.multiple,
            "required": self.required,
            "property": self.property,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Question:
        return cls(
            key=str(document["key"]),
            label=str(document["label"]),
            choices=tuple(document["choices"]),
            multiple=bool(document.get("multiple", False)),
            required=bool(document.get("required", False)),
            property=document.get("property"),
        )


@dataclass(frozen=True)
class FormDefinition:
    """Everything a form is, validated; ``lead_magnet`` is the slug of its gated content."""

    slug: str
    name: str
    fields: tuple[FormField, ...]
    questions: tuple[Question, ...] = ()
    consent_wording: str = ""
    cta_kind: str = "soft"
    lead_magnet: str | None = None
    double_opt_in: bool = True
    allowed_origins: tuple[str, ...] = ()
    success_message: str | None = None
    active: bool = True

    def document(self) -> dict[str, Any]:
        """The definition as the API takes and gives it."""
        return {
            "slug": self.slug,
            "name": self.name,
            "fields": [item.document() for item in self.fields],
            "questions": [question.document() for question in self.questions],
            "consent_wording": self.consent_wording,
            "cta_kind": self.cta_kind,
            "lead_magnet": self.lead_magnet,
            "double_opt_in": self.double_opt_in,
            "allowed_origins": list(self.allowed_origins),
            "success_message": self.success_message,
            "active": self.active,
        }

    @property
    def thanks(self) -> str:
        """What a person reads after submitting."""
        if self.success_message:
            return self.success_message
        if self.double_opt_in:
            return "Thank you! Please check your inbox and click the link to confirm your address."
        return "Thank you! We have received your details."


#: The settings a definition may carry, in the order errors are reported.
SETTINGS: Final = tuple(FormDefinition.__dataclass_fields__)


# -- origins ----------------------------------------------------------------


def normalise_origin(raw: str) -> str:
    """``HTTPS://Shop.Example.com:443/`` → ``https://shop.example.com``, or :class:`InvalidValue`.

    An origin is a scheme (http or https), a host and an optional port, as a
    browser sends it in the ``Origin`` header; default ports are dropped.
    """
    expected = "expected an origin such as https://www.example.com or http://localhost:8080"
    candidate = raw.strip().rstrip("/") if isinstance(raw, str) else ""
    if not candidate:
        raise InvalidValue(f"{expected}, got an empty value")
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        raise InvalidValue(f"{expected}, got {raw!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValue(f"{expected}, got {raw!r}")
    if parts.username or parts.password or parts.path or parts.query or parts.fragment:
        raise InvalidValue(f"{expected} (no path, query or user), got {raw!r}")
    host = parts.hostname.lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidValue(f"{expected}, got {raw!r}") from None
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == {"http": 80, "https": 443}[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def origin_allowed(origin: str | None, allowed: Sequence[str]) -> bool:
    """Whether a request's ``Origin`` header is one the form allows."""
    if not origin:
        return False
    try:
        return normalise_origin(origin) in allowed
    except InvalidValue:
        return False
