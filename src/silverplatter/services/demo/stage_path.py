"""One contact's way through the lifecycle, move by move, at the moments that caused them.

A :class:`StagePath` is fed what happened to one person in time order (their
events, and what sales did with them) and records each lifecycle move at the
moment of its cause (domain §5):

- the engine's moves (actor ``rule``): the first scored event makes a
  subscriber a *lead*; a decayed engagement score at the tier's MQL line
  (score and grade, read from the default scoring model) makes an *MQL*, and
  the move back to lead (``fade``) falls when the score decays below the line
  again; a hard call to action hands the person over as an *SQL*, and when its
  flag lapses (90 days) an SQL nobody acted on cools down to MQL or lead;
  a recycled person comes back once MQL- or SQL-ready;
- sales' moves (actor ``user``, who works the account): a qualifying call
  before an outbound deal or in answer to a request the model alone does not
  hand over, the acceptance of the handover, the opportunity opened when the
  deal was, won (*customer*) or lost (*recycled*, or *disqualified* when the
  requirements did not match) when it closed; for a request that led to no
  deal, a recycle or a disqualification some weeks later, or nothing; and a
  call to most new MQLs some days or weeks on, which hands them over too.

The score is the default model's engagement in outline (the same points, caps
and half-life for the events the demo makes, without the faster fade of
pricing-page visits), so the recompute at the end of the generation agrees
with the history for almost everyone and moves the few others at ``now``.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from random import Random
from typing import Final, NamedTuple, Protocol

from silverplatter.services.demo.timeline import DAY, HOUR

#: Points per event type, as in ``domain/default_model.toml`` (form submissions apart).
POINTS: Final = {
    "page_view": 1.0,
    "email_open": 0.5,
    "email_click": 3.0,
    "webinar_attended": 12.0,
    "meeting_held": 25.0,
    "email_unsubscribe": -50.0,
}
SOFT_FORM_POINTS: Final = 15.0
HARD_FORM_POINTS: Final = 40.0
HALF_LIFE: Final = 45 * DAY
#: How long a hard call to action keeps a contact sales-ready (the model's flag days).
FLAG_LASTS: Final = 90 * DAY
#: Caps on counted events: page views per day, opens and clicks per week.
VIEWS_PER_DAY: Final = 5
OPENS_PER_WEEK: Final = 2
CLICKS_PER_WEEK: Final = 3
WEEK: Final = 7 * DAY
HARD_CTA_PREFIX: Final = '{"cta":"hard"'
#: Visits of the pricing and demo pages: intent that fades fast.
INTENT_PAGES: Final = ('{"url":"/pricing', '{"url":"/demo"')
INTENT_POINTS: Final = 10.0
INTENT_HALF_LIFE: Final = 14 * DAY
#: How likely sales calls a new MQL, and after how many days (from, plus up to).
CALL_CHANCE: Final = 0.6
CALL_AFTER: Final = (4.0, 38.0)
CALL_REASON: Final = "qualifying call: budget, authority, need and timeline discussed"
#: Days from accepting a called MQL to the verdict when no deal opens (from, plus up to).
VERDICT_AFTER: Final = (20.0, 60.0)
NOT_A_BUYER_AFTER_CALL: Final = 0.2
ASKED: Final = {
    "contact_request": "asked to be contacted",
    "demo_request": "asked for a demo",
    "quote_request": "asked for a quote",
}
FIRST_INTEREST: Final = {
    "page_view": "visited the website",
    "email_open": "opened an e-mail",
    "email_click": "clicked a link in an e-mail",
    "form_submit": "filled in a form",
    "webinar_attended": "attended a webinar",
    "meeting_held": "met sales",
}
#: What sales (and the lapse of a hard call to action) do, as opposed to events.
STEPS: Final = frozenset(
    {
        "lapse",
        "call",
        "qualify",
        "accept",
        "open",
        "won",
        "recycle",
        "disqualify",
        "not_now",
        "not_a_buyer",
    }
)
#: Event types that count towards the score.
SCORED: Final = frozenset({*POINTS, "form_submit"})
#: Stages the scoring engine may move a contact out of towards MQL or SQL.
ENGINE_STAGES: Final = ("subscriber", "lead", "mql")


class StageMove(NamedTuple):
    """One recorded move, before it gets its row id."""

    contact_id: int
    from_stage: str
    to_stage: str
    transition: str
    actor: str
    user_id: int | None
    reason: str
    occurred_at: int


#: A scored event: when, its type and its properties.
Event = tuple[int, str, str]
#: A step of sales' work: when, the order it was queued in, its kind, reason and who.
Step = tuple[int, int, str, str, int | None]
NEVER: Final = 2**62


def _moment(event: Event) -> int:
    return event[0]


class Lines(NamedTuple):
    """Where the engine draws its lines for one contact (``stages.py`` reads the model)."""

    mql_score: float
    #: Whether the contact's grade passes the MQL line.
    grade_passes: bool
    #: Whether a hard call to action at this score makes the contact an SQL by itself.
    sales_ready: Callable[[float], bool]


class Seller(Protocol):
    def __call__(self, moment: int) -> int | None:
        """Who works the account at ``moment``; ``None`` when nobody does."""


class StagePath:
    """The moves of one contact, from their creation up to ``now``.

    ``rng`` draws sales' follow-up of new MQLs, in the order the path plays.
    """

    def __init__(
        self,
        contact_id: int,
        created_at: int,
        now: int,
        lines: Lines,
        rng: Random,
        seller: Seller,
    ) -> None:
        self.contact_id = contact_id
        self.now = now
        self.mql_score, self.mql_grade, self.sales_ready = lines
        self.rng = rng
        self.seller = seller
        self.stage = "subscriber"
        self.changed_at: int | None = None
        self.moves: list[StageMove] = []
        self._steady = 0.0  # points that fade with the model's half-life ...
        self._brief = 0.0  # ... and intent page views, which fade faster
        self._scored_at = created_at
        self._flag_until = 0
        self._caps: dict[tuple[str, int], int] = {}
        self._events: list[Event] = []
        self._steps: list[Step] = []  # a heap
        self._order = 0

    def add_events(self, events: list[Event]) -> None:
        """Queue the contact's scored events (in any order)."""
        self._events.extend(events)

    def add(self, at: int, kind: str, detail: str = "", user_id: int | None = None) -> None:
        """Queue something that happened: an event (its type and properties) or one of
        sales' ``STEPS`` (its reason and who took it)."""
        if kind not in STEPS:
            self._events.append((at, kind, detail))
            return
        self._order += 1
        heapq.heappush(self._steps, (at, self._order, kind, detail, user_id))

    def run(self) -> list[StageMove]:
        """Play everything queued in time order (what it queues in turn too) up to ``now``;
        at the same moment, events before sales' steps."""
        events = sorted(self._events, key=_moment)  # stable: ties keep their order
        steps, now = self._steps, self.now
        index, count = 0, len(events)
        while True:
            upcoming = events[index][0] if index < count else NEVER
            if steps and steps[0][0] < upcoming:
                at, _, kind, detail, user_id = heapq.heappop(steps)
                if at >= now:
                    break
                self._fade_before(at)
                self._step(at, kind, detail, user_id)
            elif upcoming < now:
                at, kind, properties = events[index]
                index += 1
                self._fade_before(at)
                self._event(at, kind, properties)
            else:
                break
        self._events, self._steps = [], []
        self._fade_before(now)
        return self.moves

    # --- the score ------------------------------------------------------------

    def score_at(self, moment: int) -> float:
        elapsed = moment - self._scored_at
        return float(
            self._steady * 0.5 ** (elapsed / HALF_LIFE)
            + self._brief * 0.5 ** (elapsed / INTENT_HALF_LIFE)
        )

    def _rescore(self, moment: int, points: float, intent: bool) -> None:
        elapsed = moment - self._scored_at
        self._steady = self._steady * 0.5 ** (elapsed / HALF_LIFE) + (0.0 if intent else points)
        self._brief = self._brief * 0.5 ** (elapsed / INTENT_HALF_LIFE) + (points if intent else 0)
        self._scored_at = moment

    def _counted(self, kind: str, at: int) -> bool:
        if kind == "page_view":
            key, limit = (kind, at // DAY), VIEWS_PER_DAY
        elif kind == "email_open":
            key, limit = (kind, at // WEEK), OPENS_PER_WEEK
        elif kind == "email_click":
            key, limit = (kind, at // WEEK), CLICKS_PER_WEEK
        else:
            return True
        seen = self._caps.get(key, 0)
        if seen >= limit:
            return False
        self._caps[key] = seen + 1
        return True

    def _mql_ready(self, moment: int) -> bool:
        return self.mql_grade and self.score_at(moment) >= self.mql_score

    def _fade_before(self, moment: int) -> None:
        """An MQL whose score decays below the line before ``moment`` fades back to lead then."""
        if self.stage != "mql" or self.score_at(moment) >= self.mql_score:
            return
        low, high = self._scored_at, moment  # the score is at the line or above at ``low``
        while high - low > HOUR:
            middle = (low + high) // 2
            if self.score_at(middle) >= self.mql_score:
                low = middle
            else:
                high = middle
        reason = f"engagement score fell below the MQL line of {self.mql_score:g}"
        self._move(high, "lead", "fade", "rule", None, reason)

    # --- moves ----------------------------------------------------------------

    def _move(
        self, at: int, to: str, transition: str, actor: str, user_id: int | None, reason: str
    ) -> None:
        self.moves.append(
            StageMove(self.contact_id, self.stage, to, transition, actor, user_id, reason, at)
        )
        self.stage = to
        self.changed_at = at

    def _step(self, at: int, kind: str, detail: str, user_id: int | None) -> None:
        stage = self.stage
        if kind == "lapse":
            if stage == "sql" and self._flag_until <= at:
                if self._mql_ready(at):
                    reason = "the hard call to action lapsed"
                    self._move(at, "mql", "cool_down", "rule", None, reason)
                else:
                    reason = "the hard call to action lapsed; engagement is below the MQL line"
                    self._move(at, "lead", "fade_to_lead", "rule", None, reason)
        elif kind == "qualify":  # sales qualified the contact in a call
            if stage in (*ENGINE_STAGES, "recycled"):
                self._move(at, "sql", "hand_over_as_sql", "user", user_id, detail)
        elif kind == "accept":
            if stage == "sql":
                self._move(at, "sal", "accept", "user", user_id, detail)
        elif kind == "open":
            if stage in ("sql", "sal"):
                self._move(at, "opportunity", "open_opportunity", "user", user_id, detail)
        elif kind == "won":
            if stage == "opportunity":
                self._move(at, "customer", "win", "user", user_id, detail)
        elif kind in ("recycle", "disqualify"):  # a lost deal
            if stage == "opportunity":
                target = "recycled" if kind == "recycle" else "disqualified"
                self._move(at, target, kind, "user", user_id, detail)
        elif kind == "not_now" and stage in ("sql", "sal"):  # a handover no deal came of
            self._move(at, "recycled", "recycle", "user", user_id, detail)
        elif kind == "not_a_buyer" and stage in ("sql", "sal"):
            self._move(at, "disqualified", "disqualify", "user", user_id, detail)
        elif kind == "call" and stage in ("lead", "mql"):
            self._call(at, user_id)

    def _event(self, at: int, kind: str, properties: str) -> None:
        hard = kind == "form_submit" and properties.startswith(HARD_CTA_PREFIX)
        if kind == "form_submit":
            points = HARD_FORM_POINTS if hard else SOFT_FORM_POINTS
        elif kind in POINTS and self._counted(kind, at):
            points = POINTS[kind]
        else:
            return
        intent = kind == "page_view" and properties.startswith(INTENT_PAGES)
        self._rescore(at, INTENT_POINTS if intent else points, intent)
        stage = self.stage
        if hard:
            self._flag_until = at + FLAG_LASTS
            if stage in (*ENGINE_STAGES, "recycled") and self.sales_ready(self.score_at(at)):
                form = properties.split('"form":"', 1)[-1].split('"', 1)[0]
                self._move(at, "sql", "hand_over_as_sql", "rule", None, ASKED.get(form, form))
            if self.stage == "sql":
                self.add(at + FLAG_LASTS, "lapse")
                return
            # not sales-ready by the model: MQL at most, until sales answers the request
        if self._mql_ready(at) and stage in ("subscriber", "lead", "recycled"):
            transition = "reengage_as_mql" if stage == "recycled" else "qualify_as_mql"
            reason = (
                f"engagement score {self.score_at(at):.0f} reached the MQL line of "
                f"{self.mql_score:g} ({FIRST_INTEREST.get(kind, kind)})"
            )
            self._move(at, "mql", transition, "rule", None, reason)
            if not hard:  # a request is answered anyway (``stages.py``)
                self._follow_up(at)
        elif stage == "subscriber" and points > 0:
            self._move(at, "lead", "become_lead", "rule", None, FIRST_INTEREST.get(kind, kind))

    # --- sales' follow-up of MQLs -------------------------------------------------

    def _follow_up(self, at: int) -> None:
        """Sales may call a new MQL some days or weeks later (unless it moved on by then)."""
        roll, delay = self.rng.random(), self.rng.random()
        seller = self.seller(at)
        if seller is not None and roll < CALL_CHANCE:
            self.add(at + int((CALL_AFTER[0] + delay * CALL_AFTER[1]) * DAY), "call", "", seller)

    def _call(self, at: int, seller: int | None) -> None:
        """The qualifying call: handed over and accepted; the verdict comes weeks later
        unless a deal opens first."""
        rng = self.rng
        accepted = at + int((1 + rng.random() * 30) * HOUR)
        decided = accepted + int((VERDICT_AFTER[0] + rng.random() * VERDICT_AFTER[1]) * DAY)
        buyer = rng.random() >= NOT_A_BUYER_AFTER_CALL
        self._move(at, "sql", "hand_over_as_sql", "user", seller, CALL_REASON)
        self.add(accepted, "accept", "sales accepted the handover", seller)
        if buyer:
            self.add(
                decided, "not_now", "sales: a need, but no project yet; back to nurture", seller
            )
        else:
            self.add(decided, "not_a_buyer", "sales: not a buyer for us", seller)
