"""Champions who changed jobs: the same person known at two accounts (domain §11, 003).

Now and then a person the seller knew as a champion, decision maker or
economic buyer at one account turns up in the committee of an account
generated later: a second contact record with the same first and last name and
LinkedIn profile, an e-mail address at the new company, and the new job's
title.  Their employment history says the old job ended when they moved and
the new one started a little later.  Detecting the move, and the owners' tasks
it gives, is the product's work (``services/champion_moves.py``); the demo
only makes the data it finds.

Draws come from the world's own ``moves`` stream, taken account by account in
order, so the rest of the world is the same as without moves; the people who
may move are kept in a small list, also in account order, so the world is the
same however it is batched.
"""

from __future__ import annotations

from random import Random
from typing import Final, NamedTuple

from silverplatter.services.demo.catalogue import ascii_fold
from silverplatter.services.demo.plans import AccountPlan, NextIds, Person, WorldContext
from silverplatter.services.demo.rows import ContactRow, EmploymentRow
from silverplatter.services.demo.timeline import DAY, YEAR

#: How likely an account's committee holds someone who came from an earlier account.
MOVE_CHANCE: Final = 0.05
#: Roles whose move matters: the people who carried our case at their old account.
MOVING_ROLES: Final = frozenset({"champion", "decision_maker", "economic_buyer"})
#: How many people who may move are remembered (the most recent ones).
REMEMBERED: Final = 64


class Mover(NamedTuple):
    """A person at an earlier account who may turn up at a later one."""

    contact_id: int
    first_name: str
    last_name: str
    linkedin_url: str
    email: str
    title: str
    account_id: int
    account_name: str
    known_since: int


class Moves:
    """Remembers possible movers account by account and moves some of them on."""

    def __init__(self, seed: int, ctx: WorldContext, ids: NextIds) -> None:
        self.rng = Random(f"{seed}/moves")
        self.ctx = ctx
        self.ids = ids
        self.movers: list[Mover] = []

    def arrive(
        self, account: AccountPlan, people: list[Person], contacts: list[ContactRow]
    ) -> list[EmploymentRow]:
        """Maybe make one of the account's people someone who moved here from an earlier
        account (changing ``people`` and ``contacts`` in place), then remember the
        account's own possible movers.  Returns the employment rows of the move."""
        rng = self.rng
        rows: list[EmploymentRow] = []
        if self.movers and rng.random() < MOVE_CHANCE:
            rows = self._move_in(rng, account, people, contacts)
        arrived = {row.contact_id for row in rows}  # who just came is not about to leave
        for person, contact in zip(people, contacts, strict=True):
            if (
                contact.linkedin_url
                and person.decision_role in MOVING_ROLES
                and person.created_at < self.ctx.now - YEAR
                and contact.id not in arrived
            ):
                self.movers.append(
                    Mover(
                        contact.id,
                        contact.first_name,
                        contact.last_name,
                        contact.linkedin_url,
                        contact.email,
                        contact.title,
                        account.id,
                        account.name,
                        person.created_at,
                    )
                )
        del self.movers[:-REMEMBERED]
        return rows

    def _move_in(
        self,
        rng: Random,
        account: AccountPlan,
        people: list[Person],
        contacts: list[ContactRow],
    ) -> list[EmploymentRow]:
        ctx = self.ctx
        # someone the seller came to know in the last 24 months, not the first person
        newcomers = [
            index
            for index, person in enumerate(people)
            if index > 0 and ctx.start + 60 * DAY <= person.created_at < ctx.now - 7 * DAY
        ]
        if not newcomers:
            return []
        index = newcomers[rng.randrange(len(newcomers))]
        person, contact = people[index], contacts[index]
        fitting = [
            mover
            for mover in self.movers
            if mover.known_since < person.created_at - 180 * DAY and mover.account_id != account.id
        ]
        if not fitting:
            return []
        mover = fitting[rng.randrange(len(fitting))]
        self.movers.remove(mover)
        moved_at = person.created_at - int((14 + rng.random() * 100) * DAY)
        moved_at = max(moved_at, mover.known_since + 30 * DAY)
        started = moved_at + int(rng.random() * 14 * DAY)
        local = f"{ascii_fold(mover.first_name)}.{ascii_fold(mover.last_name)}"
        local = local.lower().replace(" ", "")
        taken = {row.email.split("@", 1)[0] for row in contacts}
        candidate, number = local, 1
        while candidate in taken:
            number += 1
            candidate = f"{local}{number}"
        email = f"{candidate}@{account.domain}"
        person.first_name, person.last_name = mover.first_name, mover.last_name
        contacts[index] = contact._replace(
            email=email,
            email_key=email.lower(),
            first_name=mover.first_name,
            last_name=mover.last_name,
            linkedin_url=mover.linkedin_url,
        )
        old = EmploymentRow(
            self.ids.employment_history,
            mover.contact_id,
            mover.account_id,
            mover.account_name,
            mover.email,
            mover.title,
            mover.known_since,
            moved_at,
        )
        new = EmploymentRow(
            self.ids.employment_history + 1,
            contact.id,
            account.id,
            account.name,
            email,
            contact.title,
            started,
            None,
        )
        self.ids.employment_history += 2
        return [old, new]
