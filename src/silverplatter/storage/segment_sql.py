"""A segment rule compiled to a parameterised SQLAlchemy Core condition on contacts.

Every value of a rule goes in as a bound parameter, never into the SQL text;
``contains``/``starts_with``/``ends_with`` escape ``%``, ``_`` and the escape
character, so a value matches literally.  Text comparisons ignore the case of
ASCII letters on both backends (as the scoring SQL does); ``matches`` globs
are case-sensitive.

Each condition is two-valued: a missing value (no account, no score, a NULL
column, a custom property that is not there) makes it false, so ``not``
takes exactly the contacts its condition does not.

The statement joins what the rule asks about — the contact's account,
its score, its account's score and buying window — by outer joins of one row
each.  Events are counted with correlated subqueries on
``ix_events_contact_time`` (contact, occurred_at) — "at least k" reads at
most k index entries per contact — except for a whole segment on SQLite
whose event condition names only a type and a window: the contacts with such
events are gathered once per statement from ``ix_events_type_time`` (see
``_at_least_of_set``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)

from silverplatter.domain.grades import level_of
from silverplatter.domain.segment_fields import (
    FieldSpec,
    custom_property,
    field_catalogue,
    worry_of,
)
from silverplatter.domain.segment_rules import (
    AllOf,
    AnyOf,
    Condition,
    EventCondition,
    NotOf,
    PropertyCondition,
    Rule,
    RuleError,
    RuleInvalid,
    conditions,
    months_ahead,
    since,
)
from silverplatter.domain.worry_profile import DEFAULT_HALF_LIFE_DAYS
from silverplatter.storage.capture_schema import suppressions
from silverplatter.storage.engagement_schema import account_scores, contact_scores
from silverplatter.storage.lifecycle_schema import buying_windows
from silverplatter.storage.schema import accounts, consent_records, contacts, events
from silverplatter.storage.scoring_sql import (
    glob_match,
    json_number,
    json_present,
    json_text,
)
from silverplatter.storage.segment_schema import segment_members
from silverplatter.storage.segment_values import (
    compare,
    day_compare,
    has_item,
    has_items,
    json_boolean,
    known,
)
from silverplatter.storage.worry_profiles import worry_condition

Expr = ColumnElement[Any]
Cond = ColumnElement[bool]
c, a, s, sa, w = contacts.c, accounts.c, contact_scores.c, account_scores.c, buying_windows.c


@dataclass(frozen=True, slots=True)
class SegmentRef:
    """What a rule needs to know of a segment it names: a rule to inline or a member list."""

    id: int
    slug: str
    kind: str
    rule: Rule | None


#: Finds a segment by slug (None when there is none).
SegmentLookup = Callable[[str], SegmentRef | None]


def _no_segments(slug: str) -> SegmentRef | None:
    return None


@dataclass(slots=True)
class _Compiler:
    dialect: str
    now: datetime
    lookup: SegmentLookup
    fields: Mapping[str, FieldSpec]
    joins: set[str] = field(default_factory=set)
    inside: list[str] = field(default_factory=list)
    #: The contact id events are matched on (see ``compile_rule``).
    subject: Expr = c.id
    #: Compiled for a few contacts at a time (a page, one contact), not a whole segment.
    each: bool = False
    #: The half-life of worry profiles, in days (``contact.worry.<slug>`` fields).
    half_life: float = DEFAULT_HALF_LIFE_DAYS

    # -- groups -------------------------------------------------------------

    def rule(self, rule: Rule, path: str) -> Cond:
        if isinstance(rule, AllOf):
            parts = [self.rule(item, f"{path}.all[{n}]") for n, item in enumerate(rule.all)]
            return and_(true(), *parts) if parts else true()
        if isinstance(rule, AnyOf):
            parts = [self.rule(item, f"{path}.any[{n}]") for n, item in enumerate(rule.any)]
            return or_(false(), *parts)
        if isinstance(rule, NotOf):
            return not_(self.rule(rule.not_, f"{path}.not"))
        if isinstance(rule, EventCondition):
            return self.event(rule)
        return self.condition(rule, path)

    # -- fields -------------------------------------------------------------

    def condition(self, test: Condition, path: str) -> Cond:
        if test.op == "not_equals":
            return not_(self.condition(test.model_copy(update={"op": "equals"}), path))
        name = test.field
        worried = worry_of(name)
        if worried is not None:
            return worry_condition(
                worried[0], worried[1], test.op, test.value, self.dialect, self.now, self.half_life
            )
        owned = custom_property(name)
        if owned is not None:
            return self.custom(owned[0], owned[1], test, path)
        if name == "segment":
            return self.segment(test, path)
        if name == "contact.grade":
            return self.grade(test)
        if name == "contact.email_consent":
            return self.consent(test)
        if name == "contact.suppressed":
            return _suppressed() if test.value else not_(_suppressed())
        if name == "account.buying_window":
            return self.window(test)
        column, kind = self.column(name)
        return compare(column, kind, test.op, test.value, self.dialect, self.now)

    def column(self, name: str) -> tuple[Expr, str]:
        owner, _, attribute = name.partition(".")
        if name == "contact.email_domain":
            return _email_domain(self.dialect), "text"
        if name == "contact.score":
            self.joins.add("contact_score")
            return s.score, "number"
        if name == "account.score":
            self.joins.update(("account", "account_score"))
            return sa.score, "number"
        if attribute == "owner":
            attribute = "owner_id"
        if owner == "account":
            self.joins.add("account")
            column: Expr = a[attribute]
        else:
            column = c[attribute]
        return column, _KINDS.get(name, "exact")

    def custom(self, owner: str, key: str, test: Condition, path: str) -> Cond:
        spec = self.fields.get(test.field)
        if spec is None:
            raise RuleInvalid([RuleError(f"{path}.field", f"unknown field {test.field!r}")])
        if owner == "account":
            self.joins.add("account")
        document = c.custom if owner == "contact" else a.custom
        op, value, dialect = test.op, test.value, self.dialect
        if op in ("is_empty", "is_not_empty"):
            present = json_present(document, key, dialect)
            if spec.type == "choices":
                answer = func.coalesce(json_text(document, key, dialect), "") != ""
                present = or_(answer, has_items(document, key, dialect))
            return present if op == "is_not_empty" else not_(present)
        if spec.type == "boolean":
            return json_boolean(document, key, bool(value), dialect)
        if spec.type == "number":
            return compare(json_number(document, key, dialect), "number", op, value, dialect)
        if spec.type == "date":
            return day_compare(json_text(document, key, dialect), op, value, self.now)
        if spec.type == "choices":
            answers = [value] if op == "contains" else list(value)
            return or_(*(has_item(document, key, answer, dialect) for answer in answers))
        kind = "exact" if spec.type == "choice" else "text"
        return compare(json_text(document, key, dialect), kind, op, value, dialect)

    def grade(self, test: Condition) -> Cond:
        self.joins.add("contact_score")
        op, value = test.op, test.value
        if op == "is_empty":
            return s.contact_id.is_(None)
        if op == "is_not_empty":
            return s.contact_id.is_not(None)
        if op == "equals":
            return known(s.grade, s.grade == value)
        if op == "in":
            return known(s.grade, s.grade.in_(list(value)))
        low, high = _grade_band(value)
        bound = {"gte": s.grade_level >= low, "gt": s.grade_level > high}
        bound.update({"lte": s.grade_level <= high, "lt": s.grade_level < low})
        return known(s.grade_level, bound[op])

    def consent(self, test: Condition) -> Cond:
        states = [test.value] if test.op == "equals" else list(test.value)
        return or_(*(_consent_state(state, self.each) for state in states))

    def window(self, test: Condition) -> Cond:
        self.joins.update(("account", "window"))
        today = self.now.astimezone(UTC).date()
        if test.op == "is_empty":
            return w.account_id.is_(None)
        if test.op == "is_not_empty":
            return w.account_id.is_not(None)
        if test.op == "is_open":
            return known(w.opens_on, and_(w.opens_on <= today, w.closes_on >= today))
        horizon = months_ahead(today, int(test.value))
        return known(w.opens_on, w.opens_on.between(today, horizon))

    def segment(self, test: Condition, path: str) -> Cond:
        slug = str(test.value)
        if slug in self.inside:
            chain = " → ".join([*self.inside, slug])
            raise RuleInvalid([RuleError(f"{path}.value", f"segments refer in a circle: {chain}")])
        found = self.lookup(slug)
        if found is None:
            raise RuleInvalid([RuleError(f"{path}.value", f"there is no segment {slug!r}")])
        if found.kind == "static" or found.rule is None:
            m = segment_members.c
            held: Cond = exists().where(m.segment_id == found.id, m.contact_id == c.id)
        else:
            self.inside.append(slug)
            held = self.rule(found.rule, f"segment {slug!r}: rule")
            self.inside.pop()
        return held if test.op == "member_of" else not_(held)

    # -- events -------------------------------------------------------------

    def event(self, test: EventCondition) -> Cond:
        e = events.c
        started = since(self.now, test.within_days)
        matching = [e.occurred_at >= started, e.type == test.event]
        if test.channel is not None:
            matching.append(e.channel == test.channel)
        matching.extend(_event_property(e.properties, where, self.dialect) for where in test.where)
        # Type and time alone are answered from ``ix_events_type_time`` without
        # reading the events; a channel or a property must read each event's
        # row, and reading every such event of the window in time order cost
        # more than probing the candidates' own (3.1 against 1.9 s of CPU for
        # "/solutions twice in 90 days" at gold and silver accounts at 1M).
        covered = test.channel is None and not test.where
        at_least = (
            _at_least_of_set(matching)
            if self.dialect == "sqlite" and not self.each and covered
            else _at_least([e.contact_id == self.subject, *matching])
        )
        k = test.times
        if test.op == "gte":
            return at_least(k)
        if test.op == "gt":
            return at_least(k + 1)
        if test.op == "lte":
            return not_(at_least(k + 1))
        if test.op == "lt":
            return not_(at_least(k))
        return and_(at_least(k), not_(at_least(k + 1)))


#: Built-in fields compared as free text (case-insensitively); the rest compare exactly.
_KINDS = (
    {
        name: "text"
        for name in (
            "contact.first_name",
            "contact.last_name",
            "contact.title",
            "contact.department",
            "contact.source",
            "account.industry",
            "account.needs_segment",
        )
    }
    | {
        name: "number"
        for name in (
            "account.employees",
            "account.annual_revenue",
            "contact.owner",
            "account.owner",
        )
    }
    | {"contact.created_at": "instant"}
)


def _email_domain(dialect: str) -> Expr:
    if dialect == "postgresql":
        return func.split_part(c.email_key, "@", 2)
    return func.substr(c.email_key, func.instr(c.email_key, "@") + 1)


def _grade_band(letter: str) -> tuple[int, int]:
    """The levels a letter stands for in a comparison: a plain letter is its whole band."""
    level = level_of(letter)
    if len(letter) == 1 and letter != "F":
        return level - 1, level + 1
    return level, level


def _suppressed() -> Cond:
    """The address is on the suppression list: one look-up list for the whole statement."""
    listed = select(suppressions.c.email_key).where(suppressions.c.email_key.is_not(None))
    return c.email_key.in_(listed)


def _latest_consent() -> Expr:
    r = consent_records.c
    return (
        select(r.action)
        .where(r.contact_id == c.id, r.channel == "email")
        .order_by(r.occurred_at.desc(), r.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _consent_state(state: str, each: bool) -> Cond:
    """The contact's latest e-mail consent is in ``state``.

    For a whole segment (``each`` false) the latest record of every contact is
    found once per statement, by a window over the consent ledger, and each
    contact looked up in it; for a page or one contact (``each``), a subquery
    per contact, so the page stops as soon as it is full.
    """
    r = consent_records.c
    actions = ["granted", "confirmed"] if state == "given" else [state]
    if state == "none":
        return not_(exists().where(r.contact_id == c.id, r.channel == "email"))
    if each:
        return func.coalesce(_latest_consent(), "").in_(actions)
    order = func.row_number().over(
        partition_by=r.contact_id, order_by=(r.occurred_at.desc(), r.id.desc())
    )
    mailed = and_(r.channel == "email", r.contact_id.is_not(None))
    ranked = select(r.contact_id, r.action, order.label("place")).where(mailed).subquery()
    latest = select(ranked.c.contact_id).where(ranked.c.place == 1, ranked.c.action.in_(actions))
    return c.id.in_(latest)


def _event_property(document: Expr, test: PropertyCondition, dialect: str) -> Cond:
    value = json_text(document, test.property, dialect)
    if test.op == "matches":
        return known(value, glob_match(value, str(test.value), dialect))
    return compare(value, "text", test.op, test.value, dialect)


def _at_least(conditions: Sequence[Cond]) -> Callable[[int], Cond]:
    """ "At least k such events": an EXISTS for one, a count of at most k rows for more."""

    def held(k: int) -> Cond:
        if k <= 0:
            return true()
        found = select(literal(1).label("one")).where(*conditions)
        if k == 1:
            return exists(found)
        limited = found.limit(k).correlate(contacts).subquery()
        counted = select(func.count()).select_from(limited).scalar_subquery()
        return counted >= k

    return held


def _at_least_of_set(conditions: Sequence[Cond]) -> Callable[[int], Cond]:
    """ "At least k such events" as membership of one set gathered for the whole statement.

    For a whole segment on SQLite: the contacts with such events are read once,
    through ``ix_events_type_time`` (type, occurred_at, contact) — a window of
    one event type is a range of it — instead of probing every candidate's
    events (a correlated subquery, which SQLite runs per row).  PostgreSQL
    plans the correlated form as a semi-join itself, and a ``NOT IN`` larger
    than its working memory would be re-read per row, so it keeps that form.
    """
    e = events.c

    def held(k: int) -> Cond:
        if k <= 0:
            return true()
        found = select(e.contact_id).where(e.contact_id.is_not(None), *conditions)
        if k > 1:
            found = found.group_by(e.contact_id).having(func.count() >= k)
        return c.id.in_(found)

    return held


# ---------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule as a condition on ``contacts``, with the joins the condition reads."""

    condition: Cond
    joins: frozenset[str]

    def source(self) -> FromClause:
        """``contacts`` outer-joined to one row of each table the condition reads."""
        joined: FromClause = contacts
        if "account" in self.joins:
            joined = joined.outerjoin(accounts, a.id == c.account_id)
        if "contact_score" in self.joins:
            joined = joined.outerjoin(contact_scores, s.contact_id == c.id)
        if "account_score" in self.joins:
            joined = joined.outerjoin(account_scores, sa.account_id == c.account_id)
        if "window" in self.joins:
            joined = joined.outerjoin(buying_windows, w.account_id == c.account_id)
        return joined

    def contact_ids(self) -> Select[Any]:
        """``SELECT contacts.id`` of the members (a subquery others may use)."""
        return select(c.id).select_from(self.source()).where(self.condition)

    def count(self) -> Select[Any]:
        return select(func.count()).select_from(self.source()).where(self.condition)


