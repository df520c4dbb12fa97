"""The demo's worries with their content tags, needs grid and Kano study: made once; the
worry profiles kept as new reading is scored equal what a recompute gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from silverplatter.services.demo import generate_demo
from silverplatter.services.demo.research import ensure_demo_research
from silverplatter.services.ingest import ingest_events
from silverplatter.services.kano_studies import kano_result
from silverplatter.services.need_grids import grid_result
from silverplatter.services.worry_profiles import recompute_worry_profiles
from silverplatter.storage.schema import contacts
from silverplatter.storage.understanding_schema import contact_worries

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _profiles(engine: Engine) -> list[tuple[int, int, float]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                contact_worries.c.contact_id, contact_worries.c.worry_id, contact_worries.c.value
            ).order_by(contact_worries.c.contact_id, contact_worries.c.worry_id)
        )
        return [(cid, wid, value) for cid, wid, value in rows]


def test_the_demo_gets_worries_a_grid_and_a_kano_study(engine: Engine) -> None:
    generate_demo(engine, contacts=300, seed=7, now=NOW)
    with engine.begin() as connection:
        made = ensure_demo_research(connection, now=NOW)
        assert made == [
            "worry delivery-reliability",
            "worry cost-control",
            "worry integration",
            "worry production-visibility",
            "worry ageing-systems",
            "worry growth",
            "worry compliance",
            "needs grid erp-buyers",
            "Kano study erp-features-2026",
        ]
        assert ensure_demo_research(connection, now=NOW) == []
        _grid, result = grid_result(connection, "erp-buyers")
        kano = kano_result(connection, "erp-features-2026")
        people = connection.execute(select(func.count()).select_from(contact_worries)).scalar_one()
    assert (result.internal.raters, result.customer.raters) == (6, 12)
    assert sorted(result.departments) == ["Customer service", "Marketing", "Sales"]
    # Inside, we lead; customers rank us below the two largest vendors.
    inside = {name: s.mean for name, s in result.internal.totals.items()}
    outside = {name: s.mean for name, s in result.customer.totals.items()}
    assert max(inside, key=lambda name: inside[name]) == "Us"
    assert outside["Us"] < min(outside["Kelo Systems"], outside["Norrsken Software"])
    assert (kano.study.respondents, kano.study.answers, kano.segments) == (
        30,
        210,
        ("Enterprise", "SMB"),
    )
    assert {r.feature: r.category for r in kano.features}["Single sign-on"] == "M"
    assert people > 100
    # New reading, scored as it arrives, out of order: the kept values must equal a rebuild.
    with engine.begin() as connection:
        emails = connection.execute(select(contacts.c.email).order_by(contacts.c.id).limit(5))
        items = [
            {
                "type": kind,
                "email": email,
                "occurred_at": (NOW - timedelta(days=days)).isoformat(),
                "properties": properties,
            }
            for email in emails.scalars()
            for kind, days, properties in (
                ("page_view", 3, {"url": "/guides/delivery-delays"}),
                ("content_download", 40, {"content_id": "benchmark-erp-tco"}),
                ("email_click", 1, {"url": "/blog/when-to-replace-your-erp"}),
            )
        ]
        assert ingest_events(connection, items, now=NOW).errors == []
    kept = _profiles(engine)
    with engine.begin() as connection:
        recompute_worry_profiles(connection, now=NOW)
    again = _profiles(engine)
    assert [(c, w) for c, w, _v in again] == [(c, w) for c, w, _v in kept]
    assert [v for _c, _w, v in again] == pytest.approx([v for _c, _w, v in kept], rel=1e-12)
