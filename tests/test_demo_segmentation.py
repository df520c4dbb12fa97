"""The demo's segmentation: a policy, three needs segments, the matrix and care models,
consistent with the tiers and needs segments the generator wrote."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select

from silverplatter.services.demo import generate_demo
from silverplatter.services.demo.catalogue import value_tier_for
from silverplatter.services.demo.content import SEGMENT_OF_WORRY
from silverplatter.services.demo.segmentation import ensure_demo_segmentation
from silverplatter.services.needs_segments import list_needs_segments
from silverplatter.services.segments import count_members, segment_by_slug
from silverplatter.services.tier_matrix import NO_NEEDS, care_models, offer_matrix, pyramid
from silverplatter.services.value_tiers import current_policy, preview_policy
from silverplatter.storage.schema import accounts

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_demo_gets_a_pyramid_consistent_with_its_accounts(engine: Engine) -> None:
    generate_demo(engine, contacts=300, seed=7, now=NOW)
    with engine.begin() as connection:
        made = ensure_demo_segmentation(connection, now=NOW)
        assert made == [
            "segment worried-about-delivery",
            "segment worried-about-costs",
            "segment growing-and-integrating",
            "needs segments and offer matrix",
            "value-tier policy",
            "gold care model",
            "silver care model",
            "bronze care model",
            "unclassified care model",
        ]
        assert ensure_demo_segmentation(connection, now=NOW) == []
        needs = list_needs_segments(connection)
        assert [n.name for n in needs] == list(dict.fromkeys(SEGMENT_OF_WORRY.values()))
        for n in needs:
            segment = segment_by_slug(connection, n.segment_slug or "")
            assert segment is not None
            assert count_members(connection, segment, now=NOW, store_it=False) > 0
        rows = connection.execute(
            select(accounts.c.value_tier, accounts.c.needs_segment, accounts.c.annual_revenue)
        ).all()
        # every needs segment the generator wrote is one of the demo's needs segments
        assert {row.needs_segment for row in rows} <= {n.name for n in needs} | {None}
        found = pyramid(connection)
        assert found.accounts == len(rows)
        assert found.column_total(
            NO_NEEDS, ("gold", "silver", "bronze", "unclassified")
        ).accounts == (sum(1 for row in rows if row.needs_segment is None))
        # the policy is the generator's own rule: only the prospects it left
        # unclassified ("not looked at yet") would move
        policy = current_policy(connection)
        assert policy is not None and policy.applied_at is None
        preview = preview_policy(connection, policy.policy, now=NOW)
        expected = sum(
            1
            for row in rows
            if row.value_tier == "unclassified"
            and value_tier_for(row.annual_revenue) != "unclassified"
        )
        assert expected > 0
        assert preview.moving == expected
        assert {m.before for m in preview.moves if m.before != m.after} == {"unclassified"}
        matrix = offer_matrix(connection)
        assert len(matrix.cells) == 9
        gold = matrix.cell("gold", "delivery-reliability")
        assert gold.modules == (
            "ERP core (the basic offer)",
            "Delivery planning",
            "Shop-floor tracking",
            "Silver: quarterly process review",
            "Gold: tailored roadmap with an on-site team",
        )
        care = care_models(connection)
        assert [(t, c.touches_per_year, c.owner_role) for t, c in care.items()] == [
            ("gold", 24, "sales"),
            ("silver", 12, "sales"),
            ("bronze", 6, "marketing"),
            ("unclassified", 4, "marketing"),
        ]
