"""The form embed script in a real browser, on a plain site served from another port.

The app runs on one port with ``public_url`` pointing at itself; a static
site on another port (an allowed origin of the forms) pastes the embed code.
The script fetches the definition across origins, posts JSON (a preflighted
request), shows the server's errors next to their fields and then the
success message with the download link.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest
from sqlalchemy import Engine, select, update

from forms_world import NOW, seed_forms
from ports import free_port
from silverplatter.services.demo.forms import ensure_demo_forms
from silverplatter.settings import Settings
from silverplatter.storage.capture_schema import form_submissions, forms
from silverplatter.storage.engine import make_engine, migrate

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

VISITOR: Final = "0123456789abcdef0123456789abcdef"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, site_port: int) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('forms') / 'forms.db'}"
    engine = make_engine(url)
    migrate(engine)
    seed_forms(engine)
    with engine.begin() as connection:
        connection.execute(update(forms).values(allowed_origins=[f"http://localhost:{site_port}"]))
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
    thread = threading.Thread(target=server.run, name="forms-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.02)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def site_url(
    app_url: str, site_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A plain static site carrying the embed code of the newsletter form."""
    root: Path = tmp_path_factory.mktemp("site")
    embed = (
        '<div data-silverplatter-form="newsletter"></div>\n'
        f'<script src="{app_url}/capture/forms/newsletter/embed.js" defer></script>'
    )
    (root / "index.html").write_text(
        f"<!doctype html><html><head><title>Buyer news</title></head><body>{embed}</body></html>"
    )
    server = ThreadingHTTPServer(("127.0.0.1", site_port), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="forms-site", daemon=True)
    thread.start()
    yield f"http://localhost:{site_port}"
    server.shutdown()
    server.server_close()


def _open(browser: Browser, url: str) -> Page:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "sp_vid", "value": VISITOR, "url": url}])
    page = context.new_page()
    page.goto(url)
    return page


def test_the_embedded_form_shows_inline_errors_then_thanks_with_the_download(
    workspace: Engine, app_url: str, site_url: str, browser: Browser
) -> None:
    page = _open(browser, f"{site_url}/index.html")
    try:
        form = page.locator("form.sp-form")
        form.wait_for()
        assert page.get_by_label("Work e-mail *").is_visible()
        assert page.get_by_role("group", name="Which topics interest you?").is_visible()
        assert page.get_by_role("button", name="Get the download").is_visible()
        trap = page.locator("input[name=website]").bounding_box()
        assert trap is not None and trap["x"] < -1000  # the honeypot is off screen
        page.get_by_role("button", name="Get the download").click()
        email_error = page.locator("#sp-newsletter-0-email-error")
        email_error.wait_for()
        assert email_error.inner_text() == "Work e-mail is required"
        assert page.locator("#sp-newsletter-0-consent-error").inner_text() == (
            "tick the box to agree before sending the form"
        )
        assert page.get_by_label("Work e-mail *").get_attribute("aria-invalid") == "true"
        page.get_by_label("Work e-mail *").fill("lea@buyer.example")
        page.get_by_label("ERP", exact=True).check()
        page.get_by_label("BI", exact=True).check()
        page.get_by_label("Finance", exact=True).check()
        page.locator("input[name=consent]").check()
        page.get_by_role("button", name="Get the download").click()
        success = page.locator(".sp-success")
        success.wait_for()
        assert success.locator("p").inner_text() == (
            "Thank you! Please check your inbox and click the link to confirm your address."
        )
        download = success.get_by_role("link", name="Download").get_attribute("href") or ""
        assert download.startswith(f"{app_url}/capture/downloads/")
    finally:
        page.context.close()
    with workspace.connect() as connection:
        row = connection.execute(select(form_submissions)).one()
    assert (row.visitor_id, row.answers) == (
        VISITOR,
        {"topics_of_interest": ["ERP", "BI"], "responsibilities": "Finance"},
    )


def test_a_site_that_is_not_allowed_cannot_show_the_form(
    workspace: Engine, app_url: str, browser: Browser, tmp_path: Path
) -> None:
    (tmp_path / "other.html").write_text(
        '<!doctype html><html><body><div data-silverplatter-form="newsletter"></div>'
        f'<script src="{app_url}/capture/forms/newsletter/embed.js" defer></script></body></html>'
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, name="other-site", daemon=True)
    thread.start()
    try:
        page = _open(browser, f"http://127.0.0.1:{server.server_address[1]}/other.html")
        try:
            notice = page.locator("[data-silverplatter-form] .sp-error")
            notice.wait_for()
            assert notice.inner_text() == "This form is not available right now."
            assert page.locator("form.sp-form").count() == 0
        finally:
            page.context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_marketing_finds_the_demo_forms_and_their_embed_code(
    demo_url: str, page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    engine = make_engine(demo_url)
    try:
        with engine.begin() as connection:
            ensure_demo_forms(connection, now=NOW)
    finally:
        engine.dispose()
    page = page_as("marketing")
    page.goto("/forms")
    expect(page.get_by_role("link", name="Request a demo meeting")).to_be_visible()
    page.get_by_role("link", name="Newsletter").click()
    expect(page.get_by_role("heading", name="Newsletter", exact=True)).to_be_visible()
    code = page.get_by_label("Code to paste into the page").input_value()
    assert code.startswith('<div data-silverplatter-form="newsletter"></div>\n<script src="')
    assert code.endswith('/capture/forms/newsletter/embed.js" defer></script>')
    shoot(page, "forms")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Allowed origins").fill("www.example.com")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Allowed origins: line 1: expected an origin such as https://www.example.com"
    )