def compile_rule(
    rule: Rule,
    *,
    dialect: str,
    now: datetime,
    lookup: SegmentLookup = _no_segments,
    fields: Mapping[str, FieldSpec] | None = None,
    slug: str | None = None,
    each: bool = False,
    worry_half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
) -> CompiledRule:
    """``rule`` as SQL; :class:`RuleInvalid` when it names a missing segment or a circle.

    ``slug`` is the segment the rule belongs to, so a rule naming its own
    segment (directly or through others) is refused.  ``each`` compiles for
    reading a few members (a page, one contact) rather than all of them.
    """
    catalogue = field_catalogue() if fields is None else fields
    inside = [] if slug is None else [slug]
    compiler = _Compiler(
        dialect,
        now,
        lookup,
        catalogue,
        inside=list(inside),
        each=each,
        half_life=worry_half_life_days,
    )
    condition = compiler.rule(rule, "rule")
    if dialect == "sqlite" and "contact_score" in compiler.joins and _counts_events(rule):
        # SQLite tests a subquery in the loop of the tables it names: naming
        # the joined score row too (always the same id) defers the event
        # count until the score's own conditions have ruled contacts out.
        subject = func.coalesce(s.contact_id, c.id)
        compiler = _Compiler(
            dialect,
            now,
            lookup,
            catalogue,
            inside=list(inside),
            subject=subject,
            each=each,
            half_life=worry_half_life_days,
        )
        condition = compiler.rule(rule, "rule")
    return CompiledRule(condition, frozenset(compiler.joins))


def _counts_events(rule: Rule) -> bool:
    return any(isinstance(found, EventCondition) for found in conditions(rule))


__all__ = ["CompiledRule", "SegmentLookup", "SegmentRef", "compile_rule"]
