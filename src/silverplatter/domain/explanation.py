"""Why a contact stands where it does: points per rule, silence, next step, reality check.

Pure functions over the model and a contact's events (domain §4 "every number
must answer why?").  :func:`contributions` re-derives the engagement score
rule by rule from the events themselves, with the same arithmetic as the
engine (``domain/engagement_state.py``): an uncapped rule's points fade from
the event; a capped rule counts ``min(cap, raw points)`` per calendar bucket
and fades from the bucket's start.  The sum of the contributions is the
engine's score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from silverplatter.domain.engagement import DAY, EventFacts, RuleBook, bucket_start, decay
from silverplatter.domain.grades import letter_of, threshold_level
from silverplatter.domain.scoring_model import ScoringModel

#: "A prospect must meet our message many times before buying" (domain §6).
LAW_OF_29 = 29
#: Below this many similar leads a conversion share says nothing.
MIN_SIMILAR_LEADS = 20
#: Score bands of the reality check: (upper limit, label); a band holds low ≤ score < high.
SCORE_BANDS: tuple[tuple[float, str], ...] = (
    (10.0, "0–10"),
    (25.0, "10–25"),
    (50.0, "25–50"),
    (100.0, "50–100"),
    (float("inf"), "100+"),
)
BUYING_STAGES = ("awareness", "consideration", "decision")
_STAGE_WORDS = {
    "awareness": "awareness: still learning about the problem",
    "consideration": "consideration: weighing ways to solve it",
    "decision": "decision: choosing a supplier",
}


@dataclass(frozen=True, slots=True)
class CappedBucket:
    """One day or week of a capped rule: raw points, what counted, what is left now."""

    period: str
    starts_at: float
    events: int
    raw: float
    counted: float
    value: float

    @property
    def capped(self) -> bool:
        return self.counted != self.raw


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one engagement rule adds to the score at one moment."""

    index: int
    rule: str
    events: int
    #: Points counted before fading (capped rules: after the cap).
    points: float
    #: Points left at the moment of the explanation.
    value: float
    half_life_days: float
    buying_stage: str | None
    last_event_at: float
    buckets: tuple[CappedBucket, ...] = ()


def contributions(
    book: RuleBook, events: Iterable[EventFacts], at: float
) -> tuple[Contribution, ...]:
    """Each contact-scope rule's share of the score at ``at``, largest first."""
    uncapped: dict[int, list[float]] = defaultdict(list)
    buckets: dict[int, dict[float, list[float]]] = defaultdict(lambda: defaultdict(list))
    for event in events:
        for compiled in book.matching("contact", event):
            cap = compiled.rule.cap
            if cap is None:
                uncapped[compiled.index].append(event.occurred_at)
            else:
                start = bucket_start(event.occurred_at, cap[0])
                buckets[compiled.index][start].append(event.occurred_at)
    found: list[Contribution] = []
    for compiled in book.rules:
        rule, index, half_life = compiled.rule, compiled.index, compiled.half_life_days
        name = book.model.rule_name(index)
        if index in uncapped:
            moments = uncapped[index]
            value = sum(decay(rule.points, moment, at, half_life) for moment in moments)
            points = rule.points * len(moments)
            found.append(
                Contribution(
                    index,
                    name,
                    len(moments),
                    points,
                    value,
                    half_life,
                    rule.buying_stage,
                    last_event_at=max(moments),
                )
            )
        elif index in buckets:
            cap = rule.cap
            assert cap is not None
            shown = []
            for start, moments in sorted(buckets[index].items()):
                raw = rule.points * len(moments)
                counted = max(-cap[1], min(cap[1], raw))
                value = decay(counted, start, at, half_life)
                shown.append(CappedBucket(cap[0], start, len(moments), raw, counted, value))
            last = max(max(moments) for moments in buckets[index].values())
            found.append(
                Contribution(
                    index,
                    name,
                    events=sum(bucket.events for bucket in shown),
                    points=sum(bucket.counted for bucket in shown),
                    value=sum(bucket.value for bucket in shown),
                    half_life_days=half_life,
                    buying_stage=rule.buying_stage,
                    last_event_at=last,
                    buckets=tuple(shown),
                )
            )
    return tuple(sorted(found, key=lambda c: (-c.value, c.index)))


def score_series(
    book: RuleBook, events: Iterable[EventFacts], moments: Sequence[float]
) -> tuple[float, ...]:
    """The contact-scope score at each of ``moments``, counting the events up to each.

    The same sums as ``contributions`` (caps per bucket, fading from a capped
    bucket's start), with each event matched against the rules once rather
    than once per moment.
    """
    uncapped: list[tuple[float, float, float]] = []  # (time, points, half-life)
    capped: dict[tuple[int, float], list[float]] = defaultdict(list)
    for event in events:
        for compiled in book.matching("contact", event):
            cap = compiled.rule.cap
            if cap is None:
                uncapped.append((event.occurred_at, compiled.rule.points, compiled.half_life_days))
            else:
                start = bucket_start(event.occurred_at, cap[0])
                capped[(compiled.index, start)].append(event.occurred_at)
    rules = {compiled.index: compiled for compiled in book.rules}
    series = []
    for at in moments:
        total = sum(
            decay(points, moment, at, life) for moment, points, life in uncapped if moment <= at
        )
        for (index, start), times in capped.items():
            seen = sum(1 for moment in times if moment <= at)
            if seen == 0:
                continue
            compiled = rules[index]
            limit = compiled.rule.cap
            assert limit is not None
            counted = max(-limit[1], min(limit[1], compiled.rule.points * seen))
            total += decay(counted, start, at, compiled.half_life_days)
        series.append(total)
    return tuple(series)


