"""The sales queue: SQLs served on a silver platter, one card per person.

Each card gives the person and account, grade and score, why now, the
account's buying window, the handover's due time and the next best action.
Only contacts at SQL or accepted by sales are in it, with an open handover
or none yet.  Ranked: overdue first, then the account's tier (gold first),
then score.  Two statements build the whole queue: the ranked cards, and
the events of their last :data:`~silverplatter.domain.sales_card.RECENT_DAYS`
days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.buying_window import BuyingWindow
from silverplatter.domain.engagement import DAY, EventFacts
from silverplatter.domain.handover import days_overdue
from silverplatter.domain.sales_card import (
    HIGH_VALUE_POINTS,
    RECENT_DAYS,
    Signal,
    next_best_action,
    why_now,
    window_text,
)
from silverplatter.services.scoring_models import ModelVersion, active_model
from silverplatter.storage.engagement import seconds
from silverplatter.storage.sales_queue import queue_rows, recent_events


@dataclass(frozen=True, slots=True)
class QueueCard:
    contact_id: int
    name: str
    title: str | None
    email: str
    stage: str
    account_id: int | None
    account_name: str | None
    tier: str
    grade: str | None
    score: float | None
    owner_id: int | None
    owner_name: str | None
    why_now: tuple[str, ...]
    buying_window: BuyingWindow | None
    handover_id: int | None
    due_at: datetime | None
    overdue: bool
    days_overdue: int
    next_action: str

    @property
    def window(self) -> str:
        """The buying window in words, ``unknown`` when none is known."""
        return window_text(self.buying_window)


def _signals(version: ModelVersion, rows: list[Row[Any]]) -> dict[int, list[Signal]]:
    """High-value events per contact, newest first; the hard CTA itself is left out."""
    model = version.model
    hard_flag = model.lifecycle.hard_cta_flag
    found: dict[int, list[Signal]] = defaultdict(list)
    for row in rows:
        facts = EventFacts(row.type, row.occurred_at.timestamp(), row.channel, row.properties)
        rules = [r for r in version.book.matching("contact", facts) if r.rule.points > 0]
        if not rules:
            continue
        best = max(rules, key=lambda r: (r.rule.points, -r.index))
        if best.rule.points < HIGH_VALUE_POINTS or best.rule.flag == hard_flag:
            continue
        label = best.rule.name
        if label is None:
            label = row.type.replace("_", " ")
            url = row.properties.get("url")
            if best.rule.url_matches and isinstance(url, str):
                label = f"{label} {url}"
        found[row.contact_id].append(Signal(label, row.occurred_at))
    return found


def _hard_cta_at(
    flags: Mapping[str, float] | None, version: ModelVersion, now: datetime
) -> datetime | None:
    stored = (flags or {}).get(version.model.lifecycle.hard_cta_flag)
    if stored is None:
        return None
    raised, at = seconds(stored), now.timestamp()
    if not at - version.model.engagement.flag_days * DAY <= raised <= at:
        return None
    return datetime.fromtimestamp(raised, tz=now.tzinfo)


def sales_queue(
    connection: Connection, *, now: datetime, owner_id: int | None = None, limit: int = 50
) -> list[QueueCard]:
    """The ranked cards of the sales queue (of one owner's, with ``owner_id``)."""
    if limit < 1:
        raise ValueError(f"limit: expected 1 or more cards, not {limit}")
    rows = queue_rows(connection, now=now, owner_id=owner_id, limit=limit)
    if not rows:
        return []
    version = active_model(connection, now=now)
    since = now - timedelta(days=RECENT_DAYS)
    events = recent_events(connection, [row.id for row in rows], since=since, until=now)
    signals = _signals(version, events)
    cards = []
    for row in rows:
        hard_cta_at = _hard_cta_at(row.flags, version, now)
        window = (
            BuyingWindow(
                row.opens_on,
                row.closes_on,
                row.window_source,
                row.window_confidence,
                row.window_basis,
            )
            if row.opens_on is not None
            else None
        )
        late = days_overdue(row.due_at, now) if row.due_at is not None else 0
        bant = bool(row.bant_complete)
        cards.append(
            QueueCard(
                contact_id=row.id,
                name=" ".join(p for p in (row.first_name, row.last_name) if p) or row.email,
                title=row.title,
                email=row.email,
                stage=row.lifecycle_stage,
                account_id=row.account_id,
                account_name=row.account_name,
                tier=row.tier,
                grade=row.grade,
                score=row.score,
                owner_id=row.owner_id,
                owner_name=row.owner_name,
                why_now=why_now(
                    hard_cta_at=hard_cta_at,
                    bant_complete=bant,
                    signals=signals.get(row.id, ()),
                    now=now,
                ),
                buying_window=window,
                handover_id=row.handover_id,
                due_at=row.due_at,
                overdue=late > 0,
                days_overdue=late,
                next_action=next_best_action(
                    stage=row.lifecycle_stage,
                    days_overdue=late,
                    hard_cta=hard_cta_at is not None,
                    bant_complete=bant,
                    window_open=window is not None and window.is_open(now.date()),
                ),
            )
        )
    return cards


__all__ = ["QueueCard", "sales_queue"]
