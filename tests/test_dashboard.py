"""The dashboard's figures: month arithmetic, and exact numbers on a fixed world."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, insert, select, update

from silverplatter.domain.dashboard import (
    FUNNEL,
    ChannelCount,
    Month,
    StageConversion,
    add_months,
    change_percent,
    conversions,
    last_months,
    month_of,
    month_series,
    share,
)
from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.dashboard import dashboard_figures
from silverplatter.services.ingest import ingest_events
from silverplatter.services.lifecycle import transition
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import consent_records, contacts

#: Mid-January, so the previous month is in the previous year.
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def at(
    year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- pure arithmetic ----------------------------------------------------------------------------


def test_months_roll_over_the_year_both_ways() -> None:
    assert add_months(at(2025, 12, 1, 0), 1) == at(2026, 1, 1, 0)
    assert add_months(at(2026, 1, 1, 0), -1) == at(2025, 12, 1, 0)
    assert add_months(at(2026, 1, 1, 0), -13) == at(2024, 12, 1, 0)
    assert add_months(at(2026, 1, 1, 0), 24) == at(2028, 1, 1, 0)


def test_a_month_is_the_utc_calendar_month() -> None:
    december = month_of(at(2025, 12, 31, 23, 59, 59))
    assert december == Month(at(2025, 12, 1, 0), at(2026, 1, 1, 0))
    assert december.label == "2025-12"
    # 1 January 01:00 in Helsinki is still 31 December in UTC.
    helsinki = timezone(timedelta(hours=2))
    assert month_of(datetime(2026, 1, 1, 1, 0, tzinfo=helsinki)) == december
    assert month_of(at(2026, 1, 1, 0)).label == "2026-01"


def test_the_last_months_end_with_the_current_one_oldest_first() -> None:
    months = last_months(NOW, 3)
    assert [month.label for month in months] == ["2025-11", "2025-12", "2026-01"]
    assert all(a.end == b.start for a, b in pairwise(months))
    assert months[-1] == Month(at(2026, 1, 1, 0), at(2026, 2, 1, 0))
    with pytest.raises(ValueError, match=r"^months: expected at least 1, got 0$"):
        last_months(NOW, 0)
    with pytest.raises(ValueError, match="naive datetime"):
        last_months(datetime(2026, 1, 15), 1)


def test_change_against_an_empty_month_is_none() -> None:
    assert change_percent(5, 0) is None
    assert change_percent(0, 0) is None
    assert change_percent(3, 2) == 50.0
    assert change_percent(0, 4) == -100.0
    assert change_percent(4, 4) == 0.0


def test_shares_of_nothing_are_none() -> None:
    assert share(1, 4) == 0.25
    assert share(0, 4) == 0.0
    assert share(0, 0) is None


def test_a_series_needs_one_older_month_in_front() -> None:
    months = last_months(NOW, 2)
    series = month_series(months, [0, 3, 6])
    assert [(p.month.label, p.count, p.change_percent) for p in series] == [
        ("2025-12", 3, None),
        ("2026-01", 6, 100.0),
    ]
    with pytest.raises(ValueError, match=r"^expected 3 counts for 2 months$"):
        month_series(months, [3, 6])


def test_conversion_counts_missing_stages_as_zero() -> None:
    steps = conversions({"lead": 4, "mql": 2}, {"lead": 2})
    assert [s.stage for s in steps] == list(FUNNEL[:-1])
    assert steps[0] == StageConversion("lead", "mql", 4, 2, 0.5)
    assert steps[1] == StageConversion("mql", "sql", 2, 0, 0.0)
    assert steps[2] == StageConversion("sql", "opportunity", 0, 0, None)


# --- the fixed world ----------------------------------------------------------------------------

PEOPLE = {
    # email: (created_at, on the account, title, seniority)
    "anna@acme.fi": (at(2025, 10, 20), True, "CEO", None),
    "bert@acme.fi": (at(2025, 12, 1, 0), True, None, "Director"),
    "cecilia@example.org": (at(2025, 12, 31, 23, 59, 59), False, None, None),
    "dan@acme.fi": (at(2026, 1, 1, 0), True, "Buyer", None),
    "eva@example.org": (at(2026, 1, 10), False, None, None),
    "frank@example.org": (at(2025, 6, 1), False, None, None),
    "gia@example.org": (at(2026, 1, 15, 11), False, None, None),
}


def _build_people(connection: Connection) -> dict[str, int]:
    upsert_accounts(connection, [AccountFields(name="Acme Oy", domain="acme.fi")], now=NOW)
    fields = [
        ContactFields(
            email=email,
            created_at=created,
            account_domain="acme.fi" if on_account else None,
            title=title,
            seniority=seniority,
        )
        for email, (created, on_account, title, seniority) in PEOPLE.items()
    ]
    upsert_contacts(connection, fields, now=NOW)
    # A blank title is no role.
    connection.execute(
        update(contacts).where(contacts.c.email == "cecilia@example.org").values(title="   ")
    )
    return {row.email.split("@")[0]: row.id for row in connection.execute(select(contacts))}


def _consent(connection: Connection, ids: dict[str, int]) -> None:
    rows: list[tuple[str | None, str, str, datetime]] = [
        ("anna", "email", "granted", at(2025, 10, 20)),
        ("anna", "email", "confirmed", at(2025, 10, 21)),
        ("bert", "email", "granted", at(2025, 12, 1)),
        ("cecilia", "email", "granted", at(2025, 12, 31)),
        ("cecilia", "email", "withdrawn", at(2026, 1, 2)),
        # Two records at the same instant: the later one written counts.
        ("dan", "email", "granted", at(2026, 1, 1)),
        ("dan", "email", "confirmed", at(2026, 1, 1)),
        ("eva", "sms", "granted", at(2026, 1, 10)),
        ("frank", "email", "granted", at(2025, 6, 1)),
        ("frank", "sms", "withdrawn", at(2025, 7, 1)),
        # The contact was deleted: the record stays, unattached.
        (None, "email", "granted", at(2025, 9, 1)),
    ]
    connection.execute(
        insert(consent_records),
        [
            {
                "contact_id": ids[who] if who else None,
                "channel": channel,
                "action": action,
                "source": "test",
                "occurred_at": when,
            }
            for who, channel, action, when in rows
        ],
    )


def _moves(connection: Connection, ids: dict[str, int]) -> None:
    moves = [
        ("anna", "lead", at(2025, 10, 25)),
        ("anna", "mql", at(2025, 11, 10)),
        ("anna", "sql", at(2025, 12, 2)),
        ("anna", "opportunity", at(2025, 12, 20)),
        ("anna", "customer", at(2026, 1, 5)),
        # Into MQL twice in December: one MQL that month.
        ("bert", "lead", at(2025, 12, 3)),
        ("bert", "mql", at(2025, 12, 10)),
        ("bert", "lead", at(2025, 12, 20)),
        ("bert", "mql", at(2025, 12, 28)),
        # MQL before lead: never moved from lead on to MQL.
        ("cecilia", "mql", at(2025, 12, 5)),
        ("cecilia", "lead", at(2025, 12, 15)),
        ("dan", "sql", at(2026, 1, 3)),
        ("eva", "lead", at(2026, 1, 8)),
        ("eva", "mql", at(2026, 1, 9)),
        # October is not shown, but the funnel counts it.
        ("frank", "mql", at(2025, 10, 25)),
    ]
    for who, stage, when in moves:
        transition(connection, ids[who], stage, reason="test", now=when, has_hard_cta=True)


def _grades(connection: Connection, ids: dict[str, int]) -> None:
    grades = {"anna": ("A+", 12), "bert": ("B-", 7), "cecilia": ("C+", 6)}
    connection.execute(
        insert(contact_scores),
        [
            {
                "contact_id": ids[who],
                "model_version": 1,
                "grade_level": level,
                "grade": grade,
                "score": 0.0,
                "evaluated_at": NOW,
                "sums": {},
                "flags": {},
                "engaged": False,
                "touches": 0,
                "recent_touches": [],
                "silent": False,
                "qualification": "subscriber",
                "needs_qualification": False,
            }
            for who, (grade, level) in grades.items()
        ],
    )


def _events(connection: Connection) -> None:
    def seen(who: str, when: datetime, channel: str | None, traffic: str | None) -> dict[str, Any]:
        subject = {"email": who} if "@" in who else {"visitor_id": who}
        return {
            "type": "page_view",
            "occurred_at": when.isoformat(),
            "channel": channel,
            "traffic": traffic,
            **subject,
        }

    items = [
        seen("anna@acme.fi", at(2026, 1, 10), "organic", "owned"),
        seen("anna@acme.fi", at(2026, 1, 12), "email", "owned"),
        seen("bert@acme.fi", at(2026, 1, 14), "linkedin_ads", "bought"),
        # Exactly 30 days before now: in the window; a minute earlier: out.
        seen("cecilia@example.org", at(2025, 12, 16, 12), "organic", "owned"),
        seen("cecilia@example.org", at(2025, 12, 16, 11, 59), "google_ads", "bought"),
        # An hour more than 90 days ago: not engaged.
        seen("dan@acme.fi", at(2025, 10, 17, 11), None, None),
        seen("eva@example.org", at(2025, 11, 20), "email", "owned"),
        seen("v-1", at(2026, 1, 13), "google_ads", "bought"),
        seen("v-1", at(2026, 1, 11), "organic", None),
        # Midnight on the 1st is January's.
        seen("v-2", at(2026, 1, 1, 0), "partner", "owned"),
        seen("v-2", at(2026, 1, 2), "partner", "owned"),
        seen("v-2", at(2026, 1, 3), "webinar", "owned"),
    ]
    result = ingest_events(connection, items, now=NOW, score=False)
    assert (result.accepted, result.errors) == (len(items), [])


def _world(connection: Connection) -> None:
    ids = _build_people(connection)
    _consent(connection, ids)
    _moves(connection, ids)
    _grades(connection, ids)
    _events(connection)


@contextmanager
def _statements(connection: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]).split()[0])

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", count)


def test_the_new_addresses_per_month_with_their_change(engine: Engine) -> None:
    with engine.begin() as connection:
        _world(connection)
        new = dashboard_figures(connection, now=NOW, months=3).new_addresses
    # October 1 (before the series), November 0, December 2, January 3 so far.
    assert (new.this_month, new.previous_month) == (3, 2)
    assert new.change_percent == 50.0
    assert [(p.month.label, p.count, p.change_percent) for p in new.by_month] == [
        ("2025-11", 0, -100.0),
        ("2025-12", 2, None),
        ("2026-01", 3, 50.0),
    ]


def test_the_list_size_and_quality(engine: Engine) -> None:
    with engine.begin() as connection:
        _world(connection)
        figures = dashboard_figures(connection, now=NOW, months=3)
    size, quality = figures.list_size, figures.list_quality
    # Consent: anna (confirmed), bert, dan (confirmed), frank; not cecilia (withdrew),
    # eva (SMS only) or gia (none).
    assert (size.contacts, size.with_consent, size.confirmed) == (7, 4, 2)
    assert (size.consent_share, size.confirmed_share) == (4 / 7, 0.5)
    assert (quality.contacts, quality.with_account, quality.with_role) == (7, 3, 3)
    # Engaged in 90 days: anna, bert, cecilia, eva; graded A/B: anna (A+), bert (B-).
    assert (quality.engaged, quality.graded, quality.graded_ab) == (4, 3, 2)
    assert quality.with_account_share == 3 / 7
    assert quality.with_role_share == 3 / 7
    assert quality.engaged_share == 4 / 7
    assert quality.graded_ab_share == 2 / 7


def test_mqls_and_sqls_per_month_and_the_funnel(engine: Engine) -> None:
    with engine.begin() as connection:
        _world(connection)
        figures = dashboard_figures(connection, now=NOW, months=3)
    assert [(q.month.label, q.mql, q.sql) for q in figures.qualified_by_month] == [
        ("2025-11", 1, 0),
        ("2025-12", 2, 1),
        ("2026-01", 1, 1),
    ]
    assert figures.conversions == (
        StageConversion("lead", "mql", 4, 3, 0.75),
        StageConversion("mql", "sql", 5, 1, 0.2),
        StageConversion("sql", "opportunity", 2, 1, 0.5),
        StageConversion("opportunity", "customer", 1, 1, 1.0),
    )


def test_owned_and_bought_traffic(engine: Engine) -> None:
    with engine.begin() as connection:
        _world(connection)
        traffic = dashboard_figures(connection, now=NOW, months=3).traffic
    assert (traffic.recent.owned, traffic.recent.bought, traffic.recent.untagged) == (6, 2, 1)
    assert traffic.recent.owned_share == 6 / 8
    assert [(m.month.label, m.owned, m.bought) for m in traffic.by_month] == [
        ("2025-11", 1, 0),
        ("2025-12", 1, 1),
        ("2026-01", 5, 2),
    ]
    assert traffic.top_channels == (
        ChannelCount("organic", 3, 2, 0),
        ChannelCount("partner", 2, 2, 0),
        ChannelCount("email", 1, 1, 0),
        ChannelCount("google_ads", 1, 0, 1),
        ChannelCount("linkedin_ads", 1, 0, 1),
    )


def test_the_figures_take_a_fixed_number_of_statements(engine: Engine) -> None:
    with engine.begin() as connection:
        _world(connection)
        with _statements(connection) as seen:
            figures = dashboard_figures(connection, now=NOW)
    assert len(figures.months) == 12
    assert figures.months[0].label == "2025-02"
    assert figures.as_of == NOW
    # Contacts, stage moves per month, the funnel (a WITH), events, top channels.
    assert seen == ["SELECT", "SELECT", "WITH", "SELECT", "SELECT"]


def test_an_empty_workspace_has_zeros_and_no_shares(engine: Engine) -> None:
    with engine.begin() as connection:
        figures = dashboard_figures(connection, now=NOW, months=1)
    assert [(p.month.label, p.count, p.change_percent) for p in figures.new_addresses.by_month] == [
        ("2026-01", 0, None)
    ]
    assert figures.list_size.consent_share is None
    assert figures.list_quality.engaged_share is None
    assert [(q.mql, q.sql) for q in figures.qualified_by_month] == [(0, 0)]
    assert all(step.reached == 0 and step.rate is None for step in figures.conversions)
    assert figures.traffic.recent.owned_share is None
    assert figures.traffic.top_channels == ()
    with pytest.raises(ValueError, match=r"^months: expected at least 1, got 0$"):
        dashboard_figures(connection, now=NOW, months=0)
