"""The tracking summary: exact figures on fixed views, as the service, the API and the page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from silverplatter.domain.dashboard import ChannelCount
from silverplatter.domain.records import ContactFields
from silverplatter.services.ingest import ingest_events
from silverplatter.services.records import upsert_contacts
from silverplatter.services.stitching import stitch_visitor
from silverplatter.services.tracking_summary import tracking_summary
from web_world import NOW, seed_users, signed_in, web_app

# NOW is 2026-03-02 09:00 UTC: "today" is 2 March, the window 1 February – 2 March.
TODAY = datetime(2026, 3, 2, tzinfo=UTC)


def _view(n: int, at: datetime, visitor: str, channel: str | None, traffic: str | None) -> Any:
    return {
        "type": "page_view",
        "occurred_at": at.isoformat(),
        "visitor_id": visitor,
        "channel": channel,
        "traffic": traffic,
        "idempotency_key": f"view-{n}",
        "properties": {"url": "/"},
    }


def _world(engine: Engine) -> None:
    seed_users(engine)
    views = [
        # today: 3 views
        _view(1, NOW - timedelta(hours=1), "visitor-a", "paid_search", "bought"),
        _view(2, TODAY, "visitor-a", "paid_search", "bought"),
        _view(3, NOW, "visitor-b", "organic_search", "owned"),
        # yesterday: 2 views (one a second before midnight)
        _view(4, TODAY - timedelta(seconds=1), "visitor-b", "organic_search", "owned"),
        _view(5, TODAY - timedelta(hours=20), "visitor-c", "direct", "owned"),
        # the window's first day, and a view before the window
        _view(6, TODAY - timedelta(days=29), "visitor-c", "email", "owned"),
        _view(7, TODAY - timedelta(days=29, seconds=1), "visitor-old", "email", "owned"),
        # an untagged view from the API
        _view(8, NOW - timedelta(days=3), "visitor-d", None, None),
    ]
    other = {
        "type": "email_open",
        "occurred_at": NOW.isoformat(),
        "visitor_id": "visitor-a",
        "idempotency_key": "open-1",
    }
    with engine.begin() as connection:
        ingest_events(connection, [*views, other], now=NOW)
        upsert_contacts(connection, [ContactFields(email="anna@buyer.fi")], now=NOW)
        stitch_visitor(connection, visitor_id="visitor-a", contact_id=1, now=NOW)


def test_the_summary_counts_exactly(engine: Engine) -> None:
    _world(engine)
    with engine.connect() as connection:
        found = tracking_summary(connection, now=NOW)
    assert (found.today, found.views) == (3, 7)
    assert found.days[0].day == date(2026, 2, 1) and found.days[-1].day == date(2026, 3, 2)
    assert [d.views for d in found.days] == [1] + [0] * 25 + [1, 0, 2, 3]
    assert (found.owned, found.bought, found.untagged) == (4, 2, 1)
    assert (found.owned_share, found.bought_share) == (4 / 6, 2 / 6)
    assert found.identified_views == 2
    assert found.channels == (
        ChannelCount("organic_search", 2, 2, 0),
        ChannelCount("paid_search", 2, 0, 2),
        ChannelCount("direct", 1, 1, 0),
        ChannelCount("email", 1, 1, 0),
        ChannelCount("unknown", 1, 0, 0),
    )
    assert (found.visitors, found.identified_visitors) == (4, 1)
    assert found.identified_visitor_share == 0.25


def test_an_empty_workspace_has_no_shares(engine: Engine) -> None:
    seed_users(engine)
    with engine.connect() as connection:
        found = tracking_summary(connection, now=NOW)
    assert (found.today, found.views, found.channels, found.visitors) == (0, 0, (), 0)
    assert (found.owned_share, found.identified_visitor_share) == (None, None)


def test_the_api_and_the_page_show_the_figures(engine: Engine, database_url: str) -> None:
    _world(engine)
    application = web_app(engine, database_url)
    client = signed_in(application, "marketing")
    answer = client.get("/api/v1/tracking/summary")
    assert answer.status_code == 200
    body = answer.json()
    assert {key: body[key] for key in ("today", "views", "owned", "bought", "untagged")} == {
        "today": 3,
        "views": 7,
        "owned": 4,
        "bought": 2,
        "untagged": 1,
    }
    assert body["channels"][0] == {"channel": "organic_search", "views": 2, "owned": 2, "bought": 0}
    assert body["days"][-1] == {"day": "2026-03-02", "views": 3}
    assert (body["identified_visitors"], body["identified_visitor_share"]) == (1, 0.25)
    assert body["dropped"] == {
        "since": "2026-03-02T09:00:00Z",
        "bots": 0,
        "declined": 0,
        "limited": 0,
    }
    page = client.get("/tracking")
    assert page.status_code == 200
    text = page.text
    assert "<dt>Today</dt><dd>3</dd>" in text
    assert "<dt>Last 30 days</dt><dd>7</dd>" in text
    assert '1 <span class="muted">25%</span>' in text
    assert "Owned 67%" in text and "Bought 33%" in text
    assert '<th scope="row">Paid search</th><td>2</td><td>0</td><td>2</td>' in text
    assert (
        "&lt;script async src=&#34;http://127.0.0.1:8000/capture/track.js&#34; "
        "data-consent=&#34;granted&#34;&gt;&lt;/script&gt;"
    ) in text
    assert 'aria-current="page">Tracking</a>' in text


def test_salespeople_do_not_see_tracking(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = signed_in(web_app(engine, database_url), "sales")
    assert client.get("/tracking").status_code == 403
    assert client.get("/api/v1/tracking/summary").status_code == 403
