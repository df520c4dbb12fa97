"""The engagement state of a contact or account, and how one event changes it.

Everything kept here is a fold that does not care about arrival order —
decayed sums, per-bucket raw points, the latest time of each flag, counts and
maxima, the touches inside the silence window — which is what lets the
incremental path and the batch recompute agree for any order of events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from silverplatter.domain.engagement import (
    CompiledRule,
    DecayedSum,
    EventFacts,
    RuleBook,
    bucket_start,
    decay,
)

DAY = 86_400.0


@dataclass(slots=True)
class SubjectState:
    """What the engine remembers about one contact (or one account's own events)."""

    sums: dict[float, DecayedSum] = field(default_factory=dict)
    #: Raw points per (rule index, bucket start) of capped rules; only the buckets
    #: the events at hand fall into need to be loaded.
    buckets: dict[tuple[int, float], float] = field(default_factory=dict)
    flags: dict[str, float] = field(default_factory=dict)
    engaged: bool = False
    last_engaged_at: float | None = None
    touches: int = 0
    #: Touches inside the silence window: time → how many touches at that time.
    recent_touches: dict[float, int] = field(default_factory=dict)

    def score_at(self, moment: float) -> float:
        return sum(total.at(moment, half_life) for half_life, total in self.sums.items())

    def active_flags(self, moment: float, flag_days: float) -> frozenset[str]:
        earliest = moment - flag_days * DAY
        return frozenset(
            name for name, raised in self.flags.items() if earliest <= raised <= moment
        )

    def touches_within(self, moment: float, days: float) -> int:
        start = moment - days * DAY
        return sum(n for touch, n in self.recent_touches.items() if start < touch <= moment)


def _capped_delta(rule: CompiledRule, raw_before: float) -> tuple[float, float]:
    """(raw after, change of the counted points) when one more event of ``rule`` arrives."""
    cap = rule.rule.cap
    assert cap is not None
    limit = cap[1]
    points = rule.rule.points
    raw_after = raw_before + points

    def counted(raw: float) -> float:
        return max(-limit, min(limit, raw))

    return raw_after, counted(raw_after) - counted(raw_before)


def apply_event(
    state: SubjectState,
    book: RuleBook,
    scope: str,
    event: EventFacts,
    *,
    silence_window_days: float | None,
    now: float,
) -> list[CompiledRule]:
    """Fold one event into ``state``; return the rules it met."""
    matched = book.matching(scope, event)
    moment = event.occurred_at
    for compiled in matched:
        rule = compiled.rule
        half_life = compiled.half_life_days
        total = state.sums.get(half_life)
        if total is None:
            total = state.sums[half_life] = DecayedSum()
        cap = rule.cap
        if cap is None:
            total.add(rule.points, moment, half_life)
        else:
            start = bucket_start(moment, cap[0])
            key = (compiled.index, start)
            raw_after, change = _capped_delta(compiled, state.buckets.get(key, 0.0))
            state.buckets[key] = raw_after
            if change:
                total.add(change, start, half_life)
        if rule.points > 0:
            state.engaged = True
        if rule.flag is not None:
            previous = state.flags.get(rule.flag)
            if previous is None or moment > previous:
                state.flags[rule.flag] = moment
    if scope == "contact":
        if event.type in book.quiet_breakers and (
            state.last_engaged_at is None or moment > state.last_engaged_at
        ):
            state.last_engaged_at = moment
        if event.type in book.touch_types:
            state.touches += 1
            if silence_window_days is not None:
                _remember_touch(state, moment, silence_window_days, now)
    return matched


def _remember_touch(state: SubjectState, moment: float, window_days: float, now: float) -> None:
    horizon = now - window_days * DAY
    if moment > horizon:
        state.recent_touches[moment] = state.recent_touches.get(moment, 0) + 1
    for touch in [touch for touch in state.recent_touches if touch <= horizon]:
        del state.recent_touches[touch]


def counted_bucket_value(rule: CompiledRule, raw: float, start: float, at: float) -> float:
    """What one bucket of a capped rule contributes at ``at``."""
    cap = rule.rule.cap
    assert cap is not None
    return decay(max(-cap[1], min(cap[1], raw)), start, at, rule.half_life_days)
