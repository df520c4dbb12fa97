"""The statements of the full recompute: every score from the event log, set-based.

One pass over the events joins each event to the rules of its type (a small
``VALUES`` list) and folds the matches per subject, rule and bucket into a
temporary table; everything after that works on that table, one row per
contact or account, with no Python loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    String,
    and_,
    case,
    column,
    exists,
    func,
    literal,
    select,
    true,
    values,
)
from sqlalchemy.sql import Select

from silverplatter.domain.engagement import DAY, WEEK, RuleBook
from silverplatter.storage.engagement_schema import scoring_backlog
from silverplatter.storage.schema import events
from silverplatter.storage.scoring_sql import (
    epoch_seconds,
    floor_to,
    json_text,
    power2,
    rule_condition,
)
from silverplatter.storage.sqlite_hints import indexed_by, not_indexed

#: Kinds of rows in the rule list: real rules and the pseudo-rules silence needs.
RULE, TOUCH, QUIET = "rule", "touch", "quiet"


@dataclass(frozen=True)
class RuleRow:
    idx: int
    kind: str
    event: str
    points: float
    half_life_seconds: float
    period: str  # "day", "week", "recent" (touches in the silence window) or "none"


def rule_rows(book: RuleBook, scope: str) -> list[RuleRow]:
    rows = []
    for compiled in book.rules:
        rule = compiled.rule
        if rule.scope != scope:
            continue
        cap = rule.cap
        rows.append(
            RuleRow(
                compiled.index,
                RULE,
                rule.event,
                rule.points,
                compiled.half_life_days * DAY,
                cap[0] if cap else "none",
            )
        )
    if scope == "contact":
        offset = len(book.rules)
        for number, event in enumerate(sorted(book.touch_types)):
            rows.append(RuleRow(offset + number, TOUCH, event, 0.0, DAY, "recent"))
        offset += len(book.touch_types)
        covered = quiet_rule_ids(book)
        for number, event in enumerate(sorted(book.quiet_breakers)):
            if event not in covered:
                rows.append(RuleRow(offset + number, QUIET, event, 0.0, DAY, "none"))
    return rows


def quiet_rule_ids(book: RuleBook) -> dict[str, int]:
    """Quiet-breaking event types that a condition-free contact rule already matches.

    Such a rule meets every event of its type, so its latest time is the
    type's latest time: the type needs no pseudo-rule row of its own, which
    spares the event pass one joined row per event of the type.
    """
    found: dict[str, int] = {}
    for compiled in book.rules:
        rule = compiled.rule
        if (
            rule.scope == "contact"
            and rule.event in book.quiet_breakers
            and not _has_conditions(rule)
        ):
            found.setdefault(rule.event, compiled.index)
    return found


def hits_select(
    book: RuleBook,
    scope: str,
    dialect: str,
    *,
    now: float,
    recent_from: float,
    before: datetime | None = None,
    subjects: ColumnElement[bool] | None = None,
    pseudo_rules: bool = True,
    queued: int | None = None,
) -> Select[Any]:
    """Per (subject, rule, bucket): count, raw points, decayed points at ``now``, latest time.

    A scope without rules still gets a typed, empty result: its one rule row
    names no event type, so nothing joins it.  With ``before``, only events
    that occurred strictly before it count (predictive scoring's cut-off);
    ``subjects`` narrows the events further (predictive scoring of a few contacts).
    Without ``pseudo_rules`` only the real rules are matched: the touch and
    quiet rows exist for silence, and a caller that wants the score alone
    (predictive scoring's cut-off) spares the pass every ``email_sent``.
    """
    rows = [r for r in rule_rows(book, scope) if pseudo_rules or r.kind == RULE]
    rows = rows or [RuleRow(-1, RULE, "", 0.0, DAY, "none")]
    rules = (
        values(
            column("idx", Integer),
            column("kind", String),
            column("event", String),
            column("points", Float),
            column("hl", Float),
            column("period", String),
            name="r",
        )
        .data([(r.idx, r.kind, r.event, r.points, r.half_life_seconds, r.period) for r in rows])
        .cte("r")
    )
    subject = events.c.contact_id if scope == "contact" else events.c.account_id
    where = (
        events.c.contact_id.is_not(None)
        if scope == "contact"
        else and_(events.c.contact_id.is_(None), events.c.account_id.is_not(None))
    )
    # The event's time is computed once per event, in a subquery the planner keeps.
    # So is its URL, for the types a rule reads it of (an address is looked at twice).
    url_types = sorted(
        {r.rule.event for r in book.rules if r.rule.scope == scope and r.rule.url_matches}
    )
    url = json_text(events.c.properties, "url", dialect)
    url_of_event = [case((events.c.type.in_(url_types), url)).label("url")] if url_types else []
    channel, properties = _read_for_conditions(book, scope, dialect)
    events_read = (
        select(
            subject.label("sid"),
            events.c.type,
            channel,
            properties,
            epoch_seconds(events.c.occurred_at, dialect).label("ts"),
            *url_of_event,
        )
        .where(where, events.c.type.in_(sorted({r.event for r in rows})))
        .where(true() if before is None else events.c.occurred_at < before)
        .where(true() if subjects is None else subjects)
        .where(true() if queued is None else not_queued(queued))
        .limit(-1 if dialect == "sqlite" else None)
    )
    if scope == "contact" and subjects is None:
        # Every contact's events: SQLite reads the table file in order.  Through the
        # type index it visits the rows type by type, each type's rows scattered
        # over the file: at 1M contacts 28.5 s against 12.8 s (docs/benchmarks.md).
        events_read = not_indexed(events_read, events)
    elif scope == "account" and subjects is None:
        # The accounts' own events, from the index of those alone (0025).  Without
        # statistics (a workspace not yet served, a fresh import) SQLite took the
        # index of every event at an account: 7.3 s against 0.2 s at 1M contacts.
        events_read = indexed_by(events_read, events, "ix_events_account_own")
    scanned = events_read.subquery("ev")
    moment = scanned.c.ts
    conditions = [
        (
            rules.c.idx == compiled.index,
            rule_condition(
                compiled.rule,
                scanned.c.properties,
                scanned.c.channel,
                dialect,
                scanned.c.url if url_types else None,
            ),
        )
        for compiled in book.rules
        if compiled.rule.scope == scope and _has_conditions(compiled.rule)
    ]
    matches = case(*conditions, else_=true()) if conditions else true()
    bucket = case(
        (rules.c.period == "day", floor_to(moment, DAY, 0.0, dialect)),
        (rules.c.period == "week", floor_to(moment, WEEK, 3 * DAY, dialect)),
        (and_(rules.c.period == "recent", moment > recent_from), moment),
        else_=literal(None, Float),
    )
    return (
        select(
            scanned.c.sid.label("sid"),
            rules.c.idx.label("idx"),
            bucket.label("bucket"),
            func.count().label("n"),
            func.sum(rules.c.points).label("raw"),
            func.sum(rules.c.points * power2((moment - now) / rules.c.hl)).label("dec"),
            func.max(moment).label("last"),
        )
        .select_from(scanned.join(rules, rules.c.event == scanned.c.type))
        .where(matches)
        .group_by(scanned.c.sid, rules.c.idx, bucket)
    )


#: Up to this many queued events the pass leaves them out with ``NOT IN``, which
#: PostgreSQL hashes once (free at 1M contacts); beyond, with an anti-join.
FEW_QUEUED = 20_000


def not_queued(queued: int) -> ColumnElement[bool]:
    """The event is not waiting in the scoring backlog, which held ``queued`` events.

    PostgreSQL hashes a ``NOT IN`` list only while its estimated size fits
    ``hash_mem``; past that it rescans the list for every event (a 300,000-event
    backlog at 1M contacts: minutes).  ``NOT EXISTS`` is always safe but
    planned as a nested loop over an empty backlog: +2.4 s of 24 s at 1M
    (docs/benchmarks.md).  The planner's estimate must be fresh (``ANALYZE``).
    """
    if queued <= FEW_QUEUED:
        return events.c.id.not_in(select(scoring_backlog.c.event_id))
    return ~exists().where(scoring_backlog.c.event_id == events.c.id)


def _read_for_conditions(book: RuleBook, scope: str, dialect: str) -> tuple[Any, Any]:
    """The event's channel and properties, as the pass selects them for the rule conditions.

    On SQLite only for the types that a rule with conditions matches: a pass
    over a few contacts finds their events through an index of contact, time
    and type, and SQLite reads an event's row from the table only when a
    column outside that index is asked for.  The other events — every
    ``email_sent`` the silence rows count, the opens and clicks of a rule
    without conditions — are then counted from the index alone.  (A pass
    over every contact reads the table in order, every row; through the
    type index, before it did, the narrower selection took the pass at 1M
    from 165–198 s to 96–117 s: docs/benchmarks.md.)  PostgreSQL reads the
    rows in one scan either way.
    """
    if dialect != "sqlite":
        return events.c.channel, events.c.properties
    conditioned = sorted(
        {
            compiled.rule.event
            for compiled in book.rules
            if compiled.rule.scope == scope and _has_conditions(compiled.rule)
        }
    )
    if not conditioned:
        return literal(None, String).label("channel"), literal(None, String).label("properties")
    read = events.c.type.in_(conditioned)
    return (
        case((read, events.c.channel)).label("channel"),
        case((read, events.c.properties)).label("properties"),
    )


def _has_conditions(rule: Any) -> bool:
    return any(
        value is not None
        for value in (rule.channel, rule.cta, rule.content, rule.form, rule.url_matches, rule.tag)
    ) or bool(rule.properties)


def create_temp_as(connection: Connection, name: str, statement: Select[Any]) -> None:
    """``CREATE TEMPORARY TABLE name AS <statement>`` with the statement's parameters bound."""
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    sql = f"CREATE TEMPORARY TABLE {name} AS {compiled}"
    if connection.dialect.name == "postgresql":
        parameters: Any = compiled.params
        connection.exec_driver_sql(sql, parameters)
    else:
        positional = tuple(compiled.params[key] for key in compiled.positiontup or ())
        connection.exec_driver_sql(sql, positional)
