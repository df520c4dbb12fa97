"""The demo world, generated account by account as batches of rows.  Pure: no I/O.

Every account draws from its own ``random.Random`` seeded with the run's seed
and the account's number, so the world is the same for the same seed and
``now`` however it is batched.  The data for planning and insight (offer
modules, campaign answers, people lists, champion moves) draws from one stream
per kind for the whole world, taken in account order: seeding a stream per
account or person would cost more than the data.  Memory holds one batch at a
time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set
from datetime import date
from random import Random
from typing import Final

from silverplatter.services.demo.accounts import (
    CHANNEL_PREFERENCES,
    build_committee,
    committee_size,
    plan_account,
)
from silverplatter.services.demo.answers import answer_campaigns
from silverplatter.services.demo.behaviour import live
from silverplatter.services.demo.catalogue import INDUSTRIES, NAME_STEMS
from silverplatter.services.demo.chance import cumulative, poisson
from silverplatter.services.demo.content import (
    SEGMENT_OF_WORRY,
    WORRIES,
    WORRY_KEYS,
    build_calendar,
    to_json,
)
from silverplatter.services.demo.costs import channel_costs
from silverplatter.services.demo.deals import Buyers, Sales, announce
from silverplatter.services.demo.lists import PeopleLists
from silverplatter.services.demo.moves import Moves
from silverplatter.services.demo.offers import plan_purchases
from silverplatter.services.demo.people import STAFF
from silverplatter.services.demo.plans import EventLog, NextIds, WorldContext
from silverplatter.services.demo.rows import (
    AccountRow,
    Batch,
    PropertyDefinitionRow,
    UserRow,
)
from silverplatter.services.demo.stages import StageHistories
from silverplatter.services.demo.timeline import DAY, WINDOW, YEAR
from silverplatter.services.demo.web import anonymous_visitor

#: Custom properties the demo workspace defines (object type, name, label, type, choices).
PROPERTY_DEFINITIONS: Final = (
    ("contact", "topics_of_interest", "Topics of interest", "choice", tuple(WORRIES.values())),
    ("contact", "preferred_channel", "Preferred channel", "choice", CHANNEL_PREFERENCES),
    ("account", "erp_vendor", "ERP vendor", "text", None),
    ("account", "target_account", "Top target account", "boolean", None),
)
#: The sales person who left the company leaves this long before ``now``.
GHOST_LEFT_BEFORE_NOW: Final = 200 * DAY
#: A batch is handed over once it holds this many events (whole accounts only).
EVENTS_PER_BATCH: Final = 40_000


class DemoWorld:
    """A fictional seller's workspace with ``contacts`` people, for demos and benchmarks."""

    def __init__(
        self,
        *,
        seed: int,
        now: int,
        contacts: int,
        next_ids: NextIds,
        existing_users: Mapping[str, int] | None = None,
        existing_properties: Set[tuple[str, str]] = frozenset(),
        existing_costs: Set[tuple[str, date]] = frozenset(),
    ) -> None:
        self.seed = seed
        self.now = now
        self.contacts = contacts
        self.ids = next_ids
        self._existing_users = dict(existing_users or {})
        self._existing_properties = existing_properties
        self._existing_costs = existing_costs
        self._user_ids: dict[str, int] = {}
        self.context = self._context()
        marketing = self._user_ids[STAFF[1].email]
        self.people_lists = PeopleLists(seed, now, self.ids, marketing)
        self.moves = Moves(seed, self.context, self.ids)
        self.stages = StageHistories(seed, self.context, self.ids)
        # the streams of offer modules and campaign answers, taken in account order
        self._offers = Random(f"{seed}/offers")
        self._answers = Random(f"{seed}/answers")

    def _context(self) -> WorldContext:
        owners: list[int] = []
        shares: list[float] = []
        left_at: dict[int, int] = {}
        names: dict[int, str] = {}
        next_id = self.ids.users
        for member in STAFF:
            user_id = self._existing_users.get(member.email.lower())
            if user_id is None:
                user_id = next_id
                next_id += 1
            self._user_ids[member.email] = user_id
            names[user_id] = member.name
            if member.account_share:
                owners.append(user_id)
                shares.append(member.account_share)
            if not member.active:
                left_at[user_id] = self.now - GHOST_LEFT_BEFORE_NOW
        return WorldContext(
            now=self.now,
            start=self.now - WINDOW,
            calendar=build_calendar(self.now),
            owner_ids=tuple(owners),
            owner_weights=cumulative(shares),
            left_at=left_at,
            staff_names=names,
            team_seller_id=self._user_ids[STAFF[2].email],
        )

    def _setup(self, batch: Batch) -> None:
        """The seller's users, the workspace's custom property definitions, the imported lists
        and what marketing cost per channel and month."""
        for number, member in enumerate(STAFF):
            user_id = self._user_ids[member.email]
            if member.email.lower() in self._existing_users:
                continue
            joined = self.now - 3 * YEAR + number * 30 * DAY
            left = self.context.left_at.get(user_id)
            batch.users.append(
                UserRow(
                    user_id,
                    member.email,
                    member.email.lower(),
                    member.name,
                    member.role,
                    None,
                    member.active,
                    joined,
                    left,
                )
            )
        self.ids.users = max([self.ids.users, *(row.id + 1 for row in batch.users)])
        for object_type, name, label, kind, choices in PROPERTY_DEFINITIONS:
            if (object_type, name) in self._existing_properties:
                continue
            batch.property_definitions.append(
                PropertyDefinitionRow(
                    self.ids.property_definitions,
                    object_type,
                    name,
                    label,
                    kind,
                    to_json({"choices": list(choices)}) if choices else None,
                    self.now - 3 * YEAR,
                )
            )
            self.ids.property_definitions += 1
        batch.people_lists.extend(self.people_lists.lists())
        batch.channel_costs.extend(
            channel_costs(self.seed, self.context, self.contacts, self.ids, self._existing_costs)
        )

    def batches(self, events_per_batch: int = EVENTS_PER_BATCH) -> Iterator[Batch]:
        """The world as batches of whole accounts, in order; the first also holds the users."""
        batch = Batch()
        self._setup(batch)
        log = EventLog(self.seed, self.ids.events, self.ids.event_ordinal, self.now)
        log.rows = batch.events
        name_offsets = [
            Random(f"{self.seed}/names/{industry.name}").randrange(
                len(NAME_STEMS) * len(industry.name_words)
            )
            for industry in INDUSTRIES
        ]
        offsets = {
            industry.name: offset for industry, offset in zip(INDUSTRIES, name_offsets, strict=True)
        }
        name_rounds: dict[str, int] = {}
        made = 0
        number = 0
        while made < self.contacts:
            rng = Random(f"{self.seed}/account/{number}")
            made += self._account(rng, batch, log, name_rounds, offsets, self.contacts - made)
            number += 1
            if len(batch.events) >= events_per_batch or made >= self.contacts:
                self.ids.events, self.ids.event_ordinal = log.next_id, log.ordinal
                yield batch
                batch = Batch()
                log.rows = batch.events

    def _account(
        self,
        rng: Random,
        batch: Batch,
        log: EventLog,
        name_rounds: dict[str, int],
        offsets: Mapping[str, int],
        remaining: int,
    ) -> int:
        ctx = self.context
        ids = self.ids
        first_event, first_deal = len(log.rows), len(batch.opportunities)
        account, solutions, contracts = plan_account(rng, ctx, ids, name_rounds, offsets)
        size = min(committee_size(rng, account), remaining)
        people, contact_rows = build_committee(rng, ctx, account, size, ids)
        batch.employment_history.extend(self.moves.arrive(account, people, contact_rows))
        plan_purchases(self._offers, ctx, account, people, ids, batch)
        for person in people:
            mail = live(rng, ctx, person, ids, batch.consent_records, log)
            answer_campaigns(self._answers, ctx, person, mail, log)
        for _ in range(poisson(rng, 0.25 * size)):
            anonymous_visitor(rng, ctx, WORRY_KEYS[int(rng.random() * len(WORRY_KEYS))], log)
        buyers = Buyers(people)
        sales = Sales(rng, ctx, account, buyers, ids, batch, log)
        sales.sell()
        announce(rng, ctx, account, log)
        batch.people_list_entries.extend(self.people_lists.entries(account, people, contact_rows))
        batch.stage_transitions.extend(
            self.stages.record(
                account,
                people,
                contact_rows,
                log.rows[first_event:],
                batch.opportunities[first_deal:],
            )
        )

        first_known = min(person.created_at for person in people)
        if account.customer_since is not None:
            first_known = min(first_known, account.customer_since)
        created = first_known - int(rng.random() * 30 * DAY)
        for row in solutions:
            batch.installed_solutions.append(row._replace(created_at=created))
        for contract in contracts:
            batch.supplier_contracts.append(contract._replace(created_at=created))
        batch.contacts.extend(
            row._replace(source=person.acquisition)
            for row, person in zip(contact_rows, people, strict=True)
        )
        lead = buyers.lead_contact(ctx.now)
        segment = None
        if account.status == "customer" or (account.owner_id and rng.random() < 0.4):
            segment = SEGMENT_OF_WORRY[(lead or people[0]).worry]
        custom: dict[str, object] = {}
        if account.erp_vendor is not None and rng.random() < 0.75:
            custom["erp_vendor"] = account.erp_vendor
        if account.value_tier == "gold" and account.fit > 0.7:
            custom["target_account"] = True
        known_to_crm = account.status != "prospect" or account.owner_id is not None
        batch.accounts.append(
            AccountRow(
                account.id,
                f"DEMO-A{account.id:07d}" if known_to_crm else None,
                account.name,
                account.domain,
                account.industry.name,
                account.country.code,
                account.employees,
                account.annual_revenue,
                account.value_tier,
                segment,
                account.owner_id,
                account.status,
                to_json(custom),
                created,
                max(created, sales.last_change),
            )
        )
        return size
