"""Account roll-up: the buying committee's engagement seen from the account (domain §4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from silverplatter.domain.scoring_model import Condition, ScoringModel
from silverplatter.domain.vocabulary import VALUE_TIERS

#: The threshold keys that read the account roll-up.
ROLLUP_KEYS = ("engaged_contacts_at_account", "roles_covered_at_account", "account_score")


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


def _keys_read(condition: Condition) -> set[str]:
    found = {key for key in ROLLUP_KEYS if getattr(condition, key) is not None}
    for part in (condition.all or []) + (condition.any or []):
        found |= _keys_read(part)
    return found


def rollup_keys_read(model: ScoringModel) -> frozenset[str]:
    """Which roll-up figures any tier's thresholds read."""
    found: set[str] = set()
    for tier in VALUE_TIERS:
        thresholds = model.thresholds.for_tier(tier)
        for condition in (thresholds.lead, thresholds.mql, thresholds.sql):
            found |= _keys_read(condition)
    return frozenset(found)


def threshold_view(rollup: AccountRollup, keys: frozenset[str]) -> tuple[float, ...]:
    """The roll-up as the thresholds see it: a change here can change a member's stage."""
    figures = {
        "engaged_contacts_at_account": float(rollup.engaged_contacts),
        "roles_covered_at_account": float(len(rollup.roles_covered)),
        "account_score": rollup.score,
    }
    return tuple(figures[key] for key in ROLLUP_KEYS if key in keys)
