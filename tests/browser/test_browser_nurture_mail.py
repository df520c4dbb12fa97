"""The template editor and a broadcast's page in a browser, on the demo workspace: the
preview as a contact in its sandboxed frame, the figures and the hourly chart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, update

from silverplatter.services import broadcasts
from silverplatter.services.audit import Actor
from silverplatter.services.email_templates import TemplateDraft, create_template
from silverplatter.services.ingest import ingest_events
from silverplatter.services.segments import SegmentDraft, create_segment
from silverplatter.storage.engine import make_engine
from silverplatter.storage.nurture_schema import mail_sends
from silverplatter.storage.schema import contacts

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
HTML = """<html><body style="font-family: sans-serif">
<h1>Hello {{ contact.first_name | default("there") }}</h1>
<p>Three ways {{ account.name | default("your company") }} can shorten its buying cycle,
and what the Law of 29 says about touches.</p>
<p><a href="https://seller.example/guide">Read the guide</a></p>
<p>Your contact at Seller: {{ owner.name | default("our team") }}</p>
</body></html>"""


def _world(demo_url: str) -> tuple[int, int, str]:
    """A template, a broadcast sent to Finnish contacts with opens and clicks over a day."""
    engine = make_engine(demo_url)
    try:
        with engine.begin() as connection:
            template = create_template(
                connection,
                TemplateDraft(
                    "Browser newsletter", "News for {{ contact.first_name | default('you') }}", HTML
                ),
                user_id=None,
                now=NOW,
            ).id
            segment = create_segment(
                connection,
                SegmentDraft(
                    slug="browser-finns",
                    name="Finns (browser test)",
                    rule={"all": [{"field": "contact.country", "op": "equals", "value": "FI"}]},
                ),
                actor=Actor(None),
                now=NOW,
            ).id
            broadcast = broadcasts.create_broadcast(
                connection,
                name="Newsletter, week 12",
                template_id=template,
                segment_id=segment,
                user_id=None,
                now=NOW,
            ).id
            broadcasts.schedule(connection, broadcast, at=None, now=NOW)
        broadcasts.start_due_broadcasts(engine, now=NOW)
        with engine.begin() as connection:
            connection.execute(
                update(mail_sends)
                .where(mail_sends.c.broadcast_id == broadcast)
                .values(status="sent", sent_at=NOW, message_id=None)
            )
            sends = connection.execute(
                select(mail_sends.c.id, mail_sends.c.contact_id)
                .where(mail_sends.c.broadcast_id == broadcast)
                .order_by(mail_sends.c.id)
            ).all()
            items = []
            for index, (send_id, contact_id) in enumerate(sends):
                if index % 3 == 0:
                    continue
                opened = NOW + timedelta(hours=index % 9, minutes=5)
                properties = {"send_id": send_id, "broadcast_id": broadcast}
                items.append(
                    {
                        "type": "email_open",
                        "occurred_at": opened,
                        "contact_id": contact_id,
                        "channel": "email",
                        "properties": properties,
                        "idempotency_key": f"browser-open-{send_id}",
                    }
                )
                if index % 4 == 1:
                    items.append(
                        {"type": "email_click", "occurred_at": opened + timedelta(minutes=2),
                         "contact_id": contact_id, "channel": "email",
                         "properties": properties | {"url": "https://seller.example/guide"},
                         "idempotency_key": f"browser-click-{send_id}"}
                    )  # fmt: skip
            ingest_events(connection, items, now=NOW + timedelta(hours=10))
            email = connection.execute(
                select(contacts.c.email).where(contacts.c.id == sends[1][1])
            ).scalar_one()
    finally:
        engine.dispose()
    return template, broadcast, str(email)


def test_template_preview_and_broadcast_figures(
    demo_url: str, page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    template, broadcast, email = _world(demo_url)
    page = page_as("marketing")
    page.goto(f"/templates/{template}?contact={email}")
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    frame = page.frame_locator("iframe.mail-frame")
    expect(frame.locator("h1")).to_contain_text("Hello ")
    expect(page.locator("#preview-subject")).to_contain_text("News for ")
    page.locator("section.mail-preview").evaluate("section => section.scrollIntoView()")
    shoot(page, "template-editor")

    page.goto(f"/broadcasts/{broadcast}")
    expect(page.get_by_role("heading", name="Figures")).to_be_visible()
    chart = page.get_by_role("img", name="Messages opened and clicked per hour")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == 16  # 10:00 to 17:00, opens and clicks per hour
    shoot(page, "broadcast")
    page.goto("/broadcasts")
    expect(page.get_by_role("link", name="Newsletter, week 12")).to_be_visible()
