"""The incremental path of the lead engine: fold newly ingested events into the state.

For one batch of events the work is: load the state of the contacts and
accounts they touch (plus everyone at those accounts, whose readiness may
depend on the account roll-up), fold each event in — O(1) per event —,
re-evaluate grade-independent readiness at ``now``, write the state back with
one statement per table, and record the lifecycle moves the thresholds call
for.  The batch recompute (``services/recompute.py``) computes the same state
set-based; a property test holds the two equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.account_rollup import (
    AccountRollup,
    Member,
    roll_up,
    rollup_keys_read,
    threshold_view,
)
from silverplatter.domain.engagement import EventFacts, bucket_start
from silverplatter.domain.engagement_state import SubjectState, apply_event
from silverplatter.domain.grades import letter_of
from silverplatter.domain.grading import grade
from silverplatter.domain.lifecycle import StageChange
from silverplatter.domain.readiness import ReadinessFacts, is_silent, qualify
from silverplatter.services.handover import hand_over_new_sqls
from silverplatter.services.lifecycle import record_automatic_changes
from silverplatter.services.programme_entry import after_scoring
from silverplatter.services.qualification import bant_complete_contacts
from silverplatter.services.scoring_models import ModelVersion, active_model
from silverplatter.services.stage_moves import automatic_change
from silverplatter.services.worry_profiles import fold_worry_events
from silverplatter.storage import engagement as store
from silverplatter.storage.events import NewEvent


@dataclass
class ScoringOutcome:
    events_scored: int = 0
    contacts_evaluated: int = 0
    accounts_evaluated: int = 0
    stage_changes: list[StageChange] = field(default_factory=list)


def _facts(event: NewEvent) -> EventFacts:
    return EventFacts(event.type, event.occurred_at.timestamp(), event.channel, event.properties)


def _load_buckets(
    connection: Connection,
    version: ModelVersion,
    subject: str,
    pending: Iterable[tuple[int, EventFacts]],
    scope: str,
) -> dict[tuple[int, int, float], float]:
    keys = []
    for subject_id, facts in pending:
        for compiled in version.book.matching(scope, facts):
            cap = compiled.rule.cap
            if cap is not None:
                keys.append((subject_id, compiled.index, bucket_start(facts.occurred_at, cap[0])))
    return store.load_buckets(connection, subject, keys) if keys else {}


def _fold(
    states: dict[int, SubjectState],
    buckets: dict[tuple[int, int, float], float],
    version: ModelVersion,
    scope: str,
    pending: Sequence[tuple[int, EventFacts]],
    at: float,
) -> dict[tuple[int, int, float], float]:
    """Fold events into the states; return the buckets they changed."""
    by_subject: dict[int, dict[tuple[int, float], float]] = defaultdict(dict)
    for (subject_id, rule, start), points in buckets.items():
        by_subject[subject_id][(rule, start)] = points
    silence = version.model.silence
    window = silence.within_days if silence else None
    changed: dict[tuple[int, int, float], float] = {}
    for subject_id, facts in pending:
        state = states.setdefault(subject_id, SubjectState())
        state.buckets = by_subject[subject_id]
        before = dict(state.buckets)
        apply_event(state, version.book, scope, facts, silence_window_days=window, now=at)
        for key, points in state.buckets.items():
            if before.get(key) != points:
                changed[(subject_id, *key)] = points
    return changed


def score_events(
    connection: Connection, events: Sequence[NewEvent], *, now: datetime
) -> ScoringOutcome:
    """Fold newly appended events into the engagement state and move stages."""
    outcome = ScoringOutcome()
    if not events:
        return outcome
    version = active_model(connection, now=now)
    at = now.timestamp()
    contact_pending = [(e.contact_id, _facts(e)) for e in events if e.contact_id is not None]
    account_pending = [
        (e.account_id, _facts(e))
        for e in events
        if e.contact_id is None and e.account_id is not None
    ]
    # The events' contacts whole; everyone else at their accounts only as the roll-up
    # reads them (score and decision role), whole only if they are re-qualified.
    first = store.contacts_for_scoring(connection, (cid for cid, _f in contact_pending), ())
    account_ids = {row.account_id for row in first if row.account_id is not None}
    account_ids.update(aid for aid, _f in account_pending)
    rows = {row.id: row for row in first}
    members: dict[int, Row[Any]] = dict(rows)
    members.update((row.id, row) for row in store.account_members(connection, account_ids))
    states = {cid: store.state_of(row) for cid, row in rows.items()}
    account_rows = store.account_rows(connection, account_ids)
    account_states = {aid: store.state_of(row) for aid, row in account_rows.items()}
    keys = rollup_keys_read(version.model)
    scores = {
        cid: states[cid].score_at(at) if cid in states else store.score_from_sums(row.sums, at)
        for cid, row in members.items()
    }
    own_scores = {aid: state.score_at(at) for aid, state in account_states.items()}
    people = _by_account(members.values())
    before = {
        aid: threshold_view(rollup, keys)
        for aid, rollup in _rollups(version, people, scores, own_scores).items()
    }
    buckets = _load_buckets(connection, version, "c", contact_pending, "contact")
    changed = _fold(states, buckets, version, "contact", contact_pending, at)
    own_buckets = _load_buckets(connection, version, "a", account_pending, "account")
    own_changed = _fold(account_states, own_buckets, version, "account", account_pending, at)
    # Only the folded subjects' scores changed.
    scores.update((cid, states[cid].score_at(at)) for cid, _f in contact_pending)
    own_scores.update((aid, account_states[aid].score_at(at)) for aid, _f in account_pending)
    after = _rollups(version, people, scores, own_scores)
    # Everyone at an account is re-qualified only when the roll-up figures the
    # thresholds read have changed; otherwise just the people the events are about.
    moved = {aid for aid, rollup in after.items() if threshold_view(rollup, keys) != before[aid]}
    targets = {cid for cid, _f in contact_pending}
    targets.update(cid for cid, row in members.items() if row.account_id in moved)
    missing = targets - rows.keys()
    for row in store.contacts_for_scoring(connection, missing, ()) if missing else ():
        rows[row.id] = row
        states[row.id] = store.state_of(row)
    outcome.events_scored = len(contact_pending) + len(account_pending)
    outcome.stage_changes = evaluate(
        connection,
        version,
        [row for cid, row in rows.items() if cid in targets],
        states,
        account_rows,
        account_states,
        now=now,
        rollups=after,
    )
    store.save_buckets(connection, "c", changed)
    store.save_buckets(connection, "a", own_changed)
    outcome.contacts_evaluated = len(targets)
    outcome.accounts_evaluated = len(account_rows)
    fold_worry_events(connection, events, now=now)
    after_scoring(connection, events, outcome.stage_changes, now=now)
    return outcome


def _by_account(rows: Iterable[Row[Any]]) -> dict[int, list[tuple[int, str | None]]]:
    """``(contact id, decision role)`` of the contacts in ``rows``, per account."""
    found: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
    for row in rows:
        if row.account_id is not None:
            found[row.account_id].append((row.id, row.decision_role))
    return found


def _rollups(
    version: ModelVersion,
    people: dict[int, list[tuple[int, str | None]]],
    scores: dict[int, float],
    own_scores: dict[int, float],
) -> dict[int, AccountRollup]:
    """Each account's roll-up from the scores of all its contacts (``_by_account``)."""
    members = {
        aid: [Member(scores[cid], role) for cid, role in found] for aid, found in people.items()
    }
    return {
        aid: roll_up(version.model, own, members.get(aid, ())) for aid, own in own_scores.items()
    }


