"""Sales at an account: opportunities, meetings with BANT notes, and trigger events.

Whether a deal is won depends, noisily, on the account's fit, on how much its
buying committee engaged and whether a decision maker was among them, and on
whether the buyer asked for contact themselves.
"""

from __future__ import annotations

import math
from decimal import Decimal
from random import Random
from typing import Final

from silverplatter.services.demo.chance import cumulative, pick, sigmoid
from silverplatter.services.demo.content import WORRIES, to_json
from silverplatter.services.demo.offers import module_for_deal
from silverplatter.services.demo.plans import (
    AccountPlan,
    EventLog,
    NextIds,
    Person,
    Touch,
    WorldContext,
)
from silverplatter.services.demo.rows import (
    Batch,
    MeetingAttendeeRow,
    MeetingRow,
    OpportunityRow,
)
from silverplatter.services.demo.timeline import DAY, HOUR, MONTH, PEAK_LEAD, YEAR, heat

OPEN_STAGES: Final = ("Qualification", "Needs analysis", "Proposal", "Negotiation")
LOST_REASONS: Final = (
    "Chose a competitor",
    "No decision",
    "Price",
    "Not now, maybe later",
    "Budget cut",
    "Stayed with current supplier",
    "Requirements did not match",
)
_LOST_WEIGHTS: Final = cumulative((0.22, 0.2, 0.14, 0.14, 0.08, 0.12, 0.1))
_TYPICAL_AMOUNT: Final = {"gold": 320_000, "silver": 120_000, "bronze": 45_000}
MEETING_SUBJECTS: Final = ("Discovery meeting", "Solution demo", "Proposal review", "Negotiation")
_KEY_ROLES: Final = {"decision_maker": 3.0, "economic_buyer": 2.5, "champion": 3.0}
_NEW_PERSON_TITLES: Final = ("CEO", "CFO", "COO", "CIO", "Production Director", "IT Director")
_PROJECTS: Final = (
    "New production line announced",
    "Investment in a new plant",
    "Expansion into a new market",
    "Digitalisation programme launched",
    "ERP renewal project announced",
)


class Buyers:
    """What the account's people did, summed up for the sales side."""

    def __init__(self, people: list[Person]) -> None:
        self.people = people
        self.engagement = sum(person.engagement for person in people)
        self.decision_maker_engaged = any(
            person.engagement >= 5.0
            and person.decision_role in ("decision_maker", "economic_buyer")
            for person in people
        )
        self.requests = sorted(
            (moment, person.id) for person in people for moment in person.hard_requests
        )
        self.by_id = {person.id: person for person in people}

    def known_at(self, moment: int) -> list[Person]:
        return [person for person in self.people if person.created_at <= moment]

    def lead_contact(self, moment: int) -> Person | None:
        """Who sales talks to: the champion, else the decision maker, else anyone known."""
        known = self.known_at(moment)
        for role in ("champion", "decision_maker"):
            for person in known:
                if person.decision_role == role:
                    return person
        return known[0] if known else None


def _timeline(months_to_window: float) -> str:
    if months_to_window < 3:
        return "0-3 months"
    if months_to_window < 6:
        return "3-6 months"
    if months_to_window < 12:
        return "6-12 months"
    return "over 12 months"


