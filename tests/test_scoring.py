"""Golden tests of the lead engine on a fixed world: exact grades, scores, flags and stages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Connection, Engine, select

from lead_world import NOW, build_world, event
from silverplatter.domain.model_file import default_model_text
from silverplatter.domain.qualification import Bant
from silverplatter.services.ingest import ingest_events
from silverplatter.services.qualification import record_qualification
from silverplatter.services.recompute import recompute
from silverplatter.services.scoring_models import save_model
from silverplatter.storage.engagement_schema import account_scores, contact_scores
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import accounts, contacts

DAY_SECONDS = 86_400.0

SCRIPT = [
    # ceo@acme: a pricing page 3 days ago (10 points, half-life 14 d) — the page view
    # itself also scores 1 point (half-life 45 d), counted from the start of its day.
    event("page_view", "ceo@acme.fi", 3, url="/pricing"),
    event("page_view", "ceo@acme.fi", 2, url="/demo"),
    # ops@acme: seven blog views on one day, 10 days ago: capped at 5 points that day.
    *[event("page_view", "ops@acme.fi", 10 - hour / 24, url=f"/blog/{hour}") for hour in range(7)],
    # ops@acme: asked for a demo yesterday: 40 points and the hard_cta flag.
    event("form_submit", "ops@acme.fi", 1, cta="hard", form="demo_request"),
    # director@pohja: downloaded a guide 90 days ago — two half-lives: 15 → 3.75.
    event("form_submit", "director@pohja.fi", 90, cta="soft", form="guide_download"),
    # director@pohja: six newsletters in the last 60 days, no reaction: silent.
    *[event("email_sent", "director@pohja.fi", days) for days in (5, 12, 19, 26, 33, 40)],
    # buyer@kauppa: clicked twice, then unsubscribed.
    event("email_click", "buyer@kauppa.se", 20, url="/guides/x"),
    event("email_click", "buyer@kauppa.se", 20, url="/guides/y"),
    event("email_unsubscribe", "buyer@kauppa.se", 2),
    # Acme: an executive appointed (account-level trigger event, 20 points).
    event("executive_appointed", "@acme.fi", 45),
]


def fade(points: float, days: float, half_life: float) -> float:
    return points * 2.0 ** (-days / half_life)


EXPECTED_SCORES = {
    "ceo@acme.fi": fade(10, 3, 14) + fade(1, 3.5, 45) + fade(10, 2, 14) + fade(1, 2.5, 45),
    "ops@acme.fi": fade(5, 10.5, 45) + fade(40, 1, 45),
    "director@pohja.fi": 3.75,
    # Clicks are capped per ISO week: they fade from Monday 2026-05-11 00:00, 21.5 days back.
    "buyer@kauppa.se": fade(6, 21.5, 45) + fade(-50, 2, 45),
    "cfo@unknown.co.uk": 0.0,
    "solo@example.org": 0.0,
}


@pytest.fixture
def world(engine: Engine) -> Iterator[tuple[Connection, dict[str, int]]]:
    with engine.begin() as connection:
        ids = build_world(connection)
        yield connection, ids


def _scores(connection: Connection, ids: dict[str, int]) -> dict[str, object]:
    rows = connection.execute(
        select(contact_scores, contacts.c.email, contacts.c.lifecycle_stage).join(
            contacts, contacts.c.id == contact_scores.c.contact_id
        )
    )
    return {row.email: row for row in rows}


@pytest.mark.parametrize("path", ["incremental", "batch"])
def test_scripted_sequence_gives_exact_grades_scores_flags_and_stages(
    world: tuple[Connection, dict[str, int]], path: str
) -> None:
    connection, ids = world
    result = ingest_events(connection, SCRIPT, now=NOW, score=path == "incremental")
    assert result.accepted == len(SCRIPT) and result.errors == []
    if path == "batch":
        recompute(connection, now=NOW)
    rows = _scores(connection, ids)
    scored = {email: rows[email] for email in EXPECTED_SCORES if email in rows}
    for email, expected in EXPECTED_SCORES.items():
        if email in scored:
            assert scored[email].score == pytest.approx(expected, abs=1e-9), email
        else:  # never touched by an event: nothing stored yet
            assert expected == 0.0
    assert {email: row.grade for email, row in scored.items()} | {} == {
        email: grade
        for email, grade in {
            "ceo@acme.fi": "A+",
            "ops@acme.fi": "A-",
            "director@pohja.fi": "B",
            "buyer@kauppa.se": "D",
            "cfo@unknown.co.uk": "D+",
            "solo@example.org": "D",
        }.items()
        if email in scored
    }
    ops = scored["ops@acme.fi"]
    # Times inside the state documents are whole microseconds since the epoch.
    assert ops.flags == {"hard_cta": int((NOW - timedelta(days=1)).timestamp()) * 1_000_000}
    assert ops.qualification == "sql" and ops.lifecycle_stage == "sql"
    # Gold tier, C-level with score >= 10 meets SQL, but without a hard CTA or BANT
    # the CEO stays MQL and is marked for re-qualification.
    ceo = scored["ceo@acme.fi"]
    assert (ceo.qualification, ceo.needs_qualification, ceo.lifecycle_stage) == (
        "mql",
        True,
        "mql",
    )
    director = scored["director@pohja.fi"]
    assert director.silent is True and director.touches == 6
    assert (director.qualification, director.lifecycle_stage) == ("lead", "lead")
    buyer = scored["buyer@kauppa.se"]
    assert (buyer.silent, buyer.qualification, buyer.lifecycle_stage) == (
        False,
        "lead",
        "lead",
    )
    acme = connection.execute(
        select(account_scores).join(accounts).where(accounts.c.domain == "acme.fi")
    ).one()
    assert acme.own_score == pytest.approx(fade(20, 45, 45), abs=1e-9)
    assert acme.contacts_score == pytest.approx(
        EXPECTED_SCORES["ceo@acme.fi"] + EXPECTED_SCORES["ops@acme.fi"], abs=1e-9
    )
    assert acme.engaged_contacts == 1  # only ops@acme reaches 20 points
    assert list(acme.roles_covered) == []  # a champion is not one of the model's roles


def test_bant_turns_a_ready_contact_into_sql(world: tuple[Connection, dict[str, int]]) -> None:
    connection, ids = world
    ingest_events(connection, SCRIPT, now=NOW)
    record_qualification(
        connection,
        ids["ceo@acme.fi"],
        Bant(budget="200k", authority="decides", need="delivery", timeline=date(2026, 9, 1)),
        user_id=None,
        now=NOW,
    )
    later = NOW + timedelta(hours=1)
    ingest_events(connection, [event("page_view", "ceo@acme.fi", 0, url="/about")], now=later)
    ceo = _scores(connection, ids)["ceo@acme.fi"]
    assert (ceo.qualification, ceo.needs_qualification, ceo.lifecycle_stage) == (
        "sql",
        False,
        "sql",
    )
    moves = connection.execute(
        select(stage_transitions.c.from_stage, stage_transitions.c.to_stage)
        .where(stage_transitions.c.contact_id == ids["ceo@acme.fi"])
        .order_by(stage_transitions.c.id)
    ).all()
    assert [tuple(move) for move in moves] == [("subscriber", "mql"), ("mql", "sql")]


def test_decay_over_ninety_days_and_silence_ending(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, ids = world
    ingest_events(connection, SCRIPT, now=NOW)
    # 90 days on, a recompute sees every point two half-lives (45 d) older…
    later = NOW + timedelta(days=90)
    recompute(connection, now=later)
    rows = _scores(connection, ids)
    assert rows["director@pohja.fi"].score == pytest.approx(15 / 16, abs=1e-9)
    assert rows["ops@acme.fi"].score == pytest.approx(
        fade(5, 100.5, 45) + fade(40, 91, 45), abs=1e-9
    )
    # …the newsletters have left the 60-day window, so the director is no longer silent,
    assert rows["director@pohja.fi"].silent is False
    # and the hard CTA flag (90 days) has lapsed: ops@acme falls back below SQL.
    assert rows["ops@acme.fi"].flags == {
        "hard_cta": int((NOW - timedelta(days=1)).timestamp()) * 1_000_000
    }
    assert rows["ops@acme.fi"].qualification == "lead"


PRICING_CLICK = """
[[engagement.rules]]
name = "clicked through to pricing"
event = "email_click"
url_matches = "/pricing*"
points = 8
half_life_days = 14
"""


@pytest.mark.parametrize("path", ["incremental", "batch"])
def test_a_click_on_a_full_address_meets_a_path_rule(
    world: tuple[Connection, dict[str, int]], path: str
) -> None:
    """A click in our mail records the whole address; the rule's pattern is a path.  Both
    clicks are Saturday 2026-05-30 12:00; the capped click rule (3 points, half-life 45 d)
    fades from Monday 2026-05-25 00:00, 7.5 days back; the pricing rule (8 points,
    half-life 14 d) from the click, 2 days back."""
    connection, ids = world
    save_model(connection, default_model_text() + PRICING_CLICK, now=NOW)
    clicks = [
        event(
            "email_click",
            "director@pohja.fi",
            2,
            url="https://seller.example/pricing/enterprise?utm_source=nurture#plans",
        ),
        # /blog/pricing-myths is not /pricing*, whatever its query says
        event(
            "email_click",
            "buyer@kauppa.se",
            2,
            url="https://seller.example/blog/pricing-myths?next=/pricing",
        ),
    ]
    result = ingest_events(connection, clicks, now=NOW, score=path == "incremental")
    assert result.errors == []
    if path == "batch":
        recompute(connection, now=NOW)
    rows = _scores(connection, ids)
    assert rows["director@pohja.fi"].score == pytest.approx(
        fade(3, 7.5, 45) + fade(8, 2, 14), abs=1e-9
    )
    assert rows["director@pohja.fi"].score == pytest.approx(9.918485, abs=1e-6)
    assert rows["buyer@kauppa.se"].score == pytest.approx(fade(3, 7.5, 45), abs=1e-9)
