"""The contact page's read model on the fixed people world: exact figures, paging, scoping."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Connection, Engine

from lead_world import NOW
from people_world import build_people_world
from silverplatter.services.contact_view import (
    TIMELINE_PAGE,
    check_contact_visible,
    contact_page,
    timeline,
)

World = tuple[Connection, dict[str, int]]
SALES, ADMIN = 3, 1


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    ids = build_people_world(engine)
    with engine.connect() as connection:
        yield connection, ids


def fade(points: float, days: float, half_life: float = 45) -> float:
    return float(points * 2 ** (-days / half_life))


def test_the_header_and_the_explanation(world: World) -> None:
    connection, ids = world
    page = contact_page(connection, ids["ceo@acme.fi"], now=NOW, user_id=ADMIN, role="admin")
    assert page.name == "Aino Virtanen"
    assert (page.header.title, page.header.account_name, page.header.account_tier) == (
        "Chief Executive Officer",
        "Acme Machinery Oy",
        "gold",
    )
    assert page.header.owner_name is None and page.header.lifecycle_stage == "mql"
    explanation = page.explanation
    assert explanation.grade == "A+"
    assert [(c.rule, c.events) for c in explanation.contributions] == [
        ("pricing or demo page", 1),
        ("page_view", 23),
        ("email_click", 1),
        ("downloaded a guide", 1),
    ]
    # Capped rules fade from the start of their bucket: page views from midnight,
    # the click from Monday 2026-04-27, 35.5 days before NOW.
    assert explanation.score == pytest.approx(
        fade(10, 10, 14) + fade(1, 10.5) + sum(fade(1, 100.5 + day) for day in range(22))
        + fade(3, 35.5) + fade(15, 200),
        abs=1e-9,
    )  # fmt: skip
    assert [(m.from_stage, m.to_stage, m.by, m.reason) for m in page.stage_moves] == [
        ("subscriber", "mql", "the scoring rules", "mql criteria met")
    ]
    assert [(r.action, r.source) for r in page.consent] == [
        ("granted", "guide form"),
        ("confirmed", "double opt-in link"),
    ]
    assert explanation.bant is not None and explanation.bant.need == "faster deliveries"
    assert page.handover is None


def test_the_score_over_a_year_is_reconstructed_from_the_events(world: World) -> None:
    connection, ids = world
    page = contact_page(connection, ids["ceo@acme.fi"], now=NOW, user_id=ADMIN, role="admin")
    history = page.score_history
    assert len(history) == 52
    assert history[0].on == (NOW - timedelta(weeks=51)).date()
    assert history[-1].on == NOW.date()
    # Nothing before the guide download 200 days ago; then the guide alone, fading.
    assert [point.score for point in history[:23]] == [0.0] * 23
    assert history[23].score == pytest.approx(fade(15, 200 - 28 * 7), abs=1e-9)
    assert history[-1].score == pytest.approx(page.explanation.score, abs=1e-9)


def test_the_timeline_is_newest_first_with_points_and_pages_by_cursor(world: World) -> None:
    connection, ids = world
    ceo = ids["ceo@acme.fi"]
    first = contact_page(connection, ceo, now=NOW, user_id=ADMIN, role="admin").timeline
    assert len(first.entries) == TIMELINE_PAGE and first.older is not None
    top = first.entries[0]
    assert (top.words, top.detail, top.points, top.rules, top.capped) == (
        "Visited a page",
        "/pricing",
        11.0,
        ("page_view", "pricing or demo page"),
        True,
    )
    assert (first.entries[1].words, first.entries[1].points) == ("Clicked a link in an email", 3)
    assert [entry.detail for entry in first.entries[2:4]] == ["/blog/0", "/blog/1"]
    rest = timeline(connection, ceo, now=NOW, user_id=ADMIN, role="admin", before=first.older)
    assert rest.older is None
    assert [entry.detail for entry in rest.entries] == [
        "/blog/18", "/blog/19", "/blog/20", "/blog/21", "guide_download",
    ]  # fmt: skip
    guide = rest.entries[-1]
    assert (guide.words, guide.cta, guide.points, guide.rules) == (
        "Submitted a form", "soft", 15.0, ("downloaded a guide",),
    )  # fmt: skip


def test_a_cursor_from_another_contact_is_refused(world: World) -> None:
    connection, ids = world
    ceo = ids["ceo@acme.fi"]
    older = contact_page(connection, ceo, now=NOW, user_id=ADMIN, role="admin").timeline.older
    assert older is not None
    with pytest.raises(ValueError, match="before"):
        timeline(connection, ids["ops@acme.fi"], now=NOW, user_id=ADMIN, role="admin", before=older)
    quiet = timeline(connection, ids["ops@acme.fi"], now=NOW, user_id=ADMIN, role="admin")
    assert quiet.entries == () and quiet.older is None


def test_sales_sees_contacts_it_or_its_account_owns(world: World) -> None:
    connection, ids = world
    for email in ("ceo@acme.fi", "ops@acme.fi", "director@pohja.fi"):
        check_contact_visible(connection, ids[email], user_id=SALES, role="sales")
    with pytest.raises(LookupError):
        check_contact_visible(connection, ids["buyer@pohja.fi"], user_id=SALES, role="sales")
    with pytest.raises(LookupError):
        contact_page(connection, ids["buyer@pohja.fi"], now=NOW, user_id=SALES, role="sales")
    with pytest.raises(LookupError):
        timeline(connection, ids["buyer@pohja.fi"], now=NOW, user_id=SALES, role="sales")
    check_contact_visible(connection, ids["buyer@pohja.fi"], user_id=2, role="marketing")


def test_a_missing_contact_is_a_lookup_error(world: World) -> None:
    connection, _ids = world
    with pytest.raises(LookupError):
        contact_page(connection, 999, now=NOW, user_id=ADMIN, role="admin")
    with pytest.raises(LookupError):
        timeline(connection, 999, now=NOW, user_id=ADMIN, role="admin")
