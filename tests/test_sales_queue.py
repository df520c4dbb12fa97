"""The sales queue on the fixed world: ranking and exact card contents."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, select

from lead_world import NOW
from query_plans import plan_of_last_statement
from sales_world import SAMI, SOFIA, build_sales_world
from silverplatter.domain.buying_window import BuyingWindow
from silverplatter.services.buying_windows import set_buying_window
from silverplatter.services.handover import accept
from silverplatter.services.lifecycle import transition
from silverplatter.services.sales_queue import QueueCard, sales_queue
from silverplatter.storage.sales_queue import queue_rows
from silverplatter.storage.schema import accounts

TUESDAY = datetime(2026, 6, 2, 15, 0, tzinfo=UTC)
OVERDUE = "Overdue by 1 day: call today, then accept, recycle or disqualify"
QUALIFY = "Qualify in a call (BANT), then accept or recycle"
WINDOW = BuyingWindow(date(2026, 5, 1), date(2026, 10, 31), "manual", 1.0, "ERP contract ends")


def fade(points: float, days: float, half_life: float) -> float:
    return points * 2.0 ** (-days / half_life)


HOUR = 1 / 24
SCORES = {
    # Acme's people were scored again an hour after NOW, when a page view made the CEO SQL.
    "ops@acme.fi": fade(5, 10.5 + HOUR, 45) + fade(40, 1 + HOUR, 45),
    "ceo@acme.fi": fade(10, 3 + HOUR, 14)
    + fade(10, 2 + HOUR, 14)
    + fade(1, 3.5 + HOUR, 45)
    + fade(1, 2.5 + HOUR, 45)
    + fade(1, 0.5 + HOUR, 45),
    "director@pohja.fi": fade(15, 90, 45) + fade(40, 0.5, 45),
    "buyer@kauppa.se": fade(3, 21.5, 45) + fade(-50, 2, 45),
}


def _world(engine: Engine, *, with_ceo: bool) -> Iterator[tuple[Connection, dict[str, int]]]:
    with engine.begin() as connection:
        ids = build_sales_world(connection, with_ceo=with_ceo)
        pohja = connection.execute(select(accounts.c.id).where(accounts.c.domain == "pohja.fi"))
        set_buying_window(
            connection,
            pohja.scalar_one(),
            opens_on=WINDOW.opens_on,
            closes_on=WINDOW.closes_on,
            basis=WINDOW.basis,
            now=NOW,
        )
        yield connection, ids


@pytest.fixture
def world(engine: Engine) -> Iterator[tuple[Connection, dict[str, int]]]:
    yield from _world(engine, with_ceo=True)


def _card(card: QueueCard) -> tuple[Any, ...]:
    return (
        card.email,
        card.stage,
        card.account_name,
        card.tier,
        card.grade,
        card.owner_name,
        card.why_now,
        card.window,
        card.due_at,
        card.overdue,
        card.next_action,
    )


def test_cards_rank_overdue_first_then_tier_then_score(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    cards = sales_queue(connection, now=TUESDAY)
    assert [_card(card) for card in cards] == [
        # Both gold handovers are past due (12:00 and 13:00): overdue, then by score.
        (
            "ops@acme.fi", "sql", "Acme Machinery Oy", "gold", "A-", "Sofia Sales",
            ("asked for contact 2 days ago",),
            "unknown", datetime(2026, 6, 2, 12, tzinfo=UTC), True, OVERDUE,
        ),
        (
            "ceo@acme.fi", "sql", "Acme Machinery Oy", "gold", "A+", "Sofia Sales",
            ("BANT complete", "page view /demo 3 days ago", "pricing or demo page 4 days ago"),
            "unknown", datetime(2026, 6, 2, 13, tzinfo=UTC), True, OVERDUE,
        ),
        (
            "director@pohja.fi", "sql", "Pohja Metals Oy", "silver", "B", "Sami Sales",
            ("asked for contact yesterday",),
            "2026-05-01 – 2026-10-31 (manual, 100%)", datetime(2026, 6, 3, 12, tzinfo=UTC),
            False, "Call now: they asked for contact; then accept or recycle (buying window open)",
        ),
        (
            "buyer@kauppa.se", "sql", "Kauppa Retail AB", "bronze", "D", "Sami Sales",
            (), "unknown", datetime(2026, 6, 8, 12, tzinfo=UTC), False, QUALIFY,
        ),
        # Never scored: no grade or score yet; unclassified ties go by due time, then id.
        (
            "cfo@unknown.co.uk", "sql", "Unknown Ltd", "unclassified", None, "Sami Sales",
            (), "unknown", datetime(2026, 6, 8, 12, tzinfo=UTC), False, QUALIFY,
        ),
        (
            "solo@example.org", "sql", None, "unclassified", None, "Sofia Sales",
            (), "unknown", datetime(2026, 6, 8, 12, tzinfo=UTC), False, QUALIFY,
        ),
    ]  # fmt: skip
    scored = {card.email: card.score for card in cards if card.score is not None}
    assert scored == pytest.approx(SCORES, abs=1e-9)
    director = cards[2]
    assert (director.name, director.title, director.buying_window) == (
        "director@pohja.fi",
        None,
        WINDOW,
    )
    assert [(card.overdue, card.days_overdue) for card in cards[:3]] == [
        (True, 1),
        (True, 1),
        (False, 0),
    ]


def test_one_owners_queue_and_a_limit(world: tuple[Connection, dict[str, int]]) -> None:
    connection, _ids = world
    mine = sales_queue(connection, now=TUESDAY, owner_id=SOFIA)
    assert [card.email for card in mine] == ["ops@acme.fi", "ceo@acme.fi", "solo@example.org"]
    theirs = sales_queue(connection, now=TUESDAY, owner_id=SAMI, limit=2)
    assert [card.email for card in theirs] == ["director@pohja.fi", "buyer@kauppa.se"]
    with pytest.raises(ValueError, match="limit: expected 1 or more"):
        sales_queue(connection, now=TUESDAY, limit=0)


def test_accepted_leads_leave_and_unhanded_sqls_join(engine: Engine) -> None:
    for connection, ids in _world(engine, with_ceo=False):
        accept(connection, ids["ops@acme.fi"], user_id=SOFIA, now=NOW)
        # Made SQL by hand and not handed over yet: on the queue without a due time.
        transition(connection, ids["ceo@acme.fi"], "sql", reason="", now=NOW, has_hard_cta=True)
        cards = sales_queue(connection, now=TUESDAY, limit=2)
        assert [_card(card) for card in cards] == [
            (
                "ceo@acme.fi", "sql", "Acme Machinery Oy", "gold", "A+", None,
                ("page view /demo 3 days ago", "pricing or demo page 4 days ago"),
                "unknown", None, False, QUALIFY,
            ),
            (
                "director@pohja.fi", "sql", "Pohja Metals Oy", "silver", "B", "Sami Sales",
                ("asked for contact yesterday",),
                "2026-05-01 – 2026-10-31 (manual, 100%)", datetime(2026, 6, 3, 12, tzinfo=UTC),
                False,
                "Call now: they asked for contact; then accept or recycle (buying window open)",
            ),
        ]  # fmt: skip
        assert cards[0].handover_id is None


def test_the_queue_takes_the_same_statements_for_one_card_or_all(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(connection, "before_cursor_execute", count)
    try:
        sales_queue(connection, now=TUESDAY, limit=1)
        one = len(statements)
        statements.clear()
        assert len(sales_queue(connection, now=TUESDAY)) == 6
        assert len(statements) == one <= 3
    finally:
        event.remove(connection, "before_cursor_execute", count)


def test_the_queue_is_ranked_from_its_own_index(engine: Engine) -> None:
    """The queued contacts, accounts and owners come from ``ix_contacts_queue`` (0024).

    A partial index serves only a statement that names its stages as literals,
    so the statement must not send them as parameters.
    """
    plan = plan_of_last_statement(
        engine, lambda c: queue_rows(c, now=TUESDAY, owner_id=None, limit=20)
    )
    assert "ix_contacts_queue" in plan, plan
    if engine.dialect.name == "sqlite":
        assert "COVERING INDEX ix_contacts_queue" in plan, plan
