"""Talking points on the sales queue: a person's strongest worries with what to say, on the
queue page's card and in the queue API (world of ``test_api_engine_world``)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine

from lead_world import NOW
from silverplatter.services.audit import Actor
from silverplatter.services.worries import add_tag, create_worry
from test_api_engine_world import JSON, World, build
from web_world import signed_in

# buyer@kauppa.se clicked /guides/x 20 days before NOW; the queue is read on Tuesday,
# 1 day and 3 hours after NOW: the read has faded for 21 days 3 hours of a 90-day half-life.
BUYER_VALUE = 2.0 ** (-(21 + 3 / 24) / 90)


@pytest.fixture
def world(engine: Engine, database_url: str) -> World:
    found = build(engine, database_url)
    with engine.begin() as connection:
        actor = Actor(None)
        create_worry(
            connection,
            {"name": "Integration", "talking_point": "Show the shop-floor integration video"},
            actor=actor,
            now=NOW,
        )
        add_tag(
            connection,
            "integration",
            {"kind": "url_pattern", "target": "/guides/*"},
            actor=actor,
            now=NOW,
        )
    return found


def test_the_card_in_the_api_and_on_the_page_carries_the_talking_point(world: World) -> None:
    client = signed_in(world.app, "sales")
    cards = {c["email"]: c for c in client.get("/api/v1/queue", headers=JSON).json()["items"]}
    assert cards["buyer@kauppa.se"]["talking_points"] == [
        {
            "worry": "integration",
            "name": "Integration",
            "talking_point": "Show the shop-floor integration video",
            "value": round(BUYER_VALUE, 4),
        }
    ]
    assert cards["ops@acme.fi"]["talking_points"] == []
    page = client.get("/queue", headers={"Accept": "text/html"}).text
    card = re.search(rf'id="card-{world.ids["buyer@kauppa.se"]}".*?</article>', page, flags=re.S)
    assert card is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", card.group(0)).split())
    assert "Talking points Integration : Show the shop-floor integration video" in text
