"""Account roll-up: the buying committee's engagement seen from the account (domain §4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from silverplatter.domain.scoring_model import ScoringModel


@dataclass(frozen=True, slots=True)
class Member:
    """One contact at the account, as the roll-up sees it at one moment."""

    score: float
    decision_role: str | None


@dataclass(frozen=True, slots=True)
class AccountRollup:
    own_score: float
    contacts_score: float
    top_contact_score: float
    engaged_contacts: int
    roles_covered: tuple[str, ...]

    @property
    def score(self) -> float:
        """The account's engagement: its own trigger events plus its people's scores."""
        return self.own_score + self.contacts_score


def roll_up(model: ScoringModel, own_score: float, members: Iterable[Member]) -> AccountRollup:
    threshold = model.account.engaged_contact_score
    wanted_roles = set(model.account.roles)
    total = 0.0
    top = 0.0
    engaged = 0
    roles: set[str] = set()
    for member in members:
        total += member.score
        top = max(top, member.score)
        if member.score >= threshold:
            engaged += 1
            if member.decision_role in wanted_roles:
                roles.add(member.decision_role)
    return AccountRollup(own_score, total, top, engaged, tuple(sorted(roles)))