class Sales:
    """The seller's sales work at one account over the 24 months."""

    def __init__(
        self,
        rng: Random,
        ctx: WorldContext,
        account: AccountPlan,
        buyers: Buyers,
        ids: NextIds,
        batch: Batch,
        log: EventLog,
    ) -> None:
        self.rng, self.ctx, self.account, self.buyers = rng, ctx, account, buyers
        self.ids, self.batch, self.log = ids, batch, log
        lead = buyers.lead_contact(ctx.now)
        self.need = WORRIES[(lead or buyers.people[0]).worry]
        self.last_change = 0  # when the account's status last changed

    def opportunity_starts(self) -> list[tuple[int, Person | None]]:
        """When opportunities open, and who asked for contact if the buyer did (inbound)."""
        rng, ctx, account = self.rng, self.ctx, self.account
        starts: list[tuple[int, int]] = []  # (moment, requester id or 0 when sales called)
        for request, requester in self.buyers.requests:
            owner_works = ctx.active(account.owner_id, request)
            follow_up = 0.75 if owner_works else 0.5 if account.owner_id is None else 0.15
            if rng.random() < follow_up:
                starts.append((request + DAY + int(rng.random() * 10 * DAY), requester))
        peak = account.window_opens - PEAK_LEAD
        if ctx.start <= peak < ctx.now and rng.random() < 0.45 * account.fit:
            starts.append((peak + int(rng.gauss(0.0, 45.0) * DAY), 0))
        if rng.random() < (0.3 if account.status == "customer" else 0.05 * account.fit):
            starts.append((ctx.start + int(rng.random() * (ctx.now - ctx.start)), 0))
        chosen: list[tuple[int, Person | None]] = []
        for moment, requester in sorted(starts):
            if not ctx.start <= moment < ctx.now - DAY:
                continue
            if not requester and not ctx.active(account.owner_id, moment):
                continue  # nobody calls out for an account without a working owner
            if chosen and moment - chosen[-1][0] < 9 * MONTH:
                continue
            chosen.append((moment, self.buyers.by_id.get(requester)))
        return chosen

    def sell(self) -> None:
        """Opportunities and their meetings, then yearly reviews with customers."""
        for created, requester in self.opportunity_starts():
            self.pursue(created, requester)
        ctx, account = self.ctx, self.account
        if account.status == "customer" and ctx.active(account.owner_id, ctx.now - YEAR):
            for year in range(2):
                at = ctx.now - (year + 1) * YEAR + int(self.rng.random() * (YEAR - DAY))
                if self.rng.random() < 0.5 and ctx.active(account.owner_id, at):
                    bant = {"budget": "unknown", "authority": "decision_maker_met"}
                    bant |= {"need": self.need, "timeline": "unknown"}
                    self.meet(None, at, "Account review", account.owner_id, to_json(bant), None)

    def pursue(self, created: int, requester: Person | None) -> None:
        """One opportunity from first meeting to won, lost or still open at ``now``."""
        rng, ctx, account, buyers = self.rng, self.ctx, self.account, self.buyers
        now = ctx.now
        contact = requester if requester is not None else buyers.lead_contact(created)
        working = ctx.active(account.owner_id, created)
        owner_id = account.owner_id if working else ctx.team_seller_id  # someone picks it up
        engaged = 1.0 - math.exp(-buyers.engagement / (20.0 * len(buyers.people)))
        score = (
            -2.4
            + 3.5 * (account.fit - 0.55)
            + 1.5 * engaged
            + (0.5 if buyers.decision_maker_engaged else -0.2)
            + (0.5 if requester is not None else 0.0)
            + (0.4 if account.status == "customer" else 0.0)
            + rng.gauss(0.0, 0.8)
        )
        won = rng.random() < sigmoid(score)
        days = (25.0 + rng.expovariate(1.0 / 80.0)) * (1.6 if account.value_tier == "gold" else 1)
        closed = created + int(days * DAY)
        reason: str | None = None
        closed_at: int | None = None
        if closed >= now:
            status = "open"
            stage = OPEN_STAGES[min(3, int((now - created) / (closed - created) * 4))]
            updated = created + int((now - created) * rng.random())
        else:
            status, stage = ("won", "Closed won") if won else ("lost", "Closed lost")
            closed_at = updated = closed
            if not won:
                reason = pick(rng, LOST_REASONS, _LOST_WEIGHTS)
                if account.fit < 0.5 and rng.random() < 0.4:
                    reason = "Requirements did not match"
        typical = _TYPICAL_AMOUNT.get(account.value_tier, 22_000)
        amount = Decimal(int(round(typical * rng.lognormvariate(0.0, 0.45), -2)))
        module = module_for_deal(account)
        if account.status == "customer":
            offer = module if module not in account.modules else "Additional plant"
        else:
            offer = "ERP renewal" if account.erp_vendor else "Production control"
        opportunity_id = self.ids.opportunities
        self.ids.opportunities += 1
        self.batch.opportunities.append(
            OpportunityRow(
                opportunity_id,
                f"DEMO-O{opportunity_id:07d}",
                account.id,
                contact.id if contact is not None else None,
                f"{account.name} – {offer}",
                amount,
                "EUR",
                stage,
                status,
                reason,
                module,
                owner_id,
                created,
                closed_at,
                updated,
            )
        )
        if status == "won":
            account.status = "customer"
            if module not in account.modules:
                account.modules.append(module)
            self.last_change = max(self.last_change, closed)
        end = closed_at if closed_at is not None else now
        count = min(4, 1 + int((end - created) / (45 * DAY)))
        for step in range(count):
            at = created + int((end - created) * (step + rng.random() * 0.8) / count)
            if at >= now - HOUR:
                break
            bant = self.bant(at, step, score > 0.0, reason == "Budget cut")
            notes = self.notes() if step == 0 else None
            self.meet(contact, at, MEETING_SUBJECTS[step], owner_id, bant, notes)

    def bant(self, moment: int, step: int, strong: bool, budget_cut: bool) -> str:
        """What sales has learnt by this meeting: budget, authority, need, timeline (§5)."""
        known = step >= 1 or self.rng.random() < 0.4
        if not known:
            bant = {"budget": "unknown", "authority": "unknown", "timeline": "unknown"}
            return to_json(bant | {"need": self.need})
        budget = "none" if budget_cut else "approved" if strong and step >= 2 else "planned"
        met = strong or self.rng.random() < 0.3
        authority = "decision_maker_met" if met else "champion_only"
        timeline = _timeline((self.account.window_opens - moment) / MONTH)
        bant = {"budget": budget, "authority": authority, "need": self.need, "timeline": timeline}
        return to_json(bant)

    def notes(self) -> str:
        """Discovery notes with the facts reverse BANT works from (domain §5)."""
        account = self.account
        if account.erp_vendor and account.erp_go_live_year:
            return (
                f"Main worry: {self.need.lower()}. ERP from {account.erp_vendor}, live since "
                f"{account.erp_go_live_year}; such systems last about {account.erp_lifetime} years."
            )
        return f"Main worry: {self.need.lower()}. No clear picture of their current systems yet."

    def meet(
        self,
        contact: Person | None,
        at: int,
        subject: str,
        owner_id: int | None,
        bant: str,
        notes: str | None,
    ) -> None:
        """A meeting with some of the buying committee, logged for each person who came."""
        rng, ids, batch = self.rng, self.ids, self.batch
        meeting_id = ids.meetings
        ids.meetings += 1
        logged = min(at + 2 * HOUR, self.ctx.now)
        batch.meetings.append(
            MeetingRow(meeting_id, self.account.id, owner_id, at, subject, notes, bant, logged)
        )
        people = self.buyers.known_at(at)
        lead = contact if contact is not None else self.buyers.lead_contact(at)
        present = [lead] if lead is not None else []
        if people:
            weights = cumulative([_KEY_ROLES.get(p.decision_role, 0.7) for p in people])
            for _ in range(int(rng.random() * 3)):
                person = pick(rng, people, weights)
                if person not in present:
                    present.append(person)
        properties = to_json({"meeting_id": meeting_id, "subject": subject})
        for person in present:
            name = f"{person.first_name} {person.last_name}"
            batch.meeting_attendees.append(
                MeetingAttendeeRow(ids.meeting_attendees, meeting_id, person.id, None, name)
            )
            ids.meeting_attendees += 1
            touch = Touch(person.id, None, self.account.id, "sales", None)
            self.log.add("meeting_held", at, touch, properties, 2 * HOUR + int(rng.random() * HOUR))
        if owner_id is not None:
            name = self.ctx.staff_names[owner_id]
            batch.meeting_attendees.append(
                MeetingAttendeeRow(ids.meeting_attendees, meeting_id, None, owner_id, name)
            )
            ids.meeting_attendees += 1


def announce(rng: Random, ctx: WorldContext, account: AccountPlan, log: EventLog) -> None:
    """Account-level trigger events from a data provider: new executives, new projects."""
    span = ctx.now - DAY - ctx.start
    provider = Touch(None, None, account.id, "data_provider", None)
    if rng.random() < 0.08:
        at = ctx.start + int(rng.random() * span)
        title = _NEW_PERSON_TITLES[int(rng.random() * len(_NEW_PERSON_TITLES))]
        delay = DAY + int(rng.random() * 2 * DAY)
        log.add("executive_appointed", at, provider, to_json({"title": title}), delay)
    peak = account.window_opens - PEAK_LEAD
    if rng.random() < 0.05 + 0.3 * heat(min(max(peak, ctx.start), ctx.now), account.window_opens):
        at = ctx.start + int(rng.random() * span)
        if ctx.start <= peak < ctx.now and rng.random() < 0.7:
            at = min(ctx.now - DAY, max(ctx.start, peak - int(rng.random() * 90 * DAY)))
        project = _PROJECTS[int(rng.random() * len(_PROJECTS))]
        delay = DAY + int(rng.random() * 2 * DAY)
        log.add("project_announced", at, provider, to_json({"summary": project}), delay)
