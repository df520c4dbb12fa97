"""Administration pages, the own-tokens page and the API reference page, on both backends."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from silverplatter.domain.access import GRANTS, PERMISSIONS
from silverplatter.services.audit import Actor, record
from silverplatter.storage.access_schema import api_tokens, audit_log
from web_world import NOW, PASSWORD, ROLE_EMAILS, Clock, SignedIn, seed_users, sign_in, signed_in
from web_world import web_app as _web_app


def web_app(engine: Engine, database_url: str, clock: Clock | None = None) -> FastAPI:
    """The app, with the API reference page wired in if app.py does not yet do it."""
    application = _web_app(engine, database_url, clock)
    if not any(getattr(route, "path", None) == "/api/v1/docs" for route in application.routes):
        from silverplatter.web.ui import api_docs

        application.include_router(api_docs.router)
    return application


def _form(client: SignedIn, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": client.csrf}, follow_redirects=False)


def _audit(engine: Engine) -> list[tuple[str, str, dict[str, Any]]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.action, audit_log.c.subject, audit_log.c.details).order_by(
                audit_log.c.id
            )
        )
        return [(row.action, row.subject, dict(row.details)) for row in rows]


def _text(page: Any) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def test_admin_creates_a_user_and_changes_the_role_audited(
    engine: Engine, database_url: str
) -> None:
    seed_users(engine)
    admin = signed_in(web_app(engine, database_url), "admin")
    listing = admin.get("/admin/users")
    assert listing.status_code == 200
    assert "Admin User ada@seller.example admin active" in _text(listing)

    refused = _form(
        admin,
        "/admin/users",
        {"name": "Lea Laine", "email": "lea@seller.example", "role": "sales", "password": "short"},
    )
    assert refused.status_code == 422
    assert "Password: must be at least 10 characters long" in _text(refused)
    assert 'value="lea@seller.example"' in refused.text
    assert 'id="new-password" name="password" type="password"' in refused.text
    assert 'aria-describedby="new-password-error"' in refused.text

    created = _form(
        admin,
        "/admin/users",
        {"name": "Lea Laine", "email": "lea@seller.example", "role": "sales", "password": "x" * 10},
    )
    assert created.status_code == 303
    lea_page = created.headers["location"]
    assert re.fullmatch(r"/admin/users/\d+\?done=created", lea_page)
    lea = lea_page.split("?")[0]
    shown = _text(admin.get(lea_page))
    assert "Lea Laine lea@seller.example · sales · active" in shown
    assert "User created." in shown

    changed = _form(admin, f"{lea}/role", {"role": "marketing"})
    assert (changed.status_code, changed.headers["location"]) == (303, f"{lea}?done=role")
    assert "Lea Laine lea@seller.example · marketing · active" in _text(admin.get(lea))

    assert _audit(engine)[3:] == [
        ("user.created", "lea@seller.example", {"role": "sales"}),
        ("user.role_changed", "lea@seller.example", {"from": "sales", "to": "marketing"}),
    ]
    log = _text(admin.get("/admin/audit"))
    assert (
        "2026-03-02 09:00 A user's role changed Admin User from testclient "
        "lea@seller.example from: sales; to: marketing"
    ) in log
    assert "A user was created Admin User from testclient lea@seller.example role: sales" in log


def test_a_role_change_ends_the_users_sessions(engine: Engine, database_url: str) -> None:
    ids = seed_users(engine)
    application = web_app(engine, database_url)
    admin = signed_in(application, "admin")
    sales = signed_in(application, "sales")
    assert sales.get("/account/tokens").status_code == 200
    _form(admin, f"/admin/users/{ids['sales']}/role", {"role": "marketing"})
    again = sales.get("/account/tokens", follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (
        303,
        "/login?next=%2Faccount%2Ftokens",
    )


def test_an_admin_cannot_demote_or_deactivate_themselves(engine: Engine, database_url: str) -> None:
    ids = seed_users(engine)
    admin = signed_in(web_app(engine, database_url), "admin")
    page = admin.get(f"/admin/users/{ids['admin']}")
    assert "this is you" in _text(page)
    assert "Deactivate" not in page.text
    refused = _form(admin, f"/admin/users/{ids['admin']}/role", {"role": "sales"})
    assert refused.status_code == 422
    assert "Role: you cannot change your own role; ask another administrator" in _text(refused)
    assert admin.get("/admin/users").status_code == 200


def test_deactivation_prevents_sign_in_and_reactivation_restores_it(
    engine: Engine, database_url: str
) -> None:
    ids = seed_users(engine)
    application = web_app(engine, database_url)
    admin = signed_in(application, "admin")
    sales_page = f"/admin/users/{ids['sales']}"
    done = _form(admin, f"{sales_page}/active", {"active": "false"})
    assert done.headers["location"] == f"{sales_page}?done=deactivated"
    shown = _text(admin.get(done.headers["location"]))
    assert "User deactivated: they are signed out and cannot sign in." in shown
    assert "Reactivate" in shown

    refused = sign_in(TestClient(application), ROLE_EMAILS["sales"])
    assert refused.status_code == 401
    assert "This user is deactivated; ask an administrator." in refused.text

    _form(admin, f"{sales_page}/active", {"active": "true"})
    assert sign_in(TestClient(application), ROLE_EMAILS["sales"]).status_code == 303
    assert [action for action, _, _ in _audit(engine)][3:] == [
        "user.deactivated",
        "user.reactivated",
    ]


def test_setting_a_password_signs_the_user_out_and_the_new_one_works(
    engine: Engine, database_url: str
) -> None:
    ids = seed_users(engine)
    application = web_app(engine, database_url)
    admin = signed_in(application, "admin")
    sales = signed_in(application, "sales")
    short = _form(admin, f"/admin/users/{ids['sales']}/password", {"password": "too short"})
    assert "Password: must be at least 10 characters long" in _text(short)
    _form(admin, f"/admin/users/{ids['sales']}/password", {"password": "a new long secret"})
    assert sales.get("/account/tokens", follow_redirects=False).status_code == 303
    assert sign_in(TestClient(application), ROLE_EMAILS["sales"], PASSWORD).status_code == 401
    fresh = TestClient(application)
    assert sign_in(fresh, ROLE_EMAILS["sales"], "a new long secret").status_code == 303


def test_marketing_creates_its_own_token_but_cannot_touch_others(
    engine: Engine, database_url: str
) -> None:
    ids = seed_users(engine)
    clock = Clock()
    application = web_app(engine, database_url, clock)
    admin = signed_in(application, "admin")
    admin_token = _form(admin, "/account/tokens", {"name": "ops", "scopes": ["audit:read"]})
    assert admin_token.status_code == 200

    marketing = signed_in(application, "marketing")
    page = marketing.get("/account/tokens")
    offered = re.findall(r'name="scopes" value="([^"]+)"', page.text)
    # every permission marketing holds, in the order the permissions are listed
    assert offered == [scope for scope in PERMISSIONS if scope in GRANTS["marketing"]]
    assert "users:manage" not in offered and "privacy:erase" not in offered
    assert offered[:10] == [
        "records:read",
        "records:write",
        "events:write",
        "queue:read",
        "model:read",
        "model:write",
        "imports:write",
        "exports:read",
        "dashboard:read",
        "tokens:own",
    ]
    assert "Read accounts, contacts, opportunities, meetings and events records:read" in _text(page)

    empty = _form(marketing, "/account/tokens", {"name": "CRM sync"})
    assert empty.status_code == 422
    assert "Scopes: name at least one scope" in _text(empty)
    made = _form(marketing, "/account/tokens", {"name": "CRM sync", "scopes": ["tokens:own"]})
    secret = re.search(r'value="(sp_[0-9a-f]{8}_[^"]+)"', made.text)
    assert secret is not None
    assert "Copy it now: it is shown only this once." in _text(made)
    assert secret.group(1) not in marketing.get("/account/tokens").text

    assert marketing.get("/admin/users").status_code == 403
    assert marketing.get(f"/admin/users/{ids['admin']}").status_code == 403
    with engine.connect() as connection:
        by_owner = dict(connection.execute(select(api_tokens.c.user_id, api_tokens.c.id)).all())
    others = _form(marketing, f"/account/tokens/{by_owner[ids['admin']]}/revoke", {})
    assert others.status_code == 404

    # The token works against the API, and its page shows when it was last used.
    clock.advance(minutes=30)
    program = TestClient(application, headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert program.get("/api/v1/tokens").status_code == 200
    row = re.search(r"<td>CRM sync</td>.*?</tr>", marketing.get("/account/tokens").text, re.S)
    assert row is not None
    assert " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).split()) == (
        "CRM sync sp_" + secret.group(1)[3:11] + "_… tokens:own "
        "2026-03-02 09:00 2026-03-02 09:30 active Revoke"
    )

    revoked = _form(marketing, f"/account/tokens/{by_owner[ids['marketing']]}/revoke", {})
    assert revoked.headers["location"] == "/account/tokens?done=revoked"
    assert program.get("/api/v1/tokens").status_code == 401
    assert "revoked 2026-03-02 09:30" in _text(marketing.get("/account/tokens"))

    # An administrator sees and revokes anyone's tokens from the user's page.
    on_user_page = admin.get(f"/admin/users/{ids['admin']}")
    assert "ops" in _text(on_user_page)
    target = f"/admin/users/{ids['admin']}/tokens/{by_owner[ids['admin']]}/revoke"
    assert _form(admin, target, {}).status_code == 303
    assert [action for action, _, _ in _audit(engine)][3:] == [
        "token.created",
        "token.created",
        "token.revoked",
        "token.revoked",
    ]


def test_audit_log_pages_to_older_entries(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    with engine.begin() as connection:
        for number in range(50):
            record(
                connection,
                "export.run",
                f"export {number}",
                actor=Actor(None),
                now=NOW,
                details={"rows": number},
            )
    admin = signed_in(web_app(engine, database_url), "admin")
    first = admin.get("/admin/audit")
    shown = _text(first)
    assert shown.count("Records were exported command line") == 50
    assert "export 49 rows: 49" in shown
    older = re.search(r'href="(/admin/audit\?before=\d+)" rel="next">Older entries', first.text)
    assert older is not None
    second = _text(admin.get(older.group(1)))
    assert second.count("A user was created command line") == 3
    assert "Older entries" not in second
    filtered = _text(admin.get("/admin/audit?action=user.created"))
    assert filtered.count("A user was created command line") == 3
    assert "Records were exported command line" not in filtered
    assert (
        signed_in(web_app(engine, database_url), "marketing").get("/admin/audit").status_code == 403
    )


def test_api_docs_page_loads_local_assets_only(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = TestClient(web_app(engine, database_url))
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    urls = re.findall(r"https?://[^\s\"'<>]+", page.text)
    assert {urlsplit(url).netloc for url in urls} == {"testserver"}, "only this site's URLs"
    assets = [urlsplit(url).path for url in re.findall(r'(?:src|href)="([^"]+)"', page.text)]
    assert "/static/swagger/swagger-ui-bundle.js" in assets
    assert "/static/swagger/swagger-ui.css" in assets
    assert "/static/swagger/swagger-init.js" in assets
    assert "<script>" not in page.text
    assert " style=" not in page.text
    assets = [asset for asset in assets if asset.startswith("/static/")]
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    starter = client.get("/static/swagger/swagger-init.js").text
    assert 'url: "/api/v1/openapi.json"' in starter
    assert 'dom_id: "#swagger"' in starter


def test_names_render_inert_on_the_admin_pages(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    admin = signed_in(web_app(engine, database_url), "admin")
    hostile = "<script>alert(1)</script>"
    created = _form(
        admin,
        "/admin/users",
        {"name": hostile, "email": "x@seller.example", "role": "sales", "password": "x" * 10},
    )
    for page in (admin.get("/admin/users"), admin.get(created.headers["location"])):
        assert hostile not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
