"""Worry profiles: which worries a person's reading reveals, and how strongly now.

Content is tagged with the worries it answers (domain §9).  A **tag** names
the content by one of five kinds, each read from an event's properties:

=============  ====================================  ==================================
kind           events it looks at                    what must match the tag's target
=============  ====================================  ==================================
url_pattern    page_view, email_click                ``url``, a glob over the whole
                                                     value (``*`` any run, ``?`` one
                                                     character), e.g. ``/guides/erp-*``;
                                                     a full web address is matched by
                                                     its path too (a click in our mail
                                                     records the whole address, a page
                                                     view its path)
lead_magnet    content_download, form_submit         ``lead_magnet`` (the magnet's slug)
form           form_submit                           ``form`` (the form's slug)
email          email_open, email_click               ``campaign_id`` or ``template``
content        any reading event (below)             ``content_id``
=============  ====================================  ==================================

Reading events: page_view, content_download, email_open, email_click,
form_submit, webinar_registered and webinar_attended.  Sending a mail, a
bounce or an unsubscribe reveals nothing the person chose to read.

**The value.**  An event that matches tags of a worry adds the *largest*
weight among them (an event answers a worry once, however many of its tags
it meets), and that weight fades with the profile's half-life ``h`` from the
moment of the event, as scores do (``domain/engagement.py``)::

    value(t) = Σ weight_i · 2^(−(t − t_i) / h)

A profile is kept as a value and the moment it is valid at (the latest
event counted), so adding an event is O(1) and a late event is just another
term.  An account's profile is the sum of its contacts' profiles.  Pure: time
is passed in, never read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from silverplatter.domain import understanding_checks as checks
from silverplatter.domain.engagement import DAY, decay
from silverplatter.domain.grading import glob_regex
from silverplatter.domain.understanding_checks import (
    FieldError,
    UnderstandingInvalid,
    collect,
    invalid,
    number,
    text,
)
from silverplatter.domain.web_address import url_forms

TARGET_KINDS: Final = ("url_pattern", "lead_magnet", "form", "email", "content")
KIND_LABELS: Final = {
    "url_pattern": "Pages (URL pattern)",
    "lead_magnet": "Lead magnet",
    "form": "Form",
    "email": "E-mail (campaign or template key)",
    "content": "Content id",
}
READING_EVENTS: Final = (
    "page_view",
    "content_download",
    "email_open",
    "email_click",
    "form_submit",
    "webinar_registered",
    "webinar_attended",
)
#: kind → (the event types it looks at, the properties whose text is its key)
READS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "url_pattern": (("page_view", "email_click"), ("url",)),
    "lead_magnet": (("content_download", "form_submit"), ("lead_magnet",)),
    "form": (("form_submit",), ("form",)),
    "email": (("email_open", "email_click"), ("campaign_id", "template")),
    "content": (READING_EVENTS, ("content_id",)),
}
DEFAULT_HALF_LIFE_DAYS: Final = 90.0
MAX_WEIGHT: Final = 100.0
MAX_TARGET: Final = 300
MAX_DESCRIPTION: Final = 5000
MAX_TALKING_POINT: Final = 1000
#: How many worries a sales-queue card shows as talking points.
TALKING_POINTS: Final = 3
#: A value below this is shown as faded out rather than as a worry.
FADED: Final = 0.05


@dataclass(frozen=True, slots=True)
class WorryTag:
    """Content that answers a worry: ``kind`` and ``target`` say which, ``weight`` how much."""

    worry_id: int
    kind: str
    target: str
    weight: float = 1.0

    def matches(self, kind: str, key: str) -> bool:
        if kind != self.kind:
            return False
        if kind == "url_pattern":
            pattern = glob_regex(self.target)
            return any(pattern.fullmatch(form) is not None for form in url_forms(key))
        return key == self.target


def event_keys(event_type: str, properties: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (kind, key) pairs of an event that tags may match: text properties only."""
    found: list[tuple[str, str]] = []
    for kind, (types, names) in READS.items():
        if event_type not in types:
            continue
        for name in names:
            value = properties.get(name)
            if isinstance(value, str) and value:
                found.append((kind, value))
    return found


class TagBook:
    """A workspace's tags indexed for matching events: exact keys in a dict, globs in a list."""

    def __init__(self, tags: Iterable[WorryTag]) -> None:
        self.tags = tuple(tags)
        self._exact: dict[tuple[str, str], list[WorryTag]] = {}
        self._globs: list[WorryTag] = []
        for tag in self.tags:
            if tag.kind == "url_pattern" and any(c in tag.target for c in "*?"):
                self._globs.append(tag)
            else:
                self._exact.setdefault((tag.kind, tag.target), []).append(tag)

    def __bool__(self) -> bool:
        return bool(self.tags)

    def matching(self, kind: str, key: str) -> list[WorryTag]:
        if kind != "url_pattern":
            return list(self._exact.get((kind, key), ()))
        forms = url_forms(key)
        found = [tag for form in forms for tag in self._exact.get((kind, form), ())]
        found.extend(tag for tag in self._globs if tag.matches(kind, key))
        return list(dict.fromkeys(found))

    def worries_of(self, event_type: str, properties: Mapping[str, Any]) -> dict[int, float]:
        """worry id → the weight this event adds (the largest of its matching tags)."""
        weights: dict[int, float] = {}
        for kind, key in event_keys(event_type, properties):
            for tag in self.matching(kind, key):
                if tag.weight > weights.get(tag.worry_id, 0.0):
                    weights[tag.worry_id] = tag.weight
        return weights