def evaluate(
    connection: Connection,
    version: ModelVersion,
    rows: Iterable[Row[Any]],
    states: dict[int, SubjectState],
    account_rows: dict[int, Row[Any]],
    account_states: dict[int, SubjectState],
    *,
    now: datetime,
    rollups: dict[int, AccountRollup] | None = None,
    regrade: bool = False,
) -> list[StageChange]:
    """Grade and qualify the given contacts at ``now``; save them and the accounts; move stages.

    ``rollups`` are the accounts' roll-ups over all their contacts; without
    them they are computed from ``rows``, which must then hold every contact
    of the accounts.  A grade stored under the active model is kept unless
    ``regrade`` (the profile it was graded on has changed).
    """
    model = version.model
    at = now.timestamp()
    contacts = list(rows)
    grades = {
        row.id: (
            row.grade_level
            if not regrade and row.model_version == version.version and row.grade_level is not None
            else grade(model.grading, store.profile_of(row)).level
        )
        for row in contacts
    }
    scores = {row.id: states[row.id].score_at(at) for row in contacts}
    if rollups is None:
        own_scores = {aid: state.score_at(at) for aid, state in account_states.items()}
        rollups = _rollups(version, _by_account(contacts), scores, own_scores)
    bant = bant_complete_contacts(connection, (row.id for row in contacts))
    saved: list[dict[str, Any]] = []
    changes: list[StageChange] = []
    flag_days = model.engagement.flag_days
    for row in contacts:
        state = states[row.id]
        rollup = rollups.get(row.account_id) if row.account_id is not None else None
        tier = account_rows[row.account_id].value_tier if rollup is not None else "unclassified"
        facts = ReadinessFacts(
            tier=tier or "unclassified",
            grade_level=grades[row.id],
            score=scores[row.id],
            flags=state.active_flags(at, flag_days),
            engaged=state.engaged,
            touches=state.touches,
            seniority=row.seniority,
            decision_role=row.decision_role,
            engaged_contacts_at_account=rollup.engaged_contacts if rollup else 0,
            roles_covered_at_account=len(rollup.roles_covered) if rollup else 0,
            account_score=rollup.score if rollup else 0.0,
            bant_complete=row.id in bant,
        )
        readiness = qualify(model, facts)
        window = model.silence.within_days if model.silence else 0.0
        silent = is_silent(
            model, grades[row.id], state.touches_within(at, window), state.last_engaged_at, at
        )
        saved.append(
            {
                "contact_id": row.id,
                "model_version": version.version,
                "grade_level": grades[row.id],
                "grade": letter_of(grades[row.id]),
                "score": scores[row.id],
                "evaluated_at": now,
                "sums": store.sums_document(state),
                "flags": {name: store.micros(at) for name, at in sorted(state.flags.items())},
                "engaged": state.engaged,
                "last_engaged_ts": state.last_engaged_at,
                "touches": state.touches,
                "recent_touches": [
                    [store.micros(t), n] for t, n in sorted(state.recent_touches.items())
                ],
                "silent": silent,
                "qualification": readiness.qualification,
                "needs_qualification": readiness.needs_qualification,
            }
        )
        change = automatic_change(row.id, row.lifecycle_stage, readiness)
        if change is not None:
            changes.append(change)
    store.save_contact_scores(connection, saved)
    store.save_account_scores(
        connection,
        [
            {
                "account_id": aid,
                "model_version": version.version,
                "evaluated_at": now,
                "sums": store.sums_document(account_states[aid]),
                "flags": {
                    name: store.micros(at) for name, at in sorted(account_states[aid].flags.items())
                },
                "own_score": rollup.own_score,
                "contacts_score": rollup.contacts_score,
                "top_contact_score": rollup.top_contact_score,
                "engaged_contacts": rollup.engaged_contacts,
                "roles_covered": list(rollup.roles_covered),
                "score": rollup.score,
            }
            for aid, rollup in rollups.items()
        ],
    )
    if changes:
        record_automatic_changes(connection, changes, now=now)
    hand_over_new_sqls(connection, now=now)
    return changes


__all__ = ["ScoringOutcome", "evaluate", "score_events"]
