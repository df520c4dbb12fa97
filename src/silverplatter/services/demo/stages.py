"""The stage history of an account's people, from what the demo world made of them (§5).

Once an account's events, deals and meetings are generated, each person's
events and deals are played through a :class:`~stage_path.StagePath` in time
order, so every stage move carries the time of the event, call or deal that
caused it and the history spreads over the world's past like the behaviour
does.  The contact rows get the stage they ended at.

Sales' timing draws (how soon a handover is accepted, how long before an
outbound deal the qualifying call was, what became of a request no deal came
of) come from the world's own ``stages`` stream, taken account by account in
order, so the rest of the world is the same as without stage histories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from random import Random
from typing import Final

from silverplatter.domain.grades import level_of, threshold_level
from silverplatter.domain.grading import evaluate_criterion, field_value
from silverplatter.domain.model_file import default_model_text, parse_model
from silverplatter.domain.readiness import ReadinessFacts, holds
from silverplatter.domain.scoring_model import Condition
from silverplatter.services.demo.plans import AccountPlan, NextIds, Person, WorldContext
from silverplatter.services.demo.rows import (
    ContactRow,
    EventValues,
    OpportunityRow,
    StageTransitionRow,
)
from silverplatter.services.demo.stage_path import SCORED, Event, Lines, Seller, StagePath
from silverplatter.services.demo.timeline import DAY, HOUR

#: A deal opened this soon after the contact's own request answered the request.
ANSWERED_WITHIN: Final = 12 * DAY
#: What sales made of a request no deal came of: recycled, disqualified, else nothing.
NOT_NOW_CHANCE: Final = 0.55
NOT_A_BUYER_CHANCE: Final = 0.15
REMEMBERED_VALUES: Final = 100_000
CALLED_BACK: Final = "called back after the request: need and timeline confirmed"
CALLED_OUT: Final = "qualified by sales in a call: need and timeline confirmed"
ACCEPTED: Final = "sales accepted the handover"


class StageHistories:
    """Records the stage moves of each account's people; one per world."""

    def __init__(self, seed: int, ctx: WorldContext, ids: NextIds) -> None:
        self.rng = Random(f"{seed}/stages")
        self.ctx = ctx
        self.ids = ids
        self.model = parse_model(default_model_text())
        self._start = level_of(self.model.grading.start)
        #: What each grading criterion adds for a value: a few values recur endlessly.
        self._thirds: dict[tuple[int, object], int] = {}

    def record(
        self,
        account: AccountPlan,
        people: Sequence[Person],
        contacts: list[ContactRow],
        events: Sequence[EventValues],
        deals: Sequence[OpportunityRow],
    ) -> list[StageTransitionRow]:
        """The moves of ``people`` (whose rows ``contacts`` get their final stage in place),
        from the account's ``events`` and ``deals``."""
        scored: dict[int, list[Event]] = {}
        for event in events:
            contact_id = event[4]
            if contact_id is not None and event[2] in SCORED:
                found = scored.get(contact_id)
                if found is None:
                    found = scored[contact_id] = []
                found.append((event[3], event[2], event[9]))
        deals_of: dict[int, list[OpportunityRow]] = {}
        for deal in deals:
            if deal.contact_id is not None:
                deals_of.setdefault(deal.contact_id, []).append(deal)
        ctx = self.ctx
        tier = self.model.thresholds.for_tier(account.value_tier)
        hard_cta = self.model.lifecycle.hard_cta_flag
        needed = threshold_level(tier.mql.grade) if tier.mql.grade is not None else 0

        def seller(moment: int) -> int | None:
            """Who follows the account's people up: its owner while they work here, the
            team seller for an account nobody owns, nobody for a departed owner's."""
            if account.owner_id is None:
                return ctx.team_seller_id
            return account.owner_id if ctx.active(account.owner_id, moment) else None

        rows: list[StageTransitionRow] = []
        for index, person in enumerate(people):
            contact = contacts[index]
            level = self._grade(_profile(account, contact))
            lines = Lines(
                tier.mql.score or 0.0,
                level >= needed,
                partial(_sales_ready, tier.sql, _facts(account, contact, level, hard_cta)),
            )
            path = StagePath(person.id, person.created_at, ctx.now, lines, self.rng, seller)
            path.add_events(scored.get(person.id, []))
            answered = self._deals(path, person, deals_of.get(person.id, []))
            self._requests(path, seller, person, answered)
            for move in path.run():
                rows.append(StageTransitionRow(self.ids.stage_transitions, *move))
                self.ids.stage_transitions += 1
            contacts[index] = contact._replace(
                lifecycle_stage=path.stage, stage_changed_at=path.changed_at
            )
        return rows

    def _grade(self, profile: dict[str, object]) -> int:
        """The contact's grade level, as ``domain.grading.grade`` gives it, from the
        criteria's results per value (remembered; forgotten when they grow many)."""
        if len(self._thirds) > REMEMBERED_VALUES:
            self._thirds.clear()
        level = self._start
        for index, criterion in enumerate(self.model.grading.criteria):
            key = (index, field_value(profile, criterion.field))
            thirds = self._thirds.get(key)
            if thirds is None:
                thirds = self._thirds[key] = evaluate_criterion(criterion, profile).thirds
            level += thirds
        return max(0, min(12, level))

    def _deals(self, path: StagePath, person: Person, deals: list[OpportunityRow]) -> set[int]:
        """Queue the person's deals; returns the requests they answered."""
        rng = self.rng
        answered: set[int] = set()
        for deal in sorted(deals, key=lambda deal: (deal.created_at, deal.id)):
            opened, owner = deal.created_at, deal.owner_id
            request = next(
                (
                    moment
                    for moment in person.hard_requests
                    if opened - ANSWERED_WITHIN <= moment <= opened and moment not in answered
                ),
                None,
            )
            if request is not None:
                answered.add(request)
                called = request + int((opened - request) * (0.2 + 0.6 * rng.random()))
                path.add(called, "qualify", CALLED_BACK, owner)
            else:
                called = max(person.created_at, opened - int((3 + rng.random() * 18) * DAY))
                path.add(called, "qualify", CALLED_OUT, owner)
            accepted = called + int((opened - called) * rng.random() * 0.5)
            path.add(accepted, "accept", ACCEPTED, owner)
            path.add(opened, "open", f"opportunity opened: {deal.name}", owner)
            if deal.closed_at is None:
                continue
            if deal.status == "won":
                path.add(deal.closed_at, "won", f"deal won: {deal.name}", owner)
            elif deal.lost_reason == "Requirements did not match":
                path.add(deal.closed_at, "disqualify", f"deal lost: {deal.lost_reason}", owner)
            else:
                path.add(deal.closed_at, "recycle", f"deal lost: {deal.lost_reason}", owner)
        return answered

    def _requests(
        self, path: StagePath, seller: Seller, person: Person, answered: set[int]
    ) -> None:
        """Queue what sales made of the person's requests that no deal answered: a call
        back and, some weeks later, not now or not a buyer; or nothing at all."""
        rng = self.rng
        for request in person.hard_requests:
            if request in answered:
                continue
            roll = rng.random()
            called = request + int((0.5 + rng.random() * 9.5) * DAY)
            accepted = called + int((1 + rng.random() * 29) * HOUR)
            decided = accepted + int((5 + rng.random() * 30) * DAY)
            owner = seller(request)
            if owner is None or roll >= NOT_NOW_CHANCE + NOT_A_BUYER_CHANCE:
                continue  # nobody acts on the request
            path.add(called, "qualify", CALLED_BACK, owner)
            path.add(accepted, "accept", ACCEPTED, owner)
            if roll < NOT_NOW_CHANCE:
                path.add(decided, "not_now", "sales: no project yet, not now", owner)
            else:
                path.add(decided, "not_a_buyer", "sales: not a buyer for us", owner)


