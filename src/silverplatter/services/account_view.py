"""Everything the account page shows, read in one place (domain §4, §6).

The buying committee is read with the scoring model's own roll-up
(:func:`roll_up`) over the stored engagement state, faded to the moment
asked about, exactly as the explanation does: the account's own trigger
points plus its people's scores, how many people are engaged, and which of
the decision roles the model looks for are covered by an engaged person,
held only by people not engaged yet, or missing.  The buying window comes
from :func:`buying_window_for`.

Who may look: sales (``OWN_RECORDS_ONLY``) sees only accounts it owns; to
anyone else such an account does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.domain.account_rollup import AccountRollup, Member, roll_up
from silverplatter.domain.buying_window import BuyingWindow
from silverplatter.services.buying_windows import buying_window_for
from silverplatter.services.scoring_models import active_model
from silverplatter.services.touches import AccountTouches, account_touches
from silverplatter.storage import account_view as store
from silverplatter.storage import engagement

#: At most this many people are listed; the page says how many more there are.
PEOPLE_SHOWN = 100

#: What each coverage state of a decision role means, in words.
COVERAGE_WORDS = {
    "covered": "covered: an engaged person holds this role",
    "not_engaged": "not engaged: people hold this role but none is engaged yet",
    "missing": "missing: nobody at the account holds this role",
}


def role_label(role: str | None) -> str:
    return "Unknown" if not role else role.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Person:
    row: Row[Any]
    name: str
    score: float
    engaged: bool


@dataclass(frozen=True)
class RoleCoverage:
    role: str
    label: str
    people: int
    engaged: int
    state: str

    @property
    def words(self) -> str:
        return COVERAGE_WORDS[self.state]


@dataclass(frozen=True)
class AccountPage:
    header: Row[Any]
    at: datetime
    rollup: AccountRollup
    engaged_contact_score: float
    people: tuple[Person, ...]
    people_total: int
    roles: tuple[RoleCoverage, ...]
    window: BuyingWindow | None
    installed: tuple[Row[Any], ...]
    contracts: tuple[Row[Any], ...]
    deals: tuple[Row[Any], ...]
    #: Touches of its people and on the account in the last 12 months ("Law of 29").
    touches: AccountTouches | None = None

    @property
    def roles_missing(self) -> tuple[str, ...]:
        return tuple(role.label for role in self.roles if role.state != "covered")


def check_account_visible(
    connection: Connection, header: Row[Any], *, user_id: int, role: str
) -> None:
    """Raise ``LookupError`` unless the viewer may open the account (sales: its own only)."""
    if role in OWN_RECORDS_ONLY and header.owner_id != user_id:
        raise LookupError(f"no account with id {header.id}")


def _coverage(
    wanted: tuple[str, ...], members: list[tuple[str | None, bool]], covered: tuple[str, ...]
) -> tuple[RoleCoverage, ...]:
    found = []
    for role in wanted:
        holders = [engaged for held, engaged in members if held == role]
        state = "covered" if role in covered else "not_engaged" if holders else "missing"
        found.append(RoleCoverage(role, role_label(role), len(holders), sum(holders), state))
    return tuple(found)


def account_page(
    connection: Connection, account_id: int, *, now: datetime, user_id: int, role: str
) -> AccountPage:
    """The whole account page at ``now``; ``LookupError`` if missing or not the viewer's."""
    header = store.account_header(connection, account_id)
    if header is None:
        raise LookupError(f"no account with id {account_id}")
    check_account_visible(connection, header, user_id=user_id, role=role)
    model = active_model(connection, now=now).model
    at = now.timestamp()
    threshold = model.account.engaged_contact_score
    scores = {
        row.id: (engagement.state_of(row).score_at(at), row.decision_role)
        for row in engagement.contacts_for_scoring(connection, [], [account_id])
    }
    own = engagement.state_of(engagement.account_rows(connection, [account_id]).get(account_id))
    rollup = roll_up(
        model, own.score_at(at), [Member(score, held) for score, held in scores.values()]
    )
    listed = (
        Person(
            row,
            " ".join(part for part in (row.first_name, row.last_name) if part) or row.email,
            scores.get(row.id, (0.0, None))[0],
            scores.get(row.id, (0.0, None))[0] >= threshold,
        )
        for row in store.people(connection, account_id, limit=PEOPLE_SHOWN)
    )
    shown = tuple(sorted(listed, key=lambda person: -person.score))
    members = [(held, score >= threshold) for score, held in scores.values()]
    return AccountPage(
        header=header,
        at=now,
        rollup=rollup,
        engaged_contact_score=threshold,
        people=shown,
        people_total=store.people_count(connection, account_id),
        roles=_coverage(tuple(model.account.roles), members, rollup.roles_covered),
        window=buying_window_for(connection, account_id),
        installed=tuple(store.installed(connection, account_id)),
        contracts=tuple(store.contracts(connection, account_id)),
        deals=tuple(store.deals(connection, account_id)),
        touches=account_touches(connection, account_id, now=now),
    )


__all__ = [
    "COVERAGE_WORDS",
    "PEOPLE_SHOWN",
    "AccountPage",
    "Person",
    "RoleCoverage",
    "account_page",
    "check_account_visible",
    "role_label",
]
