"""Re-qualify the people of accounts whose value tier or needs segment changed.

The lead engine's thresholds depend on the account's tier (domain §4: a
gold account's C-level footprint can be enough, a bronze one must meet more),
and a grading criterion may read ``account.value_tier`` or
``account.needs_segment``.  Stored grades and qualifications were computed
under the old values, and nothing else re-evaluates them until the next event
for that person.  So after a tier policy is applied (or needs segments are
assigned) the contacts of the accounts that moved are evaluated again, in
batches of accounts, by the engine's own incremental path
(``services/scoring.evaluate``): scores are decayed to ``now``, grades are
recomputed when the grading reads the changed field, qualifications follow the
new tier's thresholds, and the stage moves they call for are recorded (with
new SQLs handed over) exactly as an event would have done.  Accounts that did
not move keep their state: nothing they depend on changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection

from silverplatter.services.scoring import evaluate
from silverplatter.services.scoring_models import ModelVersion, active_model
from silverplatter.storage import engagement as store

#: Accounts re-evaluated together (their contacts are loaded at once).
BATCH: Final = 500


@dataclass(frozen=True)
class Requalified:
    accounts: int
    contacts: int
    stage_changes: int


def graded_fields(version: ModelVersion) -> frozenset[str]:
    """The profile fields the active model's grading criteria read."""
    return frozenset(criterion.field for criterion in version.model.grading.criteria)


def requalify_accounts(
    connection: Connection, account_ids: Iterable[int], *, changed_field: str, now: datetime
) -> Requalified:
    """Evaluate everyone at the accounts again at ``now``, in the caller's transaction.

    ``changed_field`` is the profile field that changed for these accounts
    (``account.value_tier`` or ``account.needs_segment``); grades are recomputed
    only when the grading reads it.
    """
    wanted = sorted(set(account_ids))
    if not wanted:
        return Requalified(0, 0, 0)
    version = active_model(connection, now=now)
    regrade = changed_field in graded_fields(version)
    contacts = changes = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        rows = store.contacts_for_scoring(connection, (), chunk)
        if not rows:
            continue
        states = {row.id: store.state_of(row) for row in rows}
        account_rows = store.account_rows(connection, chunk)
        account_states = {aid: store.state_of(row) for aid, row in account_rows.items()}
        moved = evaluate(
            connection,
            version,
            rows,
            states,
            account_rows,
            account_states,
            now=now,
            regrade=regrade,
        )
        contacts += len(rows)
        changes += len(moved)
    return Requalified(len(wanted), contacts, changes)


__all__ = ["Requalified", "graded_fields", "requalify_accounts"]
