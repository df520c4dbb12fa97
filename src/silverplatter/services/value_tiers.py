"""Value tiers of accounts: save a policy (with history), preview its moves, apply it.

A policy (``domain/value_tiers.py``) is saved as a new row of
``value_tier_policies``; the newest is in force and the older ones are its
history.  **Preview** computes, without changing anything, where every account
would go: a before → after matrix of account counts and the cut-off values the
policy comes to on today's data.  **Apply** puts the accounts in their tiers
with one UPDATE per tier, marks the policy applied, re-evaluates the contacts
of the accounts that moved (their MQL/SQL thresholds depend on the tier —
``services/requalify.py``) and writes one audit entry.  All of it in the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection

from silverplatter.domain.value_tiers import (
    ALL_TIERS,
    Number,
    PolicyError,
    PolicyInvalid,
    TierPolicy,
    cut_offs,
    parse_policy,
    revenue_since,
    stored_policy,
)
from silverplatter.services.audit import Actor, record
from silverplatter.services.requalify import Requalified, requalify_accounts
from silverplatter.storage import value_tiers as store
from silverplatter.storage.properties import definitions_for

HISTORY: Final = 20


@dataclass(frozen=True)
class PolicyVersion:
    """One saved policy; the newest is in force."""

    id: int
    policy: TierPolicy
    created_at: datetime
    created_by: str | None
    applied_at: datetime | None


@dataclass(frozen=True)
class TierMove:
    before: str
    after: str
    accounts: int


@dataclass(frozen=True)
class TierPreview:
    """Where a policy puts the accounts, against where they are now."""

    policy: TierPolicy
    accounts: int
    with_value: int
    cut_offs: dict[str, Number]
    moves: list[TierMove] = field(default_factory=list)

    @property
    def moving(self) -> int:
        return sum(move.accounts for move in self.moves if move.before != move.after)

    @property
    def before(self) -> dict[str, int]:
        return self._totals(lambda move: move.before)

    @property
    def after(self) -> dict[str, int]:
        return self._totals(lambda move: move.after)

    def count(self, before: str, after: str) -> int:
        """Accounts now in ``before`` that the policy puts in ``after``."""
        return sum(m.accounts for m in self.moves if (m.before, m.after) == (before, after))

    def _totals(self, side: Any) -> dict[str, int]:
        totals = dict.fromkeys(ALL_TIERS, 0)
        for move in self.moves:
            totals[side(move)] += move.accounts
        return totals


@dataclass(frozen=True)
class TiersApplied:
    policy_id: int
    preview: TierPreview
    requalified: Requalified


def check_policy(connection: Connection, document: Mapping[str, Any]) -> TierPolicy:
    """A valid policy whose custom property, if any, is a number property of accounts."""
    policy = parse_policy(document)
    name = policy.custom_property
    if name is not None:
        definition = definitions_for(connection, "account").get(name)
        if definition is None:
            raise PolicyInvalid(
                [PolicyError("metric", f"there is no account property {name!r}; define it first")]
            )
        if definition.type != "number":
            raise PolicyInvalid(
                [
                    PolicyError(
                        "metric",
                        f"the account property {name!r} holds {definition.type} values; "
                        "a tier needs a number property",
                    )
                ]
            )
    return policy


def _version(row: Any) -> PolicyVersion:
    return PolicyVersion(
        id=row.id,
        policy=stored_policy(row.metric, row.method, row.bounds),
        created_at=row.created_at,
        created_by=row.created_by_name,
        applied_at=row.applied_at,
    )


def policy_history(connection: Connection, *, limit: int = HISTORY) -> list[PolicyVersion]:
    """Saved policies, the one in force first."""
    return [_version(row) for row in store.policy_rows(connection, limit=limit)]


def current_policy(connection: Connection) -> PolicyVersion | None:
    found = policy_history(connection, limit=1)
    return found[0] if found else None


def save_policy(
    connection: Connection, document: Mapping[str, Any], *, now: datetime, actor: Actor
) -> PolicyVersion:
    """Validate and save ``document`` as the policy in force (not applied yet); audited."""
    policy = check_policy(connection, document)
    policy_id = store.insert_policy(connection, policy, user_id=actor.user_id, now=now)
    record(
        connection,
        "value_tiers.policy_saved",
        f"value-tier policy {policy_id}",
        actor=actor,
        now=now,
        details={"policy": policy.describe(), "method": policy.method, **policy.document()},
    )
    saved = current_policy(connection)
    assert saved is not None and saved.id == policy_id
    return saved


def _staged_cuts(connection: Connection, policy: TierPolicy, now: datetime) -> tuple[int, Any]:
    since = revenue_since(now, policy.months)
    count = store.stage_metric(connection, policy, since=since, now=now)
    cuts = cut_offs(policy, count, lambda place: store.value_at(connection, place))
    return count, cuts


def preview_policy(connection: Connection, policy: TierPolicy, *, now: datetime) -> TierPreview:
    """The before → after counts ``policy`` would make now; changes nothing."""
    try:
        count, cuts = _staged_cuts(connection, policy, now)
        moves = store.count_moves(connection, cuts)
    finally:
        store.drop_staged(connection)
    return _preview(policy, count, cuts, moves)


def _preview(
    policy: TierPolicy, count: int, cuts: dict[str, Number], moves: list[tuple[str, str, int]]
) -> TierPreview:
    order = {tier: n for n, tier in enumerate(ALL_TIERS)}
    ranked = sorted(moves, key=lambda m: (order.get(m[0], 9), order.get(m[1], 9)))
    return TierPreview(
        policy=policy,
        accounts=sum(m[2] for m in moves),
        with_value=count,
        cut_offs=cuts,
        moves=[TierMove(before, after, n) for before, after, n in ranked],
    )


def apply_policy(connection: Connection, *, now: datetime, actor: Actor) -> TiersApplied:
    """Put every account in its tier under the policy in force, then re-qualify the
    people of the accounts that moved.  ``LookupError`` when no policy was saved."""
    current = current_policy(connection)
    if current is None:
        raise LookupError("no value-tier policy has been saved yet")
    policy = current.policy
    before = store.tier_counts(connection)
    try:
        count, cuts = _staged_cuts(connection, policy, now)
        moved = store.move_accounts(connection, cuts, now=now)
    finally:
        store.drop_staged(connection)
    pairs: dict[tuple[str, str], int] = {}
    for origin, target in moved.values():
        pairs[(origin, target)] = pairs.get((origin, target), 0) + 1
    staying = {
        tier: n - sum(c for (o, _t), c in pairs.items() if o == tier) for tier, n in before.items()
    }
    moves = [(tier, tier, n) for tier, n in staying.items() if n]
    moves += [(origin, target, n) for (origin, target), n in pairs.items()]
    store.mark_applied(connection, current.id, now=now)
    requalified = requalify_accounts(connection, moved, changed_field="account.value_tier", now=now)
    preview = _preview(policy, count, cuts, moves)
    record(
        connection,
        "value_tiers.applied",
        f"value-tier policy {current.id}",
        actor=actor,
        now=now,
        details={
            "policy": policy.describe(),
            "accounts_moved": preview.moving,
            "moves": {f"{o}->{t}": n for (o, t), n in sorted(pairs.items())},
            "contacts_requalified": requalified.contacts,
            "stage_changes": requalified.stage_changes,
        },
    )
    return TiersApplied(current.id, preview, requalified)


__all__ = [
    "PolicyVersion",
    "TierMove",
    "TierPreview",
    "TiersApplied",
    "apply_policy",
    "check_policy",
    "current_policy",
    "policy_history",
    "preview_policy",
    "save_policy",
]
