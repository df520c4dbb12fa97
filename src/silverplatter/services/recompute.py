"""The full recompute: every grade, score, flag and stage from the event log, set-based.

Runs when a model is activated and on demand (``silverplatter engine
recompute``).  The statements are in ``storage/recompute_sql.py`` and
``storage/scoring_sql.py``; the result equals what the incremental path
(``services/scoring.py``) keeps, which ``tests/test_recompute.py`` checks for
arbitrary event sequences.

Events still waiting in the scoring backlog are left out and left queued:
the backlog scorer folds them into the new state afterwards, so each event
counts once (folding them here as well counted them twice).  The recompute
takes the scorer's lock before anything else and holds it until it commits,
so nothing folds into the state it is about to replace; folds in line
meanwhile queue their events for the scorer (``services/ingest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    String,
    and_,
    case,
    column,
    func,
    insert,
    literal,
    or_,
    select,
    table,
)

from silverplatter.domain.engagement import DAY
from silverplatter.domain.grades import GRADE_LETTERS, threshold_level
from silverplatter.services.handover import hand_over_new_sqls
from silverplatter.services.qualification import bant_complete_subquery
from silverplatter.services.recompute_stages import apply_stage_moves
from silverplatter.services.scoring_models import (
    ModelVersion,
    active_model,
    mark_recomputed,
    save_model,
)
from silverplatter.storage import table_replacement
from silverplatter.storage.engagement import half_life_key, micros
from silverplatter.storage.engagement_schema import account_scores, contact_scores, score_buckets
from silverplatter.storage.readiness_sql import qualification_case
from silverplatter.storage.recompute_sql import (
    QUIET,
    TOUCH,
    create_temp_as,
    hits_select,
    quiet_rule_ids,
    rule_rows,
)
from silverplatter.storage.schema import accounts, contacts
from silverplatter.storage.scoring_backlog import keep_scorers_out, waiting_for_scorer
from silverplatter.storage.scoring_backlog import size as backlog_size
from silverplatter.storage.scoring_sql import as_micros, clamp, grade_level, power2


@dataclass(frozen=True)
class RecomputeResult:
    model_version: int
    contacts: int
    accounts: int
    stage_changes: int
    #: Events left in the scoring backlog, for the scorer to fold into the new state.
    queued: int = 0


def _hits(name: str) -> Any:
    return table(
        name,
        column("sid", Integer),
        column("idx", Integer),
        column("bucket", Float),
        column("n", Integer),
        column("raw", Float),
        column("dec", Float),
        column("last", Float),
    )


def _json_object(pairs: list[tuple[str, Any]], dialect: str) -> Any:
    flat: list[Any] = []
    for key, value in pairs:
        flat.extend((literal(key, String), value))
    if dialect == "postgresql":
        return func.jsonb_strip_nulls(func.jsonb_build_object(*flat))
    return func.json_object(*flat)


def _json_pair(first: Any, second: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return func.jsonb_build_array(first, second)
    return func.json_array(first, second)


def _totals(version: ModelVersion, scope: str, hits: Any, dialect: str, at: float) -> Any:
    """Per subject: decayed sum per half-life, score, flags, touches, silence facts."""
    book = version.book
    rules = [c for c in book.rules if c.rule.scope == scope]
    contribution_cases = []
    for compiled in rules:
        cap = compiled.rule.cap
        if cap is not None:
            counted = clamp(hits.c.raw, -cap[1], cap[1], dialect)
            value = counted * power2((hits.c.bucket - at) / (compiled.half_life_days * DAY))
            contribution_cases.append((hits.c.idx == compiled.index, value))
    contribution = case(*contribution_cases, else_=hits.c.dec) if contribution_cases else hits.c.dec
    rule_ids = [c.index for c in rules]
    columns: list[Any] = [hits.c.sid.label("sid")]
    for number, half_life in enumerate(book.half_lives):
        group = [c.index for c in rules if c.half_life_days == half_life]
        in_group = hits.c.idx.in_(group) if group else literal(False)
        columns.append(func.sum(case((in_group, contribution))).label(f"s{number}"))
        columns.append(func.count(case((in_group, 1))).label(f"n{number}"))
    in_rules = hits.c.idx.in_(rule_ids) if rule_ids else literal(False)
    columns.append(func.coalesce(func.sum(case((in_rules, contribution))), 0.0).label("score"))
    positive = [c.index for c in rules if c.rule.points > 0]
    columns.append(func.max(case((hits.c.idx.in_(positive or [-1]), 1), else_=0)).label("engaged"))
    for number, flag in enumerate(_flags(version, scope)):
        flagged = [c.index for c in rules if c.rule.flag == flag]
        columns.append(func.max(case((hits.c.idx.in_(flagged), hits.c.last))).label(f"f{number}"))
    if scope == "contact":
        pseudo = rule_rows(book, scope)
        touch_ids = [r.idx for r in pseudo if r.kind == TOUCH] or [-1]
        quiet_ids = [r.idx for r in pseudo if r.kind == QUIET]
        quiet_ids += quiet_rule_ids(book).values()
        quiet_ids = quiet_ids or [-1]
        is_touch = hits.c.idx.in_(touch_ids)
        columns.append(func.coalesce(func.sum(case((is_touch, hits.c.n))), 0).label("touches"))
        silence = version.model.silence
        window = silence.within_days * DAY if silence else 0.0
        in_window = and_(is_touch, hits.c.bucket > at - window, hits.c.bucket <= at)
        columns.append(
            func.coalesce(func.sum(case((in_window, hits.c.n))), 0).label("touches_recent")
        )
        pair = _json_pair(as_micros(hits.c.bucket, dialect), hits.c.n, dialect)
        aggregate = func.jsonb_agg(pair) if dialect == "postgresql" else func.json_group_array(pair)
        columns.append(aggregate.filter(and_(is_touch, hits.c.bucket.is_not(None))).label("recent"))
        columns.append(
            func.max(case((hits.c.idx.in_(quiet_ids), hits.c.last))).label("last_engaged")
        )
    return select(*columns).group_by(hits.c.sid)


def _flags(version: ModelVersion, scope: str) -> list[str]:
    return sorted(
        {c.rule.flag for c in version.book.rules if c.rule.scope == scope and c.rule.flag}
    )


def _state_documents(
    version: ModelVersion, scope: str, totals: Any, dialect: str, at: float
) -> tuple[Any, Any]:
    sums = _json_object(
        [
            (
                half_life_key(half_life),
                case(
                    (
                        totals.c[f"n{number}"] > 0,
                        _json_pair(totals.c[f"s{number}"], literal(micros(at)), dialect),
                    )
                ),
            )
            for number, half_life in enumerate(version.book.half_lives)
        ],
        dialect,
    )
    flags = _json_object(
        [
            (flag, as_micros(totals.c[f"f{number}"], dialect))
            for number, flag in enumerate(_flags(version, scope))
        ],
        dialect,
    )
    return sums, flags


def _totals_table(name: str, version: ModelVersion, scope: str) -> Any:
    names = ["sid", "score", "engaged"]
    for number in range(len(version.book.half_lives)):
        names += [f"s{number}", f"n{number}"]
    names += [f"f{number}" for number in range(len(_flags(version, scope)))]
    if scope == "contact":
        names += ["touches", "touches_recent", "recent", "last_engaged"]
    return table(name, *(column(name_) for name_ in names))


def _letter(level: Any) -> Any:
    return case(*((level == number, letter) for number, letter in enumerate(GRADE_LETTERS)))


def recompute(connection: Connection, *, now: datetime) -> RecomputeResult:
    """Rebuild the whole engagement state with the active model as of ``now``."""
    # Events still queued for the scorer are left to it (``queued``); no scorer
    # may fold any meanwhile, or the new state published here would miss them.
    keep_scorers_out(connection)
    version = active_model(connection, now=now)
    dialect = connection.dialect.name
    at = now.timestamp()
    silence = version.model.silence
    window = silence.within_days * DAY if silence else 0.0
    # New rows are staged and published together at the end (storage/table_replacement).
    buckets = table_replacement.begin(connection, score_buckets)
    account_rows = table_replacement.begin(connection, account_scores)
    contact_rows = table_replacement.begin(connection, contact_scores)
    for scope, subject in (("contact", "c"), ("account", "a")):
        # Counted before each pass: on PostgreSQL the API fills the backlog meanwhile
        # (at 12,000 events/s, some 290,000 during the contact pass at 1M); its
        # length decides the plan.
        queued: int | None = waiting_for_scorer(connection)
        if dialect == "sqlite" and not queued:
            # SQLite's lock is the write lock: the backlog stays empty until the commit,
            # and the pass is spared a look-up per event.
            queued = None
        statement = hits_select(
            version.book, scope, dialect, now=at, recent_from=at - window, queued=queued
        )
        hits_name, totals_name = f"sp_{scope}_hits", f"sp_{scope}_totals"
        create_temp_as(connection, hits_name, statement)
        hits = _hits(hits_name)
        capped = [c.index for c in version.book.rules if c.rule.scope == scope and c.rule.cap]
        if capped:
            connection.execute(
                insert(buckets.target).from_select(
                    ["subject", "subject_id", "rule", "bucket_ts", "points"],
                    select(
                        literal(subject), hits.c.sid, hits.c.idx, hits.c.bucket, hits.c.raw
                    ).where(hits.c.idx.in_(capped)),
                )
            )
        create_temp_as(connection, totals_name, _totals(version, scope, hits, dialect, at))
    account_count = _write_accounts(connection, version, dialect, now, account_rows.target)
    contact_count = _write_contacts(
        connection, version, dialect, now, window, account_rows.target, contact_rows.target
    )
    table_replacement.publish(connection, buckets, account_rows, contact_rows)
    changes = apply_stage_moves(connection, version, now=now)
    mark_recomputed(connection, version.version, now=now)
    for name in ("sp_contact_hits", "sp_contact_totals", "sp_account_hits", "sp_account_totals"):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    hand_over_new_sqls(connection, now=now)
    queued = backlog_size(connection)
    return RecomputeResult(version.version, contact_count, account_count, changes, queued)


def _write_accounts(
    connection: Connection, version: ModelVersion, dialect: str, now: datetime, target: Any
) -> int:
    at = now.timestamp()
    model = version.model
    contact_totals = _totals_table("sp_contact_totals", version, "contact")
    own = _totals_table("sp_account_totals", version, "account")
    score = func.coalesce(contact_totals.c.score, 0.0)
    engaged = score >= model.account.engaged_contact_score
    role_wanted = and_(engaged, contacts.c.decision_role.in_(model.account.roles or ["-"]))
    roles = (
        func.jsonb_agg(contacts.c.decision_role.distinct())
        if dialect == "postgresql"
        else func.json_group_array(contacts.c.decision_role.distinct())
    ).filter(role_wanted)
    rollup = (
        select(
            contacts.c.account_id.label("account_id"),
            func.sum(score).label("total"),
            func.max(score).label("top"),
            func.count(case((engaged, 1))).label("engaged"),
            roles.label("roles"),
        )
        .select_from(contacts.outerjoin(contact_totals, contact_totals.c.sid == contacts.c.id))
        .where(contacts.c.account_id.is_not(None))
        .group_by(contacts.c.account_id)
        .subquery("rollup")
    )
    sums, flags = _state_documents(version, "account", own, dialect, at)
    own_score = func.coalesce(own.c.score, 0.0)
    contacts_score = func.coalesce(rollup.c.total, 0.0)
    empty = literal("[]") if dialect == "sqlite" else func.jsonb_build_array()
    chosen = select(
        accounts.c.id,
        literal(version.version),
        literal(now, contact_scores.c.evaluated_at.type),
        func.coalesce(case((own.c.sid.is_not(None), sums)), _json_object([], dialect)),
        func.coalesce(case((own.c.sid.is_not(None), flags)), _json_object([], dialect)),
        own_score,
        contacts_score,
        func.greatest(0.0, func.coalesce(rollup.c.top, 0.0))
        if dialect == "postgresql"
        else func.max(0.0, func.coalesce(rollup.c.top, 0.0)),
        func.coalesce(rollup.c.engaged, 0),
        func.coalesce(rollup.c.roles, empty),
        own_score + contacts_score,
    ).select_from(
        accounts.outerjoin(rollup, rollup.c.account_id == accounts.c.id).outerjoin(
            own, own.c.sid == accounts.c.id
        )
    )
    connection.execute(
        insert(target).from_select(
            [
                "account_id",
                "model_version",
                "evaluated_at",
                "sums",
                "flags",
                "own_score",
                "contacts_score",
                "top_contact_score",
                "engaged_contacts",
                "roles_covered",
                "score",
            ],
            chosen,
        )
    )
    return int(connection.execute(select(func.count()).select_from(target)).scalar_one())


def _write_contacts(
    connection: Connection,
    version: ModelVersion,
    dialect: str,
    now: datetime,
    window: float,
    account_target: Any,
    target: Any,
) -> int:
    """The contacts' new state into ``target``, reading the accounts' from ``account_target``."""
    at = now.timestamp()
    model = version.model
    totals = _totals_table("sp_contact_totals", version, "contact")
    sums, flags = _state_documents(version, "contact", totals, dialect, at)
    columns: dict[str, Any] = {
        "account.industry": accounts.c.industry,
        "account.country": accounts.c.country,
        "account.employees": accounts.c.employees,
        "account.annual_revenue": accounts.c.annual_revenue,
        "account.value_tier": accounts.c.value_tier,
        "account.needs_segment": accounts.c.needs_segment,
        "account.status": accounts.c.status,
        "account.custom": accounts.c.custom,
        "contact.seniority": contacts.c.seniority,
        "contact.department": contacts.c.department,
        "contact.decision_role": contacts.c.decision_role,
        "contact.country": contacts.c.country,
        "contact.title": contacts.c.title,
        "contact.custom": contacts.c.custom,
    }
    level = grade_level(model.grading, columns, dialect)
    bant = bant_complete_subquery()
    base = select(
        contacts.c.id.label("contact_id"),
        level.label("grade_level"),
        func.coalesce(totals.c.score, 0.0).label("score"),
        func.coalesce(case((totals.c.sid.is_not(None), sums)), _json_object([], dialect)).label(
            "sums"
        ),
        func.coalesce(case((totals.c.sid.is_not(None), flags)), _json_object([], dialect)).label(
            "flags"
        ),
        (func.coalesce(totals.c.engaged, 0) == 1).label("engaged"),
        totals.c.last_engaged.label("last_engaged"),
        func.coalesce(totals.c.touches, 0).label("touches"),
        func.coalesce(totals.c.touches_recent, 0).label("touches_recent"),
        totals.c.recent.label("recent"),
        func.coalesce(accounts.c.value_tier, "unclassified").label("tier"),
        contacts.c.seniority.label("seniority"),
        contacts.c.decision_role.label("decision_role"),
        func.coalesce(account_target.c.engaged_contacts, 0).label("account_engaged"),
        func.coalesce(
            func.jsonb_array_length(account_target.c.roles_covered)
            if dialect == "postgresql"
            else func.json_array_length(account_target.c.roles_covered),
            0,
        ).label("roles_covered"),
        func.coalesce(account_target.c.score, 0.0).label("account_score"),
        (bant.c.contact_id.is_not(None)).label("bant_complete"),
    ).select_from(
        contacts.outerjoin(accounts, accounts.c.id == contacts.c.account_id)
        .outerjoin(account_target, account_target.c.account_id == contacts.c.account_id)
        .outerjoin(totals, totals.c.sid == contacts.c.id)
        .outerjoin(bant, bant.c.contact_id == contacts.c.id)
    )
    create_temp_as(connection, "sp_contact_base", base)
    facts = table(
        "sp_contact_base",
        *(column(name) for name in base.selected_columns.keys()),  # noqa: SIM118
    )
    qualification, needs = qualification_case(model, facts, dialect, at)
    silent: Any = literal(False)
    if model.silence is not None:
        silent = and_(
            facts.c.grade_level >= threshold_level(model.silence.min_grade),
            facts.c.touches_recent >= model.silence.touches_at_least,
            or_(facts.c.last_engaged.is_(None), facts.c.last_engaged <= at - window),
        )
    empty = literal("[]") if dialect == "sqlite" else func.jsonb_build_array()
    chosen = select(
        facts.c.contact_id,
        literal(version.version),
        facts.c.grade_level,
        _letter(facts.c.grade_level),
        facts.c.score,
        literal(now, contact_scores.c.evaluated_at.type),
        facts.c.sums,
        facts.c.flags,
        facts.c.engaged,
        facts.c.last_engaged,
        facts.c.touches,
        func.coalesce(facts.c.recent, empty),
        silent,
        qualification,
        needs,
    )
    connection.execute(
        insert(target).from_select(
            [
                "contact_id",
                "model_version",
                "grade_level",
                "grade",
                "score",
                "evaluated_at",
                "sums",
                "flags",
                "engaged",
                "last_engaged_ts",
                "touches",
                "recent_touches",
                "silent",
                "qualification",
                "needs_qualification",
            ],
            chosen,
        )
    )
    connection.exec_driver_sql("DROP TABLE IF EXISTS sp_contact_base")
    return int(connection.execute(select(func.count()).select_from(target)).scalar_one())


def change_model(
    connection: Connection, source: str, *, now: datetime, user_id: int | None = None
) -> RecomputeResult:
    """Activate a new model file and recompute everything with it.

    An invalid file raises ``ModelInvalid`` before anything is written, so the
    active model stays as it was.
    """
    keep_scorers_out(connection)  # before save_model locks the model rows (no cycle of waits)
    save_model(connection, source, now=now, user_id=user_id)
    return recompute(connection, now=now)
