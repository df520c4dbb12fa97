"""Re-qualify the people of accounts whose value tier or needs segment changed.

The lead engine's thresholds depend on the account's tier (domain §4: a
gold account's C-level footprint can be enough, a bronze one must meet more),
and a grading criterion may read ``account.value_tier`` or
``account.needs_segment``.  Stored grades and qualifications were computed
under the old values, and nothing else re-evaluates them until the next event
for that person.  So after a tier policy is applied (or needs segments are
assigned) everyone at the accounts that moved is qualified again at ``now``,
the lifecycle moves this calls for are recorded and new SQLs are handed over,
exactly as an event would have done.  Accounts that did not move keep their
state: nothing they depend on changed.

Two ways, with the same answers (``tests/test_requalify.py``):

* **set-based** (``storage/requalify_sql.py``), when only the thresholds
  change: each person's score is their stored decayed sums seen from ``now``,
  the account roll-up is recomputed from those, and the tier thresholds are
  the readiness SQL of the full recompute — a few statements for any number
  of people;
* **through the engine** (``services/scoring.evaluate``, in batches of
  accounts), when the scoring model's grading reads the changed field and
  grades, silence and all must be evaluated again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection

from silverplatter.services.handover import hand_over_new_sqls
from silverplatter.services.qualification import bant_complete_subquery
from silverplatter.services.recompute_stages import apply_stage_moves
from silverplatter.services.scoring import evaluate
from silverplatter.services.scoring_models import ModelVersion, active_model
from silverplatter.storage import engagement
from silverplatter.storage import requalify_sql as store
from silverplatter.storage.scoring_backlog import keep_scorers_out

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
    """Qualify everyone at the accounts again at ``now``, in the caller's transaction.

    ``changed_field`` is the profile field that changed for these accounts
    (``account.value_tier`` or ``account.needs_segment``).
    """
    wanted = sorted(set(account_ids))
    if not wanted:
        return Requalified(0, 0, 0)
    # It writes the stored state as the scorer does: one of them at a time (the
    # scorer never waits for rows of accounts, which the caller holds).
    keep_scorers_out(connection)
    version = active_model(connection, now=now)
    if changed_field in graded_fields(version):
        return _through_the_engine(connection, version, wanted, now=now)
    return _set_based(connection, version, wanted, changed_field=changed_field, now=now)


def _set_based(
    connection: Connection,
    version: ModelVersion,
    account_ids: list[int],
    *,
    changed_field: str,
    now: datetime,
) -> Requalified:
    try:
        store.stage_accounts(connection, account_ids)
        people = store.stage_facts(
            connection,
            version.model,
            version.version,
            version.book.half_lives,
            bant_complete_subquery(),
            now=now,
        )
        store.save_qualifications(connection, version.model, version.version, now=now)
        changes = apply_stage_moves(
            connection,
            version,
            now=now,
            among=store.staged_contacts(),
            because=f"{changed_field.removeprefix('account.').replace('_', ' ')} changed",
        )
    finally:
        store.drop_staged(connection)
    hand_over_new_sqls(connection, now=now)
    return Requalified(len(account_ids), people, changes)


def _through_the_engine(
    connection: Connection, version: ModelVersion, account_ids: list[int], *, now: datetime
) -> Requalified:
    contacts = changes = 0
    for start in range(0, len(account_ids), BATCH):
        chunk = account_ids[start : start + BATCH]
        rows = engagement.contacts_for_scoring(connection, (), chunk)
        if not rows:
            continue
        states = {row.id: engagement.state_of(row) for row in rows}
        account_rows = engagement.account_rows(connection, chunk)
        account_states = {aid: engagement.state_of(row) for aid, row in account_rows.items()}
        moved = evaluate(
            connection,
            version,
            rows,
            states,
            account_rows,
            account_states,
            now=now,
            regrade=True,
        )
        contacts += len(rows)
        changes += len(moved)
    return Requalified(len(account_ids), contacts, changes)


__all__ = ["Requalified", "graded_fields", "requalify_accounts"]
