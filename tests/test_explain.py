"""Explanations on the fixed world: every number answers "why?", exactly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, select

from lead_world import NOW, build_world, event
from silverplatter.domain.qualification import Bant
from silverplatter.domain.records import AccountFields, ContactFields, OpportunityFields
from silverplatter.services.explain import explain_contact
from silverplatter.services.ingest import ingest_events
from silverplatter.services.opportunities import upsert_opportunities
from silverplatter.services.qualification import record_qualification
from silverplatter.services.reality_check import SimilarLeads, reality_check
from silverplatter.services.recompute import recompute
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import contacts
from test_scoring import EXPECTED_SCORES, SCRIPT, fade

World = tuple[Connection, dict[str, int]]


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    with engine.begin() as connection:
        ids = build_world(connection)
        yield connection, ids


@pytest.fixture
def scored(world: World) -> World:
    ingest_events(world[0], SCRIPT, now=NOW)
    return world


def _stored_scores(connection: Connection) -> dict[str, float]:
    rows = connection.execute(
        select(contacts.c.email, contact_scores.c.score).join(
            contacts, contacts.c.id == contact_scores.c.contact_id
        )
    )
    return {row.email: row.score for row in rows}


@pytest.mark.parametrize("path", ["incremental", "batch"])
def test_contributions_sum_to_the_engines_score(world: World, path: str) -> None:
    connection, _ids = world
    ingest_events(connection, SCRIPT, now=NOW, score=path == "incremental")
    if path == "batch":
        recompute(connection, now=NOW)
    stored = _stored_scores(connection)
    for email, expected in EXPECTED_SCORES.items():
        explanation = explain_contact(connection, email, now=NOW)
        total = sum(contribution.value for contribution in explanation.contributions)
        assert total == pytest.approx(stored.get(email, 0.0), abs=1e-9), email
        assert explanation.score == pytest.approx(expected, abs=1e-9), email
        assert explanation.engine_score == pytest.approx(expected, abs=1e-9), email


def test_a_later_moment_fades_every_contribution(scored: World) -> None:
    connection, _ids = scored
    later = explain_contact(connection, "director@pohja.fi", now=NOW + timedelta(days=45))
    assert [(c.rule, c.value) for c in later.contributions] == [
        ("downloaded a guide", pytest.approx(15 / 8, abs=1e-9))
    ]
    assert later.engine_score == pytest.approx(15 / 8, abs=1e-9)


def test_grade_breakdown_shows_each_criterion_in_thirds(scored: World) -> None:
    connection, _ids = scored
    ops = explain_contact(connection, "OPS@acme.fi", now=NOW)
    assert ops.grade == "A-" and ops.grade_start == "D"
    assert [(line.label, line.outcome, line.step) for line in ops.grade_lines] == [
        ("Target industry", "match", "+2/3"),
        ("Large company (revenue)", "match", "+1"),
        ("Mid-size company (employees)", "match", "+1/3"),
        ("Senior role", "mismatch", "0"),
        ("Operations, finance or IT", "match", "+1/3"),
        ("Nordic and Baltic markets", "match", "+1/3"),
    ]
    solo = explain_contact(connection, "solo@example.org", now=NOW)
    # No account, no department, no country: unknown; a specialist is not a senior role.
    assert [(line.value, line.outcome) for line in solo.grade_lines] == [
        (None, "unknown"),
        (None, "unknown"),
        (None, "unknown"),
        ("Specialist", "mismatch"),
        (None, "unknown"),
        (None, "unknown"),
    ]


def test_capped_buckets_show_raw_points_and_the_cap(scored: World) -> None:
    connection, _ids = scored
    ops = explain_contact(connection, "ops@acme.fi", now=NOW)
    assert [(c.rule, c.events, c.points) for c in ops.contributions] == [
        ("asked for contact, a demo or a quote", 1, 40.0),
        ("page_view", 7, 5.0),
    ]
    (bucket,) = ops.contributions[1].buckets
    assert bucket.period == "day" and bucket.capped
    assert datetime.fromtimestamp(bucket.starts_at, UTC) == datetime(2026, 5, 22, tzinfo=UTC)
    assert (bucket.events, bucket.raw, bucket.counted) == (7, 7.0, 5.0)
    assert bucket.value == pytest.approx(fade(5, 10.5, 45), abs=1e-12)
    buyer = explain_contact(connection, "buyer@kauppa.se", now=NOW)
    click = next(c for c in buyer.contributions if c.rule == "email_click")
    (week,) = click.buckets
    assert datetime.fromtimestamp(week.starts_at, UTC) == datetime(2026, 5, 11, tzinfo=UTC)
    assert (week.period, week.raw, week.counted, week.capped) == ("week", 6.0, 6.0, False)


def test_thresholds_met_and_missing_for_the_tier(scored: World) -> None:
    connection, _ids = scored
    ceo = explain_contact(connection, "ceo@acme.fi", now=NOW)
    assert ceo.tier == "gold" and ceo.account is not None
    assert (ceo.account.name, ceo.account.tier, ceo.account.owner) == (
        "Acme Machinery Oy",
        "gold",
        None,
    )
    assert ceo.thresholds_missing == {"mql": ("score 19.6 ≥ 20",), "sql": ("flag hard_cta",)}
    assert [check.text for check in ceo.sql if check.met] == [
        "score 19.6 ≥ 10",
        "seniority C-level is one of C-level",
    ]
    director = explain_contact(connection, "director@pohja.fi", now=NOW)
    assert director.thresholds_missing == {
        "mql": ("score 3.8 ≥ 35",),
        "sql": ("flag hard_cta", "BANT complete"),
    }


def test_next_step_in_words(scored: World) -> None:
    connection, ids = scored

    def step(email: str) -> str:
        return explain_contact(connection, email, now=NOW).next_step

    assert step("ops@acme.fi") == (
        "call within 1 working day: asked for contact, a demo or a quote yesterday; "
        "meets flag hard_cta, score 43.6 ≥ 10"
    )
    assert (
        step("ceo@acme.fi") == "re-qualify before handover: ask budget, authority, need, timeline"
    )
    assert (
        step("director@pohja.fi") == "route to outbound demand creation: well-fitting, but silent"
    )
    assert step("buyer@kauppa.se") == "nurture towards MQL (missing: score -44.2 ≥ 50; grade D ≥ B)"
    assert step("cfo@unknown.co.uk") == "nurture: no buying interest shown yet"
    record_qualification(
        connection, ids["ceo@acme.fi"], Bant(budget="200k", need="delivery"), user_id=None, now=NOW
    )
    ceo = explain_contact(connection, "ceo@acme.fi", now=NOW)
    assert ceo.bant is not None and ceo.bant.budget == "200k"
    assert ceo.bant_missing == ("authority (who decides)", "timeline (when they intend to buy)")
    assert ceo.next_step == "re-qualify before handover: ask authority, timeline"


def test_flags_silence_and_stage_history(scored: World) -> None:
    connection, _ids = scored
    director = explain_contact(connection, "director@pohja.fi", now=NOW)
    assert director.silent is True
    assert director.silence_reason == (
        "6 touches (email_sent) in the last 60 days and no reaction "
        "(email_open, email_click, page_view, form_submit) since 2026-03-03"
    )
    assert director.buying_window is None and director.bant is None
    ops = explain_contact(connection, "ops@acme.fi", now=NOW)
    assert ops.flags == ("hard_cta",) and not ops.silent
    assert (ops.qualification, ops.stage) == ("sql", "sql")
    assert [(r.from_stage, r.to_stage, r.actor) for r in ops.stage_history] == [
        ("subscriber", "sql", "rule")
    ]
    assert ops.reality_check is not None
    assert ops.reality_check.similar.words == "not enough history: 0 similar leads (need 20)"
    assert explain_contact(connection, "ceo@acme.fi", now=NOW).reality_check is None


def test_an_unknown_contact_is_a_lookup_error(world: World) -> None:
    with pytest.raises(LookupError, match=r"no contact 'nobody@example\.org'"):
        explain_contact(world[0], "nobody@example.org", now=NOW)


def _similar_leads(connection: Connection) -> None:
    """25 A-grade leads scoring 50–100; 13 of them became opportunities.

    The z people's account has an opportunity from before their own first
    events but after the world's earliest one: they did not convert.
    """
    upsert_accounts(
        connection,
        [
            AccountFields(
                name=f"Target {name}", domain=f"{name}.fi", industry="Electronics",
                annual_revenue=90_000_000, employees=800, country="FI", value_tier="gold",
            )
            for name in ("x", "y", "z")
        ],
        now=NOW - timedelta(days=400),
    )  # fmt: skip
    people = (
        [f"p{n}@x.fi" for n in range(10)]
        + [f"q{n}@y.fi" for n in range(12)]
        + [f"r{n}@z.fi" for n in range(3)]
    )
    upsert_contacts(
        connection,
        [
            ContactFields(
                email=email, seniority="C-level", department="Finance", country="FI",
                account_domain=email.split("@")[1],
            )
            for email in people
        ],
        now=NOW - timedelta(days=400),
    )  # fmt: skip
    # 25 · 2^(-10/45) + 40 · 2^(-1/45) = 60.8 points each, first event 10 days ago.
    ingest_events(
        connection,
        [event("meeting_held", email, 10) for email in people]
        + [event("form_submit", email, 1, cta="hard") for email in people],
        now=NOW,
    )
    upsert_opportunities(
        connection,
        [
            # Before the x people's first events, but naming p0: only p0 converted.
            OpportunityFields(
                name="X renewal", account_domain="x.fi", contact_email="p0@x.fi",
                stage="proposal", created_at=NOW - timedelta(days=100),
            ),
            # After the y people's first events: all twelve converted.
            OpportunityFields(
                name="Y new line", account_domain="y.fi", stage="discovery",
                created_at=NOW - timedelta(days=2),
            ),
            # Before the z people's first events (10 days ago), after ops@acme.fi's (30).
            OpportunityFields(
                name="Z upgrade", account_domain="z.fi", stage="discovery",
                created_at=NOW - timedelta(days=20),
            ),
        ],
        now=NOW,
    )  # fmt: skip


def test_reality_check_of_a_scripted_sql(world: World) -> None:
    connection, ids = world
    ops = "ops@acme.fi"
    ingest_events(
        connection,
        [
            event("email_sent", ops, 30),
            event("email_sent", ops, 23),
            event("webinar_attended", ops, 20),
            event("page_view", ops, 5, url="/pricing"),
        ],
        now=NOW - timedelta(days=2),
    )
    # The hard call to action makes the gold-tier contact SQL a day ago …
    ingest_events(connection, [event("form_submit", ops, 1, cta="hard")], now=NOW - timedelta(1))
    # … and a newsletter after that is not a touch before SQL.
    ingest_events(connection, [event("email_sent", ops, 0.5)], now=NOW)
    _similar_leads(connection)
    check = reality_check(connection, ids[ops], now=NOW)
    assert check.sql_at == NOW - timedelta(days=1) == check.measured_to
    assert check.first_touch_at == NOW - timedelta(days=30)
    assert check.days_to_sql == pytest.approx(29.0, abs=1e-9)
    assert check.touches_before_sql == 5
    assert check.law_of_29 == "5 of 29 touches (Law of 29)"
    assert check.cost == pytest.approx(2 * 0.02 + 35.0, abs=1e-9) and check.currency == "EUR"
    assert check.costed_events == 3
    assert check.uncosted_types == ("form_submit", "page_view")
    decision = fade(10, 5, 14) + fade(40, 1, 45)
    consideration = fade(12, 20, 45)
    awareness = fade(1, 5.5, 45)  # the page view's day started 5.5 days ago
    whole = decision + consideration + awareness
    assert check.buying_stage == "decision"
    assert check.stage_shares == {
        "awareness": pytest.approx(awareness / whole, abs=1e-12),
        "consideration": pytest.approx(consideration / whole, abs=1e-12),
        "decision": pytest.approx(decision / whole, abs=1e-12),
    }
    assert check.buying_stage_words == (
        "decision: choosing a supplier (awareness 2%, consideration 15%, decision 83% "
        "of the points)"
    )
    assert check.similar == SimilarLeads("A", "50–100", 25, 13)
    assert check.similar.share == pytest.approx(13 / 25)
    assert check.similar.words == "13 of 25 similar leads became opportunities (52%)"
    explained = explain_contact(connection, ops, now=NOW)
    assert explained.reality_check == check
    assert explained.bant is None and explained.buying_window is None
    assert date(2026, 5, 31) == check.measured_to.date()
