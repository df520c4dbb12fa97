"""Worry profiles after a scripted reading history: kept as events are scored, rebuilt from
the event log with the same values, rolled up to the account, read faded to a moment.

The history (half-life 10 days, day 0 = 2026-01-01 00:00 UTC):

anna  day 0   page_view /pricing                              cost      +1
anna  day 10  content_download tco-benchmark (magnet 3, content 2)  cost +3 (largest)
anna  day 10  page_view /guides/delivery-delays               delivery  +1
anna  day 20  email_click nurture-delivery to https://seller.example/guides/delivery-times?x=1
              (e-mail tag 0.5, page pattern 1 on the path)    delivery  +1 (largest)
anna  day 25  email_sent nurture-delivery                     nothing (not reading)
ben   day 15  email_open nurture-delivery                     delivery  +0.5

Seen at day 30:
anna cost      = 1·2^-3 + 3·2^-2          = 0.125 + 0.75  = 0.875  (valid at day 10: 3.5)
anna delivery  = 1·2^-2 + 1·2^-1          = 0.25 + 0.5    = 0.75   (valid at day 20: 1.5)
ben delivery   = 0.5·2^-1.5               = 0.1767766952966369
Nordtek cost   = 0.875; Nordtek delivery = 0.75 + 0.1767766952966369 = 0.9267766952966369
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.domain.segment_rules import RuleInvalid
from silverplatter.services.audit import Actor
from silverplatter.services.ingest import ingest_events
from silverplatter.services.needs_segments import assign_needs_segments, create_needs_segment
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.services.segments import compiled, create_segment, draft_of
from silverplatter.services.worries import add_tag, create_worry
from silverplatter.services.worry_profiles import (
    account_worries_at,
    contact_worries_at,
    recompute_worry_profiles,
    talking_points,
)
from silverplatter.settings import get_settings
from silverplatter.storage.schema import accounts, contacts
from silverplatter.storage.understanding_schema import account_worries, contact_worries

DAY0 = datetime(2026, 1, 1, tzinfo=UTC)
NOW = DAY0 + timedelta(days=30)
ACTOR = Actor(None)
BEN_DELIVERY = 0.5 * 2**-1.5


@pytest.fixture(autouse=True)
def ten_day_half_life(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SILVERPLATTER_WORRY_HALF_LIFE_DAYS", "10")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _day(days: float) -> str:
    return (DAY0 + timedelta(days=days)).isoformat()


def _event(kind: str, who: str, day: float, **properties: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "email": f"{who}@nordtek.fi",
        "occurred_at": _day(day),
        "properties": properties,
    }


HISTORY = [
    _event("page_view", "anna", 0, url="/pricing"),
    _event("content_download", "anna", 10, lead_magnet="tco-benchmark", content_id="tco-benchmark"),
    _event("page_view", "anna", 10, url="/guides/delivery-delays"),
    _event(
        "email_click",
        "anna",
        20,
        campaign_id="nurture-delivery",
        url="https://seller.example/guides/delivery-times?x=1",  # a click records the address
    ),
    _event("email_sent", "anna", 25, campaign_id="nurture-delivery"),
    _event("email_open", "ben", 15, campaign_id="nurture-delivery"),
]


def _world(engine: Engine) -> dict[str, int]:
    with engine.begin() as connection:
        upsert_accounts(connection, [AccountFields(name="Nordtek", domain="nordtek.fi")], now=NOW)
        upsert_contacts(
            connection,
            [
                ContactFields(email="anna@nordtek.fi", account_domain="nordtek.fi"),
                ContactFields(email="ben@nordtek.fi", account_domain="nordtek.fi"),
            ],
            now=NOW,
        )
        ids = {row.email.split("@")[0]: row.id for row in connection.execute(select(contacts))}
        ids["nordtek"] = connection.execute(select(accounts.c.id)).scalar_one()
    return ids


def _tag_everything(engine: Engine) -> None:
    with engine.begin() as connection:
        cost = create_worry(
            connection,
            {"name": "Cost control", "talking_point": "Offer the TCO benchmark walkthrough"},
            actor=ACTOR,
            now=DAY0,
        )
        delivery = create_worry(
            connection,
            {"name": "Delivery reliability", "talking_point": "Ask about late deliveries"},
            actor=ACTOR,
            now=DAY0,
        )
        for slug, kind, target, weight in (
            (cost.slug, "url_pattern", "/pricing*", 1),
            (cost.slug, "lead_magnet", "tco-benchmark", 3),
            (cost.slug, "content", "tco-benchmark", 2),
            (delivery.slug, "url_pattern", "/guides/delivery-*", 1),
            (delivery.slug, "email", "nurture-delivery", 0.5),
        ):
            add_tag(
                connection,
                slug,
                {"kind": kind, "target": target, "weight": weight},
                actor=ACTOR,
                now=DAY0,
            )


def _values(engine: Engine, ids: dict[str, int]) -> dict[tuple[str, str], float]:
    found: dict[tuple[str, str], float] = {}
    with engine.connect() as connection:
        for who in ("anna", "ben"):
            for line in contact_worries_at(connection, ids[who], now=NOW):
                found[(who, line.slug)] = line.value
        for line in account_worries_at(connection, ids["nordtek"], now=NOW):
            found[("nordtek", line.slug)] = line.value
    return found


EXPECTED = {
    ("anna", "cost-control"): 0.875,
    ("anna", "delivery-reliability"): 0.75,
    ("ben", "delivery-reliability"): BEN_DELIVERY,
    ("nordtek", "cost-control"): 0.875,
    ("nordtek", "delivery-reliability"): 0.75 + BEN_DELIVERY,
}


def _stored(engine: Engine) -> list[tuple[int, float, datetime]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                contact_worries.c.contact_id, contact_worries.c.value, contact_worries.c.valid_at
            ).order_by(contact_worries.c.contact_id, contact_worries.c.worry_id)
        ).all()
    return [(cid, value, at) for cid, value, at in rows]


def test_scored_events_keep_the_profiles_and_a_recompute_gives_the_same(engine: Engine) -> None:
    ids = _world(engine)
    _tag_everything(engine)
    with engine.begin() as connection:
        # Out of order and in three batches: the early page view arrives last.
        for batch in (HISTORY[2:4], HISTORY[4:] + HISTORY[1:2], HISTORY[:1]):
            result = ingest_events(connection, batch, now=NOW)
            assert result.errors == []
    assert _values(engine, ids) == pytest.approx(EXPECTED, rel=1e-12)
    kept = _stored(engine)
    assert [(cid, round(value, 12), at) for cid, value, at in kept] == [
        (ids["anna"], 3.5, DAY0 + timedelta(days=10)),
        (ids["anna"], 1.5, DAY0 + timedelta(days=20)),
        (ids["ben"], 0.5, DAY0 + timedelta(days=15)),
    ]
    with engine.begin() as connection:
        done = recompute_worry_profiles(connection, now=NOW)
    assert (done.worries, done.contacts) == (2, 3)
    rebuilt = _stored(engine)
    assert [(cid, at) for cid, _v, at in rebuilt] == [(cid, at) for cid, _v, at in kept]
    assert [v for _c, v, _a in rebuilt] == pytest.approx([v for _c, v, _a in kept], rel=1e-12)
    assert _values(engine, ids) == pytest.approx(EXPECTED, rel=1e-12)
    with engine.connect() as connection:
        rolled = connection.execute(
            select(account_worries.c.value, account_worries.c.valid_at).order_by(
                account_worries.c.worry_id
            )
        ).all()
    # Nordtek's delivery is valid at anna's day 20: 1.5 + 0.5·2^-0.5.
    assert [(round(v, 12), at) for v, at in rolled] == [
        (3.5, DAY0 + timedelta(days=10)),
        (round(1.5 + 0.5 * 2**-0.5, 12), DAY0 + timedelta(days=20)),
    ]


def test_tagging_content_later_counts_what_people_read_before(engine: Engine) -> None:
    ids = _world(engine)
    with engine.begin() as connection:
        assert ingest_events(connection, HISTORY, now=NOW).errors == []
    assert _values(engine, ids) == {}
    _tag_everything(engine)
    assert _values(engine, ids) == pytest.approx(EXPECTED, rel=1e-12)


def test_talking_points_are_the_strongest_worries_with_what_to_say(engine: Engine) -> None:
    ids = _world(engine)
    _tag_everything(engine)
    with engine.begin() as connection:
        ingest_events(connection, HISTORY, now=NOW)
    with engine.connect() as connection:
        found = talking_points(connection, [ids["anna"], ids["ben"]], now=NOW)
        one = talking_points(connection, [ids["anna"]], now=NOW, limit=1)
    assert {
        cid: [(line.name, line.talking_point) for line in lines] for cid, lines in found.items()
    } == {
        ids["anna"]: [
            ("Cost control", "Offer the TCO benchmark walkthrough"),
            ("Delivery reliability", "Ask about late deliveries"),
        ],
        ids["ben"]: [("Delivery reliability", "Ask about late deliveries")],
    }
    assert [line.slug for line in one[ids["anna"]]] == ["cost-control"]


def test_a_half_life_passed_in_overrides_the_setting(engine: Engine) -> None:
    ids = _world(engine)
    _tag_everything(engine)
    with engine.begin() as connection:
        ingest_events(connection, HISTORY, now=NOW)
        recompute_worry_profiles(connection, now=NOW, half_life_days=20)
        lines = contact_worries_at(connection, ids["ben"], now=NOW, half_life_days=20)
    # 0.5 at day 15, seen at day 30 with a 20-day half-life: 0.5·2^-0.75.
    assert [line.value for line in lines] == pytest.approx([0.5 * 2**-0.75], rel=1e-12)


def test_segment_rules_ask_about_a_worry_faded_to_now(engine: Engine) -> None:
    _world(engine)
    _tag_everything(engine)
    with engine.begin() as connection:
        ingest_events(connection, HISTORY, now=NOW)

    def members(field: str, op: str, value: Any) -> list[str]:
        rule = {"field": field, "op": op, "value": value}
        with engine.connect() as connection:
            found = connection.execute(
                compiled(connection, rule, now=NOW).contact_ids().order_by(contacts.c.id)
            ).scalars()
            names = {row.id: row.email for row in connection.execute(select(contacts))}
        return [names[cid].split("@")[0] for cid in found]

    # anna 0.875 on cost; anna 0.75 and ben 0.177 on delivery; Nordtek 0.927 on delivery.
    assert members("contact.worry.cost-control", "gte", 0.875) == ["anna"]
    assert members("contact.worry.cost-control", "gt", 0.875) == []
    # No value counts as 0: ben has none of cost control.
    assert members("contact.worry.cost-control", "lt", 0.5) == ["ben"]
    assert members("contact.worry.delivery-reliability", "between", [0.1, 0.2]) == ["ben"]
    assert members("account.worry.delivery-reliability", "gte", 0.92) == ["anna", "ben"]
    assert members("contact.worry.cost-control", "gte", 0) == ["anna", "ben"]
    with engine.connect() as connection, pytest.raises(RuleInvalid, match="unknown field"):
        compiled(connection, {"field": "contact.worry.nope", "op": "gte", "value": 1}, now=NOW)
    with engine.connect() as connection, pytest.raises(RuleInvalid, match="takes gte, gt"):
        compiled(
            connection, {"field": "contact.worry.cost-control", "op": "equals", "value": 1}, now=NOW
        )


def test_needs_segments_are_defined_by_worries_and_follow_them_as_they_fade(
    engine: Engine,
) -> None:
    """Two needs segments, each a segment of people whose worry is at least 0.5; Nordtek
    as above, Aalto's eva read the pricing page on day 28, Birch's finn opened the delivery
    mail on day 0.

    Day 30: Nordtek delivery — anna 0.75 → "Delivery reliability" (listed first, and anna
    has only 0.875 on cost); Aalto cost — eva 2^-0.2 = 0.871 → "Cost control"; Birch
    delivery — finn 0.5·2^-3 = 0.0625 → none.
    Day 40: anna's delivery 0.75/2 = 0.375 and ben's 0.088 fall below 0.5, her cost
    0.4375 too; eva's cost 2^-1.2 = 0.435 — nobody is left in either segment.
    """
    _world(engine)
    _tag_everything(engine)
    later = NOW + timedelta(days=10)
    with engine.begin() as connection:
        upsert_accounts(
            connection,
            [AccountFields(name="Aalto", domain="aalto.fi"), AccountFields(name="Birch")],
            now=NOW,
        )
        upsert_contacts(
            connection,
            [
                ContactFields(email="eva@aalto.fi", account_domain="aalto.fi"),
                ContactFields(email="finn@birch.fi", account_name="Birch"),
            ],
            now=NOW,
        )
        reads = [
            *HISTORY,
            {**_event("page_view", "eva", 28, url="/pricing"), "email": "eva@aalto.fi"},
            {
                **_event("email_open", "finn", 0, campaign_id="nurture-delivery"),
                "email": "finn@birch.fi",
            },
        ]
        assert ingest_events(connection, reads, now=NOW).errors == []
        for slug, worry in (
            ("delivery-worriers", "delivery-reliability"),
            ("cost-watchers", "cost-control"),
        ):
            rule = {"field": f"contact.worry.{worry}", "op": "gte", "value": 0.5}
            create_segment(
                connection,
                draft_of({"slug": slug, "name": slug.capitalize(), "rule": rule}),
                actor=ACTOR,
                now=NOW,
            )
        create_needs_segment(
            connection, {"name": "Delivery reliability", "segment": "delivery-worriers"}, now=NOW
        )
        create_needs_segment(
            connection, {"name": "Cost control", "segment": "cost-watchers"}, now=NOW
        )
        first = assign_needs_segments(connection, now=NOW, actor=ACTOR)
        placed = dict(connection.execute(select(accounts.c.name, accounts.c.needs_segment)).all())
        again = assign_needs_segments(connection, now=later, actor=ACTOR)
        faded = dict(connection.execute(select(accounts.c.name, accounts.c.needs_segment)).all())
    assert placed == {"Nordtek": "Delivery reliability", "Aalto": "Cost control", "Birch": None}
    assert (first.moved, first.accounts) == (
        2,
        {"Delivery reliability": 1, "Cost control": 1, "": 1},
    )
    assert faded == {"Nordtek": None, "Aalto": None, "Birch": None}
    assert (again.moved, again.accounts) == (
        2,
        {"Delivery reliability": 0, "Cost control": 0, "": 3},
    )
