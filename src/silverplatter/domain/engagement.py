"""Engagement scoring: which rules an event meets, and points that fade.

Times are seconds since the Unix epoch (UTC) as floats, so that the hot path
does no date arithmetic.  A rule's points decay with its half-life from the
moment of the event:  ``points · 2^(-(t − occurred_at) / half_life)``.  Points
of a capped rule are counted per calendar bucket (UTC day, or ISO week from
Monday): a bucket counts ``min(cap, raw points)`` and fades from the start of
the bucket, so its value does not depend on the order its events arrive in.

A subject's decayed sum per half-life is kept as a value plus the time it is
valid at (:class:`DecayedSum`), so adding an event is O(1) and a late event —
earlier than ones already counted — is just another term.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from silverplatter.domain.grading import glob_regex
from silverplatter.domain.scoring_model import EngagementRule, ScoringModel
from silverplatter.domain.web_address import url_forms

DAY = 86_400.0
WEEK = 7 * DAY
#: 1970-01-01 was a Thursday: ISO weeks start three days later in the epoch's week.
_MONDAY_OFFSET = 3 * DAY


def bucket_start(moment: float, period: Literal["day", "week"]) -> float:
    """The start of the UTC day or ISO week (Monday) holding ``moment``."""
    if period == "day":
        return (moment // DAY) * DAY
    return ((moment + _MONDAY_OFFSET) // WEEK) * WEEK - _MONDAY_OFFSET


def decay(value: float, from_moment: float, to_moment: float, half_life_days: float) -> float:
    """``value`` valid at ``from_moment``, seen from ``to_moment``."""
    return float(value * 2.0 ** (-(to_moment - from_moment) / (half_life_days * DAY)))


@dataclass(slots=True)
class DecayedSum:
    """Σ points · 2^(−(t − tᵢ)/h), held as its value at ``valid_at``."""

    value: float = 0.0
    valid_at: float | None = None

    def add(self, points: float, moment: float, half_life_days: float) -> None:
        if self.valid_at is None:
            self.value, self.valid_at = points, moment
        elif moment <= self.valid_at:
            self.value += decay(points, moment, self.valid_at, half_life_days)
        else:
            self.value = decay(self.value, self.valid_at, moment, half_life_days) + points
            self.valid_at = moment

    def at(self, moment: float, half_life_days: float) -> float:
        if self.valid_at is None or self.value == 0.0:
            return 0.0
        return decay(self.value, self.valid_at, moment, half_life_days)


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What rules look at in an event."""

    type: str
    occurred_at: float
    channel: str | None
    properties: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    index: int
    rule: EngagementRule
    half_life_days: float

    def matches(self, event: EventFacts) -> bool:
        rule = self.rule
        props = event.properties
        if rule.channel is not None and event.channel != rule.channel:
            return False
        if rule.cta is not None and props.get("cta") != rule.cta:
            return False
        if rule.content is not None and props.get("content_id") != rule.content:
            return False
        if rule.form is not None and props.get("form") != rule.form:
            return False
        for key, expected in rule.properties.items():
            if props.get(key) != expected:
                return False
        if rule.url_matches is not None:
            url = props.get("url")
            if not isinstance(url, str):
                return False
            pattern = glob_regex(rule.url_matches)
            if not any(pattern.fullmatch(form) for form in url_forms(url)):
                return False
        if rule.tag is not None:
            tags = props.get("tags")
            if not isinstance(tags, list) or rule.tag not in tags:
                return False
        return True


class RuleBook:
    """A model's engagement rules indexed by scope and event type."""

    def __init__(self, model: ScoringModel) -> None:
        self.model = model
        self.rules = tuple(
            CompiledRule(index, rule, model.half_life(index))
            for index, rule in enumerate(model.engagement.rules)
        )
        self._by_type: dict[tuple[str, str], tuple[CompiledRule, ...]] = {}
        for compiled in self.rules:
            key = (compiled.rule.scope, compiled.rule.event)
            self._by_type[key] = (*self._by_type.get(key, ()), compiled)
        self.half_lives = tuple(sorted({compiled.half_life_days for compiled in self.rules}))
        silence = model.silence
        self.touch_types = frozenset(silence.touches) if silence else frozenset()
        self.quiet_breakers = frozenset(silence.without) if silence else frozenset()
        self.scored_types = frozenset(rule.event for rule in model.engagement.rules)

    def matching(self, scope: str, event: EventFacts) -> list[CompiledRule]:
        candidates = self._by_type.get((scope, event.type), ())
        return [compiled for compiled in candidates if compiled.matches(event)]