def _facts(account: AccountPlan, contact: ContactRow, level: int, hard_cta: str) -> ReadinessFacts:
    """What the engine knows of a contact the moment it asks for contact (score apart):
    the hard call to action, no BANT record yet, only itself engaged at the account."""
    return ReadinessFacts(
        tier=account.value_tier,
        grade_level=level,
        score=0.0,
        flags=frozenset({hard_cta}),
        engaged=True,
        touches=0,
        seniority=contact.seniority,
        decision_role=contact.decision_role,
        engaged_contacts_at_account=1,
        roles_covered_at_account=1,
        account_score=0.0,
        bant_complete=False,
    )


def _sales_ready(condition: Condition, facts: ReadinessFacts, score: float) -> bool:
    return holds(condition, replace(facts, score=score))


def _profile(account: AccountPlan, contact: ContactRow) -> dict[str, object]:
    """The fields the scoring model grades, as the workspace will hold them."""
    return {
        "account.industry": account.industry.name,
        "account.country": account.country.code,
        "account.employees": account.employees,
        "account.annual_revenue": account.annual_revenue,
        "account.value_tier": account.value_tier,
        "account.status": account.status,
        "contact.seniority": contact.seniority,
        "contact.department": contact.department,
        "contact.decision_role": contact.decision_role,
        "contact.country": contact.country,
        "contact.title": contact.title,
    }
