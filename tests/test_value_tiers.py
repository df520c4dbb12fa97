"""Value tiers as a service: save with history and audit, preview and apply with exact counts,
and the lead engine's reaction to a tier change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select

import lead_world
from silverplatter.domain.value_tiers import PolicyInvalid
from silverplatter.services.audit import Actor
from silverplatter.services.ingest import ingest_events
from silverplatter.services.recompute import change_model
from silverplatter.services.value_tiers import (
    apply_policy,
    current_policy,
    policy_history,
    preview_policy,
    save_policy,
)
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import accounts, contacts
from tiers_world import NOW, build, tiers_and_needs

ACTOR = Actor(None, "192.0.2.7")
DEFAULT_MODEL = Path(__file__).parents[1] / "src/silverplatter/domain/default_model.toml"
PERCENTILES = {
    "metric": "annual_revenue",
    "method": "percentiles",
    "bounds": {"gold": 10, "silver": 20, "bronze": 30},
}
REVENUE = {
    "metric": "revenue_with_us",
    "method": "thresholds",
    "bounds": {"gold": 300_000, "silver": 100_000, "bronze": 10_000},
}


@pytest.fixture
def world(engine: Engine) -> Iterator[tuple[Connection, dict[str, int]]]:
    with engine.begin() as connection:
        yield connection, build(connection)


def _matrix(preview: Any) -> dict[tuple[str, str], int]:
    return {(move.before, move.after): move.accounts for move in preview.moves}


def test_a_percentile_preview_counts_the_moves_and_changes_nothing(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    policy = save_policy(connection, PERCENTILES, now=NOW, actor=ACTOR).policy
    before = tiers_and_needs(connection)
    preview = preview_policy(connection, policy, now=NOW)
    # 7 accounts have an annual revenue: gold 1 place (900 M), silver up to place 3
    # (120 M: Birch and Harbor), bronze up to place 5 (45 M: Cedar and Dune).
    assert (preview.accounts, preview.with_value) == (8, 7)
    assert {tier: int(cut) for tier, cut in preview.cut_offs.items()} == {
        "gold": 900_000_000,
        "silver": 120_000_000,
        "bronze": 45_000_000,
    }
    assert _matrix(preview) == {
        ("gold", "gold"): 1,
        ("silver", "silver"): 2,
        ("silver", "bronze"): 1,
        ("bronze", "bronze"): 1,
        ("bronze", "unclassified"): 1,
        ("unclassified", "unclassified"): 2,
    }
    assert preview.moving == 2
    assert preview.before == {"gold": 1, "silver": 3, "bronze": 2, "unclassified": 2}
    assert preview.after == {"gold": 1, "silver": 2, "bronze": 2, "unclassified": 3}
    assert preview.count("silver", "bronze") == 1
    assert tiers_and_needs(connection) == before


def test_applying_moves_exactly_the_previewed_accounts(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, ids = world
    save_policy(connection, PERCENTILES, now=NOW, actor=ACTOR)
    done = apply_policy(connection, now=NOW + timedelta(minutes=5), actor=ACTOR)
    assert done.preview.moving == 2
    assert _matrix(done.preview) == {
        ("gold", "gold"): 1,
        ("silver", "silver"): 2,
        ("silver", "bronze"): 1,
        ("bronze", "bronze"): 1,
        ("bronze", "unclassified"): 1,
        ("unclassified", "unclassified"): 2,
    }
    assert {name: tier for name, (tier, _needs) in tiers_and_needs(connection).items()} == {
        "Aalto": "gold",
        "Birch": "silver",
        "Cedar": "bronze",
        "Dune": "bronze",
        "Elm": "unclassified",
        "Fjord": "unclassified",
        "Grove": "unclassified",
        "Harbor": "silver",
    }
    # only the accounts that moved were touched
    touched = connection.execute(
        select(accounts.c.name).where(accounts.c.updated_at == NOW + timedelta(minutes=5))
    ).scalars()
    assert sorted(touched) == ["Cedar Oy", "Elm Oy"]
    # their five people were evaluated again (no model rule reads them: no stage moves)
    assert (done.requalified.accounts, done.requalified.contacts) == (2, 5)
    assert done.requalified.stage_changes == 0
    assert current_policy(connection).applied_at == NOW + timedelta(minutes=5)  # type: ignore[union-attr]
    again = apply_policy(connection, now=NOW + timedelta(minutes=6), actor=ACTOR)
    assert again.preview.moving == 0 and again.requalified.contacts == 0
    assert ids["Cedar"] > 0


def test_ties_across_a_cut_take_the_higher_tier(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    # 20 % of 7 = 1.4 → 2 places; the value at place 2 is 120 M, shared by Birch and
    # Harbor: both gold, so gold holds three accounts.
    document = {"metric": "annual_revenue", "method": "percentiles", "bounds": {"gold": 20}}
    save_policy(connection, document, now=NOW, actor=ACTOR)
    apply_policy(connection, now=NOW, actor=ACTOR)
    gold = sorted(n for n, (tier, _x) in tiers_and_needs(connection).items() if tier == "gold")
    assert gold == ["Aalto", "Birch", "Harbor"]


def test_revenue_with_us_counts_won_deals_in_the_window(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    policy = save_policy(connection, REVENUE, now=NOW, actor=ACTOR).policy
    preview = preview_policy(connection, policy, now=NOW)
    assert preview.with_value == 5  # Cedar's win is 30 months old
    apply_policy(connection, now=NOW, actor=ACTOR)
    assert {name: tier for name, (tier, _n) in tiers_and_needs(connection).items()} == {
        "Aalto": "gold",  # 400k
        "Birch": "silver",  # 100k + 50k won, the lost 75k not counted
        "Cedar": "unclassified",
        "Dune": "silver",  # 200k
        "Elm": "unclassified",
        "Fjord": "bronze",  # 20k
        "Grove": "silver",  # 150k won, the open deal not counted
        "Harbor": "unclassified",
    }
    # a window of 36 months reaches Cedar's 80k
    longer = save_policy(connection, {**REVENUE, "months": 36}, now=NOW, actor=ACTOR)
    assert preview_policy(connection, longer.policy, now=NOW).with_value == 6
    apply_policy(connection, now=NOW, actor=ACTOR)
    assert tiers_and_needs(connection)["Cedar"][0] == "bronze"


def test_a_custom_number_property_can_be_the_metric(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    document = {
        "metric": "custom:potential",
        "method": "thresholds",
        "bounds": {"gold": 8, "silver": 5, "bronze": 1},
    }
    policy = save_policy(connection, document, now=NOW, actor=ACTOR).policy
    preview = preview_policy(connection, policy, now=NOW)
    assert preview.with_value == 4
    assert preview.after == {"gold": 1, "silver": 2, "bronze": 1, "unclassified": 4}


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        ("custom:budget", "there is no account property 'budget'; define it first"),
        (
            "custom:note",
            "the account property 'note' holds text values; a tier needs a number property",
        ),
        ("custom:topic", "there is no account property 'topic'; define it first"),
    ],
)
def test_a_custom_metric_must_be_a_number_property_of_accounts(
    world: tuple[Connection, dict[str, int]], metric: str, message: str
) -> None:
    connection, _ids = world
    document = {"metric": metric, "method": "thresholds", "bounds": {"gold": 1}}
    with pytest.raises(PolicyInvalid) as caught:
        save_policy(connection, document, now=NOW, actor=ACTOR)
    assert [(e.field, e.message) for e in caught.value.errors] == [("metric", message)]
    assert current_policy(connection) is None


def test_saved_policies_keep_their_history_and_are_audited(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    save_policy(connection, REVENUE, now=NOW, actor=ACTOR)
    save_policy(connection, PERCENTILES, now=NOW + timedelta(hours=1), actor=ACTOR)
    apply_policy(connection, now=NOW + timedelta(hours=2), actor=ACTOR)
    history = policy_history(connection)
    assert [(v.policy.method, v.created_at, v.applied_at) for v in history] == [
        ("percentiles", NOW + timedelta(hours=1), NOW + timedelta(hours=2)),
        ("thresholds", NOW, None),
    ]
    entries = connection.execute(
        select(
            audit_log.c.action, audit_log.c.subject, audit_log.c.details, audit_log.c.ip_address
        ).order_by(audit_log.c.id)
    ).all()
    first, second = history[1].id, history[0].id
    assert [(e.action, e.subject, e.ip_address) for e in entries] == [
        ("value_tiers.policy_saved", f"value-tier policy {first}", "192.0.2.7"),
        ("value_tiers.policy_saved", f"value-tier policy {second}", "192.0.2.7"),
        ("value_tiers.applied", f"value-tier policy {second}", "192.0.2.7"),
    ]
    assert entries[0].details == {
        "policy": "revenue with us (won deals, last 24 months): gold from 300,000, "
        "silver from 100,000, bronze from 10,000",
        "method": "thresholds",
        "gold": 300_000,
        "silver": 100_000,
        "bronze": 10_000,
        "months": 24,
    }
    assert entries[2].details == {
        "policy": "annual revenue: gold the top 10 %, silver the next 20 %, bronze the next 30 %",
        "accounts_moved": 2,
        "moves": {"bronze->unclassified": 1, "silver->bronze": 1},
        "contacts_requalified": 5,
        "stage_changes": 0,
    }


def test_applying_without_a_policy_is_refused(world: tuple[Connection, dict[str, int]]) -> None:
    connection, _ids = world
    with pytest.raises(LookupError, match="no value-tier policy has been saved yet"):
        apply_policy(connection, now=NOW, actor=ACTOR)


def test_a_tier_change_moves_the_stages_its_thresholds_call_for(engine: Engine) -> None:
    """Acme drops from gold to silver: its CEO no longer meets MQL (silver asks 35 points)."""
    now = lead_world.NOW
    with engine.begin() as connection:
        emails = lead_world.build_world(connection)
        script = [
            lead_world.event("page_view", "ceo@acme.fi", 3, url="/pricing"),
            lead_world.event("page_view", "ceo@acme.fi", 2, url="/demo"),
            lead_world.event("form_submit", "ops@acme.fi", 1, cta="hard", form="demo"),
        ]
        ingest_events(connection, script, now=now)
        stages = _stages(connection)
        assert (stages["ceo@acme.fi"], stages["ops@acme.fi"]) == ("mql", "sql")
        document = {
            "metric": "annual_revenue",
            "method": "thresholds",
            "bounds": {"gold": 100_000_000, "silver": 10_000_000, "bronze": 1_000_000},
        }
        save_policy(connection, document, now=now, actor=ACTOR)
        done = apply_policy(connection, now=now + timedelta(hours=1), actor=ACTOR)
        assert _matrix(done.preview) == {
            ("gold", "silver"): 1,
            ("silver", "silver"): 1,
            ("bronze", "bronze"): 1,
            ("unclassified", "unclassified"): 1,
        }
        assert (done.requalified.accounts, done.requalified.contacts) == (1, 2)
        assert done.requalified.stage_changes == 1
        stages = _stages(connection)
        # the CEO falls back to lead; ops still meets silver's SQL (grade B and a hard CTA)
        assert (stages["ceo@acme.fi"], stages["ops@acme.fi"]) == ("lead", "sql")
        moved = connection.execute(
            select(stage_transitions.c.from_stage, stage_transitions.c.to_stage).where(
                stage_transitions.c.contact_id == emails["ceo@acme.fi"],
                stage_transitions.c.occurred_at == now + timedelta(hours=1),
            )
        ).all()
        assert [tuple(row) for row in moved] == [("mql", "lead")]
        evaluated = connection.execute(
            select(contact_scores.c.evaluated_at).where(
                contact_scores.c.contact_id == emails["director@pohja.fi"]
            )
        ).scalar()
        assert evaluated is None  # pohja did not move: never evaluated


def _stages(connection: Connection) -> dict[str, str]:
    rows = connection.execute(select(contacts.c.email, contacts.c.lifecycle_stage))
    return {row.email: row.lifecycle_stage for row in rows}


def test_a_grading_that_reads_the_tier_regrades_the_people_that_moved(engine: Engine) -> None:
    """A model giving bronze accounts' people a letter more: Kauppa leaves bronze, its buyer
    goes back from C to D."""
    now = lead_world.NOW
    source = DEFAULT_MODEL.read_text(encoding="utf-8").replace(
        "# ---- Engagement",
        '[[grading.criteria]]\nfield = "account.value_tier"\nin = ["bronze"]\nmatch = "+1"\n\n'
        "# ---- Engagement",
        1,
    )
    with engine.begin() as connection:
        emails = lead_world.build_world(connection)
        change_model(connection, source, now=now)
        assert _grades(connection)["buyer@kauppa.se"] == "C"
        document = {
            "metric": "annual_revenue",
            "method": "thresholds",
            "bounds": {"gold": 50_000_000, "silver": 10_000_000, "bronze": 6_000_000},
        }
        save_policy(connection, document, now=now, actor=ACTOR)
        done = apply_policy(connection, now=now, actor=ACTOR)
        assert _matrix(done.preview)[("bronze", "unclassified")] == 1
        grades = _grades(connection)
        assert (grades["buyer@kauppa.se"], grades["ceo@acme.fi"]) == ("D", "A+")
        assert emails["buyer@kauppa.se"] > 0


def _grades(connection: Connection) -> dict[str, str]:
    rows = connection.execute(
        select(contacts.c.email, contact_scores.c.grade).join(
            contact_scores, contact_scores.c.contact_id == contacts.c.id
        )
    )
    return {row.email: row.grade for row in rows}