@dataclass(frozen=True, slots=True)
class WorryValue:
    """A decayed value held at the moment it is valid at (seconds since the epoch)."""

    value: float
    valid_at: float

    def at(self, moment: float, half_life_days: float) -> float:
        """The value seen from ``moment``."""
        return decay(self.value, self.valid_at, moment, half_life_days)

    def plus(self, weight: float, moment: float, half_life_days: float) -> WorryValue:
        """This value with an event of ``weight`` at ``moment`` added (earlier ones too)."""
        if moment <= self.valid_at:
            return WorryValue(
                self.value + decay(weight, moment, self.valid_at, half_life_days), self.valid_at
            )
        return WorryValue(decay(self.value, self.valid_at, moment, half_life_days) + weight, moment)


def fold(
    start: WorryValue | None, reads: Iterable[tuple[float, float]], half_life_days: float
) -> WorryValue | None:
    """``start`` with each (moment, weight) read added, in any order."""
    current = start
    for moment, weight in reads:
        if current is None:
            current = WorryValue(weight, moment)
        else:
            current = current.plus(weight, moment, half_life_days)
    return current


def shifted(
    total: WorryValue | None, old: WorryValue | None, new: WorryValue, half_life_days: float
) -> WorryValue:
    """A sum of profiles (an account's) after one of them changed from ``old`` to ``new``.

    Exact up to rounding, as sums of fading values are linear; never below 0
    (a sum that drifted — a person moved to another account — is mended by a
    recompute).
    """
    moment = max(new.valid_at, total.valid_at if total is not None else new.valid_at)
    value = new.at(moment, half_life_days)
    if total is not None:
        value += total.at(moment, half_life_days)
    if old is not None:
        value -= old.at(moment, half_life_days)
    return WorryValue(max(0.0, value), moment)


def roll_up(values: Iterable[WorryValue], half_life_days: float) -> WorryValue | None:
    """The sum of several profiles' values (an account's from its contacts')."""
    items = list(values)
    if not items:
        return None
    latest = max(item.valid_at for item in items)
    return WorryValue(sum(item.at(latest, half_life_days) for item in items), latest)


@dataclass(frozen=True, slots=True)
class ProfileLine:
    """One worry of a profile as seen at a moment."""

    worry_id: int
    slug: str
    name: str
    talking_point: str | None
    value: float
    last_read_at: float

    @property
    def last_read_on(self) -> date:
        """The UTC day of the latest read counted."""
        return datetime.fromtimestamp(self.last_read_at, UTC).date()


def ranked(
    lines: Sequence[ProfileLine], *, limit: int | None = None, least: float = FADED
) -> list[ProfileLine]:
    """Strongest first (then by name); values below ``least`` left out."""
    kept = sorted(
        (line for line in lines if line.value >= least), key=lambda line: (-line.value, line.name)
    )
    return kept if limit is None else kept[:limit]


def half_life_seconds(half_life_days: float) -> float:
    return half_life_days * DAY


# ---------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class WorryFields:
    name: str
    slug: str
    description: str | None
    talking_point: str | None


@dataclass(frozen=True, slots=True)
class TagFields:
    kind: str
    target: str
    weight: float


def worry_fields(document: Mapping[str, Any], *, current_slug: str | None = None) -> WorryFields:
    """A worry's fields checked: name, slug (made from the name when absent), texts."""
    errors: list[FieldError] = []
    found_name = collect(errors, checks.name, document.get("name"))
    raw_slug = document.get("slug", current_slug)
    found_slug = collect(errors, checks.slug, raw_slug, found_name)
    description = collect(
        errors,
        text,
        document.get("description"),
        "description",
        most=MAX_DESCRIPTION,
        required=False,
    )
    talking_point = collect(
        errors,
        text,
        document.get("talking_point"),
        "talking_point",
        most=MAX_TALKING_POINT,
        required=False,
    )
    if errors:
        raise UnderstandingInvalid(errors)
    return WorryFields(found_name, found_slug, description, talking_point)


def tag_fields(document: Mapping[str, Any]) -> TagFields:
    """A tag's kind, target and weight (1 when not given) checked."""
    errors: list[FieldError] = []
    kind = document.get("kind", document.get("target_kind"))
    if kind not in TARGET_KINDS:
        errors.append(FieldError("kind", f"expected one of {', '.join(TARGET_KINDS)}"))
    target = collect(errors, text, document.get("target"), "target", most=MAX_TARGET)
    raw_weight = document.get("weight")
    weight = 1.0
    if raw_weight is not None and raw_weight != "":
        weight = collect(errors, number, raw_weight, "weight", low=0, high=MAX_WEIGHT)
        if weight == 0:
            errors.append(FieldError("weight", "expected more than 0"))
    if errors:
        raise UnderstandingInvalid(errors)
    if kind == "url_pattern" and not (target.startswith("/") or "*" in target or "://" in target):
        raise invalid("target", "expected a page path or pattern such as /guides/erp-*")
    return TagFields(str(kind), target, float(weight))


def check_half_life(days: float) -> float:
    if not days > 0:
        raise invalid("half_life_days", "expected a number of days above 0")
    return float(days)


__all__ = [
    "DEFAULT_HALF_LIFE_DAYS",
    "KIND_LABELS",
    "READING_EVENTS",
    "READS",
    "TALKING_POINTS",
    "TARGET_KINDS",
    "ProfileLine",
    "TagBook",
    "TagFields",
    "WorryFields",
    "WorryTag",
    "WorryValue",
    "check_half_life",
    "event_keys",
    "fold",
    "half_life_seconds",
    "ranked",
    "roll_up",
    "shifted",
    "tag_fields",
    "url_forms",
    "worry_fields",
]
