"""The whole capture journey in a real browser, across two origins and a real mail server.

A plain static site on one port carries the tracking snippet on every page
and the newsletter's embed code on its sign-up page; the app runs on another
port, sending mail through a local aiosmtpd server.  An anonymous visitor
views two pages, signs up on the third, opens the opt-in link from the mail
the server caught, and the contact's timeline in the app then shows the two
earlier page views (stitched from the anonymous visitor), the submission
and the confirmation.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest
from sqlalchemy import Engine, select, update

from forms_world import NOW as SEEDED_AT
from forms_world import seed_forms
from ports import free_port
from silverplatter.services.audit import Actor
from silverplatter.services.users import create_user
from silverplatter.settings import Settings
from silverplatter.storage.capture_schema import forms
from silverplatter.storage.engine import make_engine, migrate
from silverplatter.storage.schema import contacts, events

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

#: Headless Chromium announces itself as a bot; a visitor's browser does not.
DESKTOP_CHROME: Final = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
ADMIN: Final = "ada@seller.example"
PASSWORD: Final = "correct horse battery"
VISITOR_EMAIL: Final = "lea.lindqvist@buyer.example"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Sink:
    """An aiosmtpd handler that keeps every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture(scope="module")
def site_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def sink() -> Iterator[tuple[_Sink, int]]:
    from aiosmtpd.controller import Controller

    handler = _Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, site_port: int) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('journey') / 'journey.db'}"
    engine = make_engine(url)
    migrate(engine)
    seed_forms(engine)
    with engine.begin() as connection:
        connection.execute(update(forms).values(allowed_origins=[f"http://localhost:{site_port}"]))
        create_user(
            connection,
            email=ADMIN,
            name="Ada Admin",
            role="admin",
            password=PASSWORD,
            now=SEEDED_AT,
            actor=Actor(None),
        )
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app_url(workspace: Engine, sink: tuple[_Sink, int]) -> Iterator[str]:
    """The app on its own port with the system clock, mail to the sink, workers running."""
    import uvicorn

    from silverplatter.web.app import create_app

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=str(workspace.url),
        public_url=base,
        smtp_url=f"smtp://127.0.0.1:{sink[1]}",
        mail_from="Seller Oy <news@seller.example>",
    )
    application = create_app(settings, workspace)
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="journey-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.02)
    yield base
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def site_url(
    app_url: str, site_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A plain site of three pages on another origin: the snippet everywhere, a form on one."""
    root: Path = tmp_path_factory.mktemp("site")
    snippet = f'<script async src="{app_url}/capture/track.js" data-consent="granted"></script>'
    embed = (
        '<div data-silverplatter-form="newsletter"></div>'
        f'<script src="{app_url}/capture/forms/newsletter/embed.js" defer></script>'
    )
    pages = {
        "index.html": ("Buyer news", '<a href="pricing.html">Pricing</a>'),
        "pricing.html": ("Pricing", '<a href="signup.html">Get the guide</a>'),
        "signup.html": ("Get the guide", embed),
    }
    for name, (title, body) in pages.items():
        (root / name).write_text(
            f"<!doctype html><html><head><title>{title}</title>{snippet}</head>"
            f"<body><h1>{title}</h1>{body}</body></html>"
        )
    server = ThreadingHTTPServer(("127.0.0.1", site_port), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="journey-site", daemon=True)
    thread.start()
    yield f"http://localhost:{site_port}"
    server.shutdown()
    server.server_close()


def _wait_for(condition: Any, what: str, seconds: float = 20.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"waited {seconds:.0f} s for {what}")


def _page_views(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(events.c.visitor_id, events.c.contact_id, events.c.properties)
                .where(events.c.type == "page_view")
                .order_by(events.c.id)
            )
        )


def _text_body(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the mail has no plain-text part")


def _sign_in(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/login")
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url


def test_anonymous_views_a_signup_and_the_opt_in_end_on_the_contacts_timeline(
    workspace: Engine,
    sink: tuple[_Sink, int],
    app_url: str,
    site_url: str,
    browser: Browser,
) -> None:
    context = browser.new_context(
        user_agent=DESKTOP_CHROME, viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/index.html")
        _wait_for(lambda: len(_page_views(workspace)) >= 1, "the first page view")
        page.get_by_role("link", name="Pricing").click()
        _wait_for(lambda: len(_page_views(workspace)) >= 2, "the second page view")
        anonymous = _page_views(workspace)
        visitor = anonymous[0].visitor_id
        assert [view.contact_id for view in anonymous] == [None, None]
        assert {view.visitor_id for view in anonymous} == {visitor}

        page.get_by_role("link", name="Get the guide").click()
        page.locator("form.sp-form").wait_for()
        page.get_by_label("Work e-mail *").fill(VISITOR_EMAIL)
        page.get_by_label("ERP", exact=True).check()
        page.get_by_label("Finance", exact=True).check()
        page.locator("input[name=consent]").check()
        page.get_by_role("button", name="Get the download").click()
        page.locator(".sp-success").wait_for()

        with workspace.connect() as connection:
            contact_id = connection.execute(
                select(contacts.c.id).where(contacts.c.email_key == VISITOR_EMAIL)
            ).scalar_one()
        views = _wait_for(
            lambda: [v for v in _page_views(workspace) if v.contact_id == contact_id] or None,
            "the stitched page views",
        )
        assert len(views) == 3  # index and pricing before signing up, the sign-up page itself
        assert {view.visitor_id for view in views} == {visitor}

        mail = _wait_for(lambda: sink[0].messages, "the opt-in mail at the SMTP server")[0]
        assert mail["To"] == VISITOR_EMAIL
        assert mail["From"] == "Seller Oy <news@seller.example>"
        link = re.search(rf"{re.escape(app_url)}/capture/opt-in/\S+", _text_body(mail))
        assert link is not None, _text_body(mail)
        confirmation = context.new_page()
        confirmation.goto(link.group(0))
        assert "confirmed" in confirmation.locator("main").inner_text().lower()

        staff = browser.new_context(viewport={"width": 1280, "height": 800})
        staff.set_default_timeout(15_000)
        try:
            office = staff.new_page()
            _sign_in(office, app_url)
            office.goto(f"{app_url}/contacts/{contact_id}")
            timeline = office.locator("section[aria-labelledby=timeline]")
            timeline.wait_for()
            text = timeline.inner_text()
            assert text.count("Visited a page") == 3
            assert "/index.html" in text and "/pricing.html" in text
            assert "Submitted a form" in text
            assert "Confirmed the subscription" in text
        finally:
            staff.close()
    finally:
        context.close()
