"""The tracking endpoint: validation, bots, channels, idempotent re-sends, known visitors."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from silverplatter.domain.records import ContactFields
from silverplatter.services.ingest import ingest_events
from silverplatter.services.records import upsert_contacts
from silverplatter.services.scoring_backlog import backlog_size, score_backlog
from silverplatter.services.signing import signer_for
from silverplatter.services.stitching import stitch_visitor
from silverplatter.settings import Settings
from silverplatter.storage.capture_schema import visitors
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import contacts, events
from silverplatter.web import problems
from silverplatter.web.app import create_app
from silverplatter.web.capture.tracking import SNIPPET, tracking_of
from silverplatter.web.capture.tracking import router as tracking_router
from silverplatter.web.templating import make_templates
from web_world import NOW, Clock, seed_users

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
VISITOR = "5f0c6a1e9b2d4c7a8e3f1b0d2c4a6e8f"
MS = int(NOW.timestamp() * 1000)


def _client(engine: Engine, database_url: str, **settings: Any) -> tuple[TestClient, Clock]:
    seed_users(engine)
    clock = Clock()
    application = create_app(
        Settings(database_url=database_url, public_url="https://app.seller.example/", **settings),
        engine,
        clock=clock,
    )
    return TestClient(application, headers={"User-Agent": BROWSER}), clock


def _view(**overrides: Any) -> dict[str, Any]:
    return {
        "visitor_id": VISITOR,
        "url": "https://www.seller.example/pricing",
        "title": "Pricing",
        "referrer": "",
        "id": "view-1",
        "ts": MS - 2000,
        **overrides,
    }


def _post(client: TestClient, body: Any) -> Any:
    return client.post(
        "/capture/t", content=json.dumps(body), headers={"Content-Type": "text/plain"}
    )


def _events(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                events.c.type,
                events.c.visitor_id,
                events.c.contact_id,
                events.c.channel,
                events.c.traffic,
                events.c.occurred_at,
                events.c.properties,
            ).order_by(events.c.id)
        ).all()
    return [tuple(row) for row in rows]


def test_a_view_is_stored_with_its_channel_and_properties(
    engine: Engine, database_url: str
) -> None:
    client, _clock = _client(engine, database_url)
    url = (
        "https://www.seller.example/pricing?utm_source=google&utm_medium=cpc"
        "&utm_campaign=spring&gclid=Cj0&sp_c=forged"
    )
    answer = _post(client, _view(url=url, referrer="https://www.google.com/"))
    assert answer.status_code == 204, answer.text
    assert answer.headers["access-control-allow-origin"] == "*"
    assert _events(engine) == [
        (
            "page_view",
            VISITOR,
            None,
            "paid_search",
            "bought",
            NOW - timedelta(seconds=2),
            {
                "url": "/pricing",
                "address": "https://www.seller.example/pricing?utm_source=google&utm_medium=cpc"
                "&utm_campaign=spring&gclid=Cj0",
                "title": "Pricing",
                "referrer": "https://www.google.com/",
                "utm": {"source": "google", "medium": "cpc", "campaign": "spring"},
                "click_id": {"gclid": "Cj0"},
            },
        )
    ]
    with engine.connect() as connection:
        visitor = connection.execute(select(visitors)).one()
    assert tuple(visitor) == (
        VISITOR,
        None,
        NOW - timedelta(seconds=2),
        NOW - timedelta(seconds=2),
        None,
    )


def test_inside_views_inherit_the_landing_and_odd_client_clocks_read_now(
    engine: Engine, database_url: str
) -> None:
    client, _clock = _client(engine, database_url)
    landing = {
        "url": "https://seller.example/?utm_source=linkedin&utm_medium=paid_social",
        "referrer": "https://www.linkedin.com/",
    }
    inside = _view(
        url="https://seller.example/blog/crm",
        referrer="https://seller.example/",
        id="view-2",
        ts=MS + 3_600_000,  # an hour in the future: the client's clock is wrong
        landing=landing,
    )
    direct = _view(url="https://seller.example/about", id="view-3", ts=None)
    assert _post(client, {"views": [inside, direct]}).status_code == 204
    stored = [(row[3], row[4], row[5], row[6].get("landing")) for row in _events(engine)]
    assert stored == [
        ("paid_social", "bought", NOW, landing["url"]),
        ("direct", "owned", NOW, None),
    ]


def test_a_resent_view_is_stored_once(engine: Engine, database_url: str) -> None:
    client, clock = _client(engine, database_url)
    assert _post(client, _view()).status_code == 204
    clock.advance(seconds=30)
    assert _post(client, _view()).status_code == 204
    assert _post(client, _view(id=None, ts=MS - 1000)).status_code == 204
    assert _post(client, _view(id=None, ts=MS - 1000)).status_code == 204
    assert len(_events(engine)) == 2
    with engine.connect() as connection:
        visitor = connection.execute(select(visitors)).one()
    assert (visitor.first_seen_at, visitor.last_seen_at) == (
        NOW - timedelta(seconds=2),
        NOW - timedelta(seconds=1),
    )


def test_invalid_views_are_refused_naming_the_field(engine: Engine, database_url: str) -> None:
    client, _clock = _client(engine, database_url)
    cases = [
        (_view(visitor_id="x"), 422, "visitor_id"),
        (_view(url="ftp://seller.example/"), 422, "url"),
        (_view(url="/relative"), 422, "url"),
        (_view(ts="yesterday"), 422, "ts"),
        (_view(title="t" * 1001), 422, "title"),
        ({"views": [_view(), _view(url="nope")]}, 422, "views[1].url"),
        ({"views": [_view(id=f"v{n}") for n in range(51)]}, 422, "views"),
        ({"views": []}, 422, "views"),
        ([1, 2], 422, "body"),
    ]
    for body, status, name in cases:
        answer = _post(client, body)
        assert (answer.status_code, answer.json()["errors"][0]["field"]) == (status, name), body
        assert answer.headers["content-type"] == "application/problem+json"
    garbled = client.post("/capture/t", content=b"{not json")
    assert (garbled.status_code, garbled.json()["errors"][0]["field"]) == (400, "body")
    huge = client.post("/capture/t", content=b"x" * (64 * 1024 + 1))
    assert huge.status_code == 413
    assert _events(engine) == []


def test_bots_and_do_not_track_are_dropped_and_counted(engine: Engine, database_url: str) -> None:
    client, _clock = _client(engine, database_url)
    googlebot = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}
    for headers in (googlebot, {"User-Agent": ""}, {"DNT": "1"}, {"Sec-GPC": "1"}):
        answer = client.post("/capture/t", content=json.dumps(_view()), headers=headers)
        assert answer.status_code == 204
    dropped = tracking_of(client.app).dropped  # type: ignore[arg-type]
    assert (dropped.bots, dropped.declined, dropped.since) == (2, 2, NOW)
    assert _events(engine) == []


def test_the_rate_limit_holds_per_address(engine: Engine, database_url: str) -> None:
    client, clock = _client(engine, database_url, tracking_rate_limit=3)
    answers = [_post(client, _view(id=f"v{n}")).status_code for n in range(4)]
    assert answers == [204, 204, 204, 429]
    limited = _post(client, _view(id="v9"))
    assert int(limited.headers["retry-after"]) == 60
    clock.advance(seconds=61)
    assert _post(client, _view(id="v10")).status_code == 204
    assert len(_events(engine)) == 4
    assert tracking_of(client.app).dropped.limited == 2  # type: ignore[arg-type]


def test_preflight_and_the_snippet(engine: Engine, database_url: str) -> None:
    client, _clock = _client(engine, database_url)
    preflight = client.options("/capture/t")
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-methods"] == "POST, OPTIONS"
    script = client.get("/capture/track.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["cache-control"] == "public, max-age=3600"
    assert '"https://app.seller.example/capture/t"' in script.text
    assert "__SP_URL__" not in script.text
    assert len(script.content) < 3 * 1024


def _contact(engine: Engine, email: str) -> int:
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email=email, title="CFO")], now=NOW)
        return int(
            connection.execute(
                select(contacts.c.id).where(contacts.c.email_key == email)
            ).scalar_one()
        )


def test_a_known_visitors_view_joins_the_contact_and_is_scored(
    engine: Engine, database_url: str
) -> None:
    client, _clock = _client(engine, database_url)
    anna = _contact(engine, "anna@buyer.fi")
    with engine.begin() as connection:
        stitch_visitor(connection, visitor_id=VISITOR, contact_id=anna, now=NOW)
    assert _post(client, _view()).status_code == 204
    assert [(row[1], row[2]) for row in _events(engine)] == [(VISITOR, anna)]
    with engine.begin() as connection:
        assert backlog_size(connection) == 1
        assert score_backlog(connection, now=NOW).scored == 1
        score = connection.execute(
            select(contact_scores.c.score).where(contact_scores.c.contact_id == anna)
        ).scalar_one()
    assert round(score, 2) == 10.99  # a page view and the pricing page's intent


def test_a_mail_link_token_identifies_the_visitor_and_stitches_earlier_views(
    engine: Engine, database_url: str
) -> None:
    client, _clock = _client(engine, database_url)
    anna = _contact(engine, "anna@buyer.fi")
    for n in range(3):
        _post(client, _view(id=f"early-{n}", url=f"https://seller.example/blog/{n}"))
    with engine.connect() as connection:
        signer = signer_for(connection)
    forged = _view(id="forged", token=signer.sign("unsubscribe", {"c": anna}, now=NOW))
    assert _post(client, forged).status_code == 204
    assert {row[2] for row in _events(engine)} == {None}
    token = signer.sign("tracking", {"c": anna}, now=NOW)
    assert (
        _post(
            client, _view(id="from-mail", url=f"https://seller.example/?sp_c={token}", token=token)
        ).status_code
        == 204
    )
    stored = _events(engine)
    assert [(row[2], row[3]) for row in stored] == [(anna, "direct")] * 4 + [(anna, "email")]
    assert stored[-1][6]["address"] == "https://seller.example/"
    with engine.connect() as connection:
        assert backlog_size(connection) == 5
        visitor = connection.execute(select(visitors)).one()
    assert (visitor.contact_id, visitor.identified_at) == (anna, NOW)


def test_the_events_the_api_ingests_for_a_visitor_are_stitched_too(
    engine: Engine, database_url: str
) -> None:
    _client(engine, database_url)
    anna = _contact(engine, "anna@buyer.fi")
    with engine.begin() as connection:
        ingest_events(
            connection,
            [{"type": "page_view", "occurred_at": NOW.isoformat(), "visitor_id": VISITOR}],
            now=NOW,
        )
        assert stitch_visitor(connection, visitor_id=VISITOR, contact_id=anna, now=NOW) == 1


def test_the_route_follows_the_same_rules_without_the_fast_path(
    engine: Engine, database_url: str
) -> None:
    seed_users(engine)
    bare = FastAPI()
    bare.include_router(tracking_router)
    problems.install(bare)
    bare.state.engine = engine
    bare.state.settings = Settings(database_url=database_url, tracking_rate_limit=0)
    bare.state.clock = Clock()
    bare.state.templates = make_templates()
    client = TestClient(bare, headers={"User-Agent": BROWSER})
    assert _post(client, _view()).status_code == 204
    refused = _post(client, _view(url="nope"))
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "url")
    bot = client.post("/capture/t", content=b"{}", headers={"User-Agent": "Googlebot/2.1"})
    assert bot.status_code == 204
    huge = client.post("/capture/t", content=b"x" * (64 * 1024 + 1))
    assert huge.status_code == 413
    assert tracking_of(bare).dropped.bots == 1
    assert [(row[1], row[3]) for row in _events(engine)] == [(VISITOR, "direct")]


def test_the_snippet_is_small_and_calls_nothing_but_the_app() -> None:
    source = SNIPPET.read_text(encoding="utf-8")
    assert len(source.encode("utf-8")) < 3 * 1024  # served as written: no minifier needed
    assert re.findall(r"https?://", source) == []  # its only address is the app's, filled in
    assert source.count("__SP_URL__") == 1
    for promise in ("sendBeacon", "keepalive", "doNotTrack", "globalPrivacyControl", "sp_vid"):
        assert promise in source
    assert ";SameSite=Lax" in source and "cookie(v, 31536000)" in source  # a year
