"""The tracking snippet in a real browser, on a plain site served from another port.

The app runs on one port with ``public_url`` pointing at itself; a static
site on another port loads ``/capture/track.js`` from it.  Headless Chromium
announces itself as ``HeadlessChrome``, which the endpoint drops as a bot, so
these contexts present an ordinary desktop Chrome user agent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest
from sqlalchemy import Engine, select

from ports import free_port
from silverplatter.domain.records import ContactFields
from silverplatter.services.records import upsert_contacts
from silverplatter.services.signing import signer_for
from silverplatter.services.workspace import init_workspace
from silverplatter.settings import Settings
from silverplatter.storage.engine import make_engine, migrate
from silverplatter.storage.schema import contacts, events

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

pytestmark = pytest.mark.browser

DESKTOP_CHROME: Final = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
NOW: Final = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('tracking') / 'tracking.db'}"
    engine = make_engine(url)
    migrate(engine)
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="anna@buyer.fi")], now=NOW)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app_url(workspace: Engine) -> Iterator[str]:
    import uvicorn

    from silverplatter.web.app import create_app

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=str(workspace.url), public_url=base, scoring_worker=False)
    application = create_app(settings, workspace, clock=lambda: NOW)
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="tracking-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.02)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def site_url(app_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A plain static site on another port with two pages carrying the snippet."""
    root: Path = tmp_path_factory.mktemp("site")
    granted = f'<script async src="{app_url}/capture/track.js" data-consent="granted"></script>'
    banner = f'<script async src="{app_url}/capture/track.js"></script>'
    page = "<!doctype html><html><head><title>{title}</title>{tag}</head><body>{body}</body></html>"
    (root / "index.html").write_text(
        page.format(title="Home", tag=granted, body='<a href="/pricing.html">Pricing</a>')
    )
    (root / "pricing.html").write_text(page.format(title="Pricing", tag=granted, body="Prices"))
    (root / "banner.html").write_text(page.format(title="Asks first", tag=banner, body="Hi"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="tracked-site", daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def visitor(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(user_agent=DESKTOP_CHROME)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def _stored(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(events).order_by(events.c.id)).all())


def _views(engine: Engine, count: int) -> list[Any]:
    """The stored page views, once there are ``count`` of them (beacons are asynchronous)."""
    deadline = time.monotonic() + 10
    while True:
        with engine.connect() as connection:
            rows = connection.execute(select(events).order_by(events.c.id)).all()
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def _cookie_names(context: BrowserContext, expected: list[str]) -> list[str]:
    """The context's cookie names, once they are ``expected`` or a few seconds have passed.

    A cookie written by ``document.cookie`` reaches the browser's cookie store a moment
    later, so reading the store straight after the page's write can see the old value.
    """
    deadline = time.monotonic() + 5
    while True:
        names = sorted(c["name"] for c in context.cookies())
        if names == expected or time.monotonic() > deadline:
            return names
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _no_events(workspace: Engine) -> None:
    with workspace.begin() as connection:
        connection.execute(events.delete())


def test_two_pages_with_consent_are_recorded_under_one_visitor(
    workspace: Engine, site_url: str, visitor: BrowserContext
) -> None:
    page = visitor.new_page()
    page.goto(f"{site_url}/index.html?utm_source=google&utm_medium=cpc&gclid=Cj0")
    page.get_by_role("link", name="Pricing").click()
    page.wait_for_load_state()
    _views(workspace, 2)
    # a single-page app's route change
    page.evaluate("history.pushState({}, '', '/app/plans'); window.silverplatter('page')")
    views = _views(workspace, 3)
    assert [(v.properties["url"], v.channel, v.traffic) for v in views] == [
        ("/index.html", "paid_search", "bought"),
        ("/pricing.html", "paid_search", "bought"),  # inherits the visit's landing
        ("/app/plans", "paid_search", "bought"),
    ]
    assert views[1].properties["title"] == "Pricing"
    assert len({v.visitor_id for v in views}) == 1 and len(views[0].visitor_id) == 32
    cookie = next(c for c in visitor.cookies() if c["name"] == "sp_vid")
    assert (cookie["value"], cookie["sameSite"], cookie["domain"]) == (
        views[0].visitor_id,
        "Lax",
        "localhost",
    )


def test_nothing_is_recorded_before_consent_or_under_privacy_control(
    workspace: Engine, site_url: str, browser: Browser
) -> None:
    context = browser.new_context(user_agent=DESKTOP_CHROME)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/banner.html")
        page.wait_for_function("typeof window.silverplatter === 'function'")
        time.sleep(0.5)  # room for a beacon that should not be sent
        assert _stored(workspace) == []
        assert [c["name"] for c in context.cookies()] == []
        page.evaluate("window.silverplatter('consent', true)")
        assert len(_views(workspace, 1)) == 1
        page.evaluate("window.silverplatter('consent', false)")
        assert _cookie_names(context, []) == []
    finally:
        context.close()
    private = browser.new_context(user_agent=DESKTOP_CHROME)
    try:
        private.add_init_script(
            "Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})"
        )
        page = private.new_page()
        page.goto(f"{site_url}/index.html")
        page.wait_for_function("typeof window.silverplatter === 'function'")
        time.sleep(0.5)
        assert len(_stored(workspace)) == 1  # still only the consented view
        assert [c["name"] for c in private.cookies()] == []
    finally:
        private.close()


def test_a_mail_link_identifies_the_visitor_and_leaves_the_address_bar(
    workspace: Engine, site_url: str, visitor: BrowserContext
) -> None:
    with workspace.connect() as connection:
        anna = connection.execute(select(contacts.c.id)).scalar_one()
        token = signer_for(connection).sign("tracking", {"c": anna}, now=NOW)
    page = visitor.new_page()
    page.goto(f"{site_url}/index.html")
    _views(workspace, 1)
    page.goto(f"{site_url}/pricing.html?sp_c={token}")
    views = _views(workspace, 2)
    assert [(v.contact_id, v.channel) for v in views] == [(anna, "direct"), (anna, "email")]
    assert "sp_c" not in page.url
    assert token not in str(views[1].properties)


def test_headless_chrome_is_dropped_as_a_bot(
    workspace: Engine, site_url: str, browser: Browser
) -> None:
    context = browser.new_context()  # Playwright's own user agent: HeadlessChrome
    try:
        page = context.new_page()
        page.goto(f"{site_url}/index.html")
        page.wait_for_function("typeof window.silverplatter === 'function'")
        time.sleep(0.5)
        agent = page.evaluate("navigator.userAgent")
    finally:
        context.close()
    assert "HeadlessChrome" in agent
    assert _stored(workspace) == []