def buying_stage_shares(found: Sequence[Contribution]) -> dict[str, float]:
    """Share of the positive points left per buying stage, of the stage-tagged rules."""
    totals = {stage: 0.0 for stage in BUYING_STAGES}
    for contribution in found:
        if contribution.buying_stage is not None and contribution.value > 0:
            totals[contribution.buying_stage] += contribution.value
    whole = sum(totals.values())
    return {stage: value / whole for stage, value in totals.items()} if whole else {}


def buying_stage_reading(shares: dict[str, float]) -> tuple[str | None, str]:
    """The stage most of the points point at, and what that says in words."""
    if not shares:
        return None, "the points say nothing about the buying stage (no stage-tagged behaviour)"
    stage = max(BUYING_STAGES, key=lambda name: (shares[name], BUYING_STAGES.index(name)))
    parts = ", ".join(f"{name} {shares[name]:.0%}" for name in BUYING_STAGES if shares[name])
    return stage, f"{_STAGE_WORDS[stage]} ({parts} of the points)"


def score_band(score: float) -> tuple[float, float, str]:
    """(low, high, label) of the band holding ``score``; scores below 0 fall in the lowest."""
    low = float("-inf")
    for high, label in SCORE_BANDS:
        if score < high:
            return low, high, label
        low = high
    raise AssertionError("the last score band is open-ended")


def grade_band(letter: str) -> str:
    """A+, A and A- are band A; F is band F."""
    return letter[0]


def law_of_29(touches: int) -> str:
    return f"{touches} of {LAW_OF_29} touches (Law of 29)"


def conversion_words(converted: int, sample: int) -> str:
    if sample < MIN_SIMILAR_LEADS:
        return f"not enough history: {sample} similar leads (need {MIN_SIMILAR_LEADS})"
    return f"{converted} of {sample} similar leads became opportunities ({converted / sample:.0%})"


def _day(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).date().isoformat()


def silence_reason(
    model: ScoringModel,
    grade_level: int,
    touches_in_window: int,
    last_engaged_at: float | None,
    at: float,
) -> str:
    """Why the contact is (or is not) silent, in words; mirrors ``readiness.is_silent``."""
    silence = model.silence
    if silence is None:
        return "the model does not watch for silence"
    if grade_level < threshold_level(silence.min_grade):
        return f"grade {letter_of(grade_level)} is below {silence.min_grade}: silence not watched"
    touched = f"{touches_in_window} touches ({', '.join(silence.touches)})"
    window = f"in the last {silence.within_days:g} days"
    if touches_in_window < silence.touches_at_least:
        return f"{touched} {window}; silence needs {silence.touches_at_least}"
    if last_engaged_at is not None and last_engaged_at > at - silence.within_days * DAY:
        return f"{touched} {window}, but reacted on {_day(last_engaged_at)}"
    since = f"since {_day(last_engaged_at)}" if last_engaged_at is not None else "ever"
    return f"{touched} {window} and no reaction ({', '.join(silence.without)}) {since}"


_BANT_WORDS = {"budget": "budget", "authority": "authority", "need": "need", "timeline": "timeline"}
_PEOPLE_STAGES = {
    "sal": "sales works the contact: support the salesperson with content",
    "opportunity": "a deal is open: send content that helps sell when sales is not in the room",
    "customer": "customer: look after the account, cross-sell, ask for a reference",
    "disqualified": "none: disqualified",
    "recycled": "nurture: recycled, back to content until ready again",
}


def next_step(
    *,
    stage: str,
    qualification: str,
    needs_qualification: bool,
    silent: bool,
    route_to: str | None,
    sla_working_days: int,
    why_now: str,
    bant_missing: Sequence[str],
    missing_for_next: Sequence[str],
) -> str:
    """What to do with the contact now, in words (domain §4, §5)."""
    if stage in _PEOPLE_STAGES and stage != "recycled":
        return _PEOPLE_STAGES[stage]
    if qualification == "sql":
        days = "day" if sla_working_days == 1 else "days"
        return f"call within {sla_working_days} working {days}: {why_now}"
    if needs_qualification:
        asks = [_BANT_WORDS.get(item.split(" ")[0], item) for item in bant_missing]
        return "re-qualify before handover: ask " + ", ".join(asks or list(_BANT_WORDS))
    if silent:
        if route_to == "refinery":
            return "move to the nurture refinery: well-fitting, but silent"
        return "route to outbound demand creation: well-fitting, but silent"
    if stage == "recycled":
        return _PEOPLE_STAGES[stage]
    missing = "; ".join(missing_for_next)
    if qualification == "mql":
        return f"warm up towards SQL (missing: {missing or 'nothing'})"
    if qualification == "lead":
        return f"nurture towards MQL (missing: {missing or 'nothing'})"
    return "nurture: no buying interest shown yet"
