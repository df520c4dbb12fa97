"""A real browser against a real server: Debian's Chromium driven by Playwright.

The session builds one SQLite demo workspace (300 contacts, seed 1, at
:data:`NOW`), makes a few of the demo sales user's contacts SQL with a hard
call to action so that the sales queue has cards, and serves the app with
uvicorn on a free port of 127.0.0.1 in a background thread.  The server's
clock starts at :data:`NOW` and runs with the wall clock, so the pages show
the same figures on every run.

Chromium is never downloaded: the tests use ``/usr/bin/chromium`` and, when
it is missing and we are root, install Debian's package with apt.  When that
is impossible the tests skip, except under ``CI=true`` where they fail.

Each test gets a fresh browser context at 1280×800.  ``page_as(role)`` signs
in through the real form once per role and reuses the session cookie, which
keeps the suite under the sign-in rate limit; the ``login`` fixture,
``login(page, role)``, fills the form itself.  ``shoot(page, name)`` writes
``docs/screenshots/<name>.png``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest
from sqlalchemy import Engine, select, text

from ports import free_port
from silverplatter.domain.lifecycle import TRANSITIONS
from silverplatter.services.demo import generate_demo
from silverplatter.services.demo.logins import DEMO_PASSWORD, ensure_demo_logins
from silverplatter.services.handover import hand_over_new_sqls
from silverplatter.services.ingest import ingest_events
from silverplatter.services.recompute import recompute
from silverplatter.services.workspace import init_workspace
from silverplatter.settings import Settings
from silverplatter.storage.engine import make_engine
from silverplatter.storage.schema import accounts, contacts, users

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM: Final = "/usr/bin/chromium"
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]
VIEWPORT: Final = {"width": 1280, "height": 800}
NOW: Final = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
ROLE_EMAILS: Final = {
    "admin": "admin@demo.silverplatter.example",
    "marketing": "marketing@demo.silverplatter.example",
    "sales": "sales@demo.silverplatter.example",
}
SCREENSHOTS: Final = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
#: How many of the demo sales user's gold-account contacts ask for contact today (the first
#: ones in sales or nurture whom a handover can take).
HARD_CTAS: Final = 4
IN_CI: Final = os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests need Chromium under CI=true: {reason}")
    pytest.skip(f"Chromium not available: {reason}")


def _install_chromium() -> str | None:
    """Install Debian's chromium when missing and we may; the reason when we can't."""
    if Path(CHROMIUM).exists():
        return None
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return f"{CHROMIUM} is missing and only root may apt-get install chromium"
    if shutil.which("apt-get") is None:
        return f"{CHROMIUM} is missing and there is no apt-get"
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "chromium", "chromium-driver"],
    ):
        done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
        if done.returncode != 0:
            return f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}"
    return None if Path(CHROMIUM).exists() else f"apt installed chromium but {CHROMIUM} is absent"


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's Chromium, installed with apt when missing."""
    problem = _install_chromium()
    if problem is not None:
        _unavailable(problem)
    return CHROMIUM


#: The stages a hard call to action hands over from: the demo's sales have already
#: disqualified some people, and those stay out of sales whatever they ask.
_HANDED_OVER_FROM: Final = next(
    move.from_stages for move in TRANSITIONS if move.name == "hand_over_as_sql"
)


def _make_sqls(engine: Engine) -> None:
    """A hard call to action today from a few contacts at the sales user's gold account
    whom the handover can take."""
    with engine.begin() as connection:
        owner = connection.execute(
            select(users.c.id).where(users.c.email == ROLE_EMAILS["sales"])
        ).scalar_one()
        emails = connection.execute(
            select(contacts.c.email)
            .join(accounts, accounts.c.id == contacts.c.account_id)
            .where(
                accounts.c.owner_id == owner,
                accounts.c.value_tier == "gold",
                contacts.c.lifecycle_stage.in_(_HANDED_OVER_FROM),
            )
            .order_by(contacts.c.id)
            .limit(HARD_CTAS)
        ).scalars()
        items = [
            {
                "type": "form_submit",
                "email": email,
                "occurred_at": (NOW - timedelta(hours=2 + hour)).isoformat(),
                "properties": {"cta": "hard", "form": "contact_us"},
            }
            for hour, email in enumerate(emails)
        ]
        result = ingest_events(connection, items, now=NOW)
        assert result.errors == [], result.errors
        hand_over_new_sqls(connection, now=NOW)


def build_demo(url: str) -> None:
    """The demo workspace the browser tests run against."""
    engine = make_engine(url)
    try:
        init_workspace(engine, name="Silverplatter demo", now=NOW)
        generate_demo(engine, contacts=300, seed=1, now=NOW)
        with engine.begin() as connection:
            recompute(connection, now=NOW)
            ensure_demo_logins(connection, now=NOW)
        _make_sqls(engine)
        with engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        engine.dispose()


class RunningClock:
    """Starts at :data:`NOW` and runs with the wall clock."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self) -> datetime:
        return NOW + timedelta(seconds=time.monotonic() - self.started)


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLAlchemy URL of the demo workspace (built once per session)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    build_demo(url)
    return url


@pytest.fixture(scope="session")
def base_url(demo_url: str) -> Iterator[str]:
    """The app served by uvicorn in a background thread; yields its base URL."""
    import uvicorn

    from silverplatter.web.app import create_app

    application = create_app(Settings(database_url=demo_url), clock=RunningClock())
    port = free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="browser-tests-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    """One headless Chromium for the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - playwright is a dev dependency
        _unavailable(f"playwright is not installed: {error}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A fresh browser context (no cookies) at 1280×800."""
    fresh = browser.new_context(viewport=VIEWPORT, base_url=base_url)
    fresh.set_default_timeout(10_000)
    yield fresh
    fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page in a fresh context."""
    return context.new_page()


def sign_in(page: Page, role: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in as the demo user of ``role`` through the real sign-in form."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(ROLE_EMAILS[role])
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture(scope="session")
def _sessions(browser: Browser, base_url: str) -> dict[str, Any]:
    """Storage state (the session cookie) per role, filled on first use."""
    return {}


@pytest.fixture
def page_as(
    browser: Browser, base_url: str, _sessions: dict[str, Any], context: BrowserContext
) -> Callable[[str], Page]:
    """``page_as(role)``: a page in the fresh context, signed in as that role."""

    def open_as(role: str) -> Page:
        if role not in _sessions:
            signing = browser.new_context(viewport=VIEWPORT, base_url=base_url)
            try:
                first = signing.new_page()
                sign_in(first, role)
                assert "/login" not in first.url, f"{role} could not sign in"
                _sessions[role] = signing.storage_state()
            finally:
                signing.close()
        context.add_cookies(_sessions[role]["cookies"])
        return context.new_page()

    return open_as


def screenshot(page: Page, name: str) -> Path:
    """A 1280×800 screenshot of the page for the docs."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(page, role)`` fills and sends the real sign-in form."""
    return sign_in


@pytest.fixture
def shoot() -> Callable[[Page, str], Path]:
    """``shoot(page, name)`` writes ``docs/screenshots/<name>.png``."""
    return screenshot
