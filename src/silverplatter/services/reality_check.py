"""The reality check of a sales-ready lead (domain §4 "the dark side of a lead").

What do the points really say about the buying stage, how long did it take to
get there, how many touches and what did they cost, and how often did similar
leads become opportunities?

* **Buying stage**: the ``buying_stage`` of the rules, weighted by the points
  each still holds now; the stage with the most points wins.
* **Time to SQL**: from the contact's first event to its first move to SQL
  (``stage_transitions``), or to now when it has not moved yet.
* **Touches before SQL**: every event of the contact at or before that moment,
  measured against the Law of 29 (domain §6); their **cost** is summed for
  the event types the model's ``[costs] per_event`` prices.
* **Similar leads**: other contacts whose stored scores have the same grade
  band (A, B, C, D or F; signs ignored) and score band (0–10, 10–25, 25–50,
  50–100, 100+).  One *became an opportunity* when an opportunity names it
  (``opportunities.contact_id``), or when its account has an opportunity
  created after the contact's first event.  Below 20 similar leads the share
  is "not enough history".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, case, exists, func, or_, select

from silverplatter.domain.engagement import DAY, EventFacts
from silverplatter.domain.explanation import (
    MIN_SIMILAR_LEADS,
    Contribution,
    buying_stage_reading,
    buying_stage_shares,
    contributions,
    conversion_words,
    grade_band,
    law_of_29,
    score_band,
)
from silverplatter.domain.grading import grade
from silverplatter.services.scoring_models import ModelVersion, active_model
from silverplatter.storage import engagement as store
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import contacts, events, opportunities


@dataclass(frozen=True)
class SimilarLeads:
    grade_band: str
    score_band: str
    sample: int
    converted: int

    @property
    def share(self) -> float | None:
        """The share that became opportunities; ``None`` without enough history."""
        return self.converted / self.sample if self.sample >= MIN_SIMILAR_LEADS else None

    @property
    def words(self) -> str:
        return conversion_words(self.converted, self.sample)


@dataclass(frozen=True)
class RealityCheck:
    buying_stage: str | None
    buying_stage_words: str
    stage_shares: dict[str, float]
    first_touch_at: datetime | None
    #: The first move to SQL; ``None`` when the contact has not moved there (yet).
    sql_at: datetime | None
    #: The moment the figures below are measured to: ``sql_at``, else now.
    measured_to: datetime
    days_to_sql: float | None
    touches_before_sql: int
    law_of_29: str
    cost: float
    currency: str
    costed_events: int
    uncosted_types: tuple[str, ...]
    similar: SimilarLeads


def contact_events(connection: Connection, contact_id: int, until: datetime) -> list[EventFacts]:
    """The contact's events up to ``until``, oldest first, as the rules see them."""
    rows = connection.execute(
        select(events.c.type, events.c.occurred_at, events.c.channel, events.c.properties)
        .where(events.c.contact_id == contact_id, events.c.occurred_at <= until)
        .order_by(events.c.occurred_at, events.c.id)
    )
    return [
        EventFacts(row.type, row.occurred_at.timestamp(), row.channel, row.properties or {})
        for row in rows
    ]


def reality_check(connection: Connection, contact_id: int, *, now: datetime) -> RealityCheck:
    """The reality check of one contact with the active model at ``now``."""
    version = active_model(connection, now=now)
    found = contributions(
        version.book, contact_events(connection, contact_id, now), now.timestamp()
    )
    rows = store.contacts_for_scoring(connection, [contact_id], [])
    if not rows:
        raise LookupError(f"no contact with id {contact_id}")
    letter = grade(version.model.grading, store.profile_of(rows[0])).letter
    return reality_check_of(connection, version, contact_id, found, letter, now=now)


def reality_check_of(
    connection: Connection,
    version: ModelVersion,
    contact_id: int,
    found: tuple[Contribution, ...],
    grade_letter: str,
    *,
    now: datetime,
) -> RealityCheck:
    """The reality check from contributions already computed (``explain_contact`` has them)."""
    shares = buying_stage_shares(found)
    stage, words = buying_stage_reading(shares)
    sql_at = connection.execute(
        select(func.min(stage_transitions.c.occurred_at)).where(
            stage_transitions.c.contact_id == contact_id, stage_transitions.c.to_stage == "sql"
        )
    ).scalar_one_or_none()
    until = sql_at or now
    per_type = connection.execute(
        select(events.c.type, func.count(), func.min(events.c.occurred_at))
        .where(events.c.contact_id == contact_id, events.c.occurred_at <= until)
        .group_by(events.c.type)
        .order_by(events.c.type)
    ).all()
    first: datetime | None = min((row[2] for row in per_type), default=None)
    costs = version.model.costs
    priced = [(row.type, int(row[1])) for row in per_type if row.type in costs.per_event]
    return RealityCheck(
        buying_stage=stage,
        buying_stage_words=words,
        stage_shares=shares,
        first_touch_at=first,
        sql_at=sql_at,
        measured_to=until,
        days_to_sql=(until - first).total_seconds() / DAY if first is not None else None,
        touches_before_sql=sum(int(row[1]) for row in per_type),
        law_of_29=law_of_29(sum(int(row[1]) for row in per_type)),
        cost=sum((costs.per_event[kind] * count for kind, count in priced), 0.0),
        currency=costs.currency,
        costed_events=sum(count for _kind, count in priced),
        uncosted_types=tuple(row.type for row in per_type if row.type not in costs.per_event),
        similar=similar_leads(
            connection, contact_id, grade_letter, sum((c.value for c in found), 0.0)
        ),
    )


def became_opportunity() -> ColumnElement[bool]:
    """Whether the contact of the enclosing query became an opportunity (the module's rule)."""
    # Correlated to the enclosing query's contact by name: inside the EXISTS
    # below, automatic correlation would look only one level up (opportunities)
    # and take the earliest event of everyone instead of the contact's own.
    first_event = (
        select(func.min(events.c.occurred_at))
        .where(events.c.contact_id == contacts.c.id)
        .correlate(contacts)
        .scalar_subquery()
    )
    return or_(
        exists().where(opportunities.c.contact_id == contacts.c.id),
        exists().where(
            and_(
                opportunities.c.account_id == contacts.c.account_id,
                opportunities.c.created_at > first_event,
            )
        ),
    )


def similar_leads(
    connection: Connection, contact_id: int, grade_letter: str, score: float
) -> SimilarLeads:
    """How many other contacts share the grade and score band, and how many converted."""
    low, high, label = score_band(score)
    band = grade_band(grade_letter)
    where = [
        contact_scores.c.contact_id != contact_id,
        func.substr(contact_scores.c.grade, 1, 1) == band,
    ]
    if low != float("-inf"):
        where.append(contact_scores.c.score >= low)
    if high != float("inf"):
        where.append(contact_scores.c.score < high)
    sample, converted = connection.execute(
        select(func.count(), func.coalesce(func.sum(case((became_opportunity(), 1), else_=0)), 0))
        .select_from(contact_scores.join(contacts, contacts.c.id == contact_scores.c.contact_id))
        .where(*where)
    ).one()
    return SimilarLeads(band, label, int(sample), int(converted))


__all__ = [
    "RealityCheck",
    "SimilarLeads",
    "became_opportunity",
    "contact_events",
    "reality_check",
    "reality_check_of",
    "similar_leads",
]
