"""Sign-in, sessions, CSRF, lockout, rate limits and API tokens, on both backends."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from silverplatter.services.api_tokens import issue_token, revoke_token
from silverplatter.services.audit import Actor
from silverplatter.storage.access_schema import api_tokens, audit_log, web_sessions
from silverplatter.storage.schema import users
from web_world import (
    NOW,
    ROLE_EMAILS,
    Clock,
    csrf_of,
    login_token,
    seed_users,
    sign_in,
    signed_in,
    web_app,
)


def test_pages_redirect_to_sign_in_and_back(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = TestClient(web_app(engine, database_url))
    response = client.get("/contacts?q=nord", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/login?next=%2Fcontacts%3Fq%3Dnord",
    )
    token = login_token(client)
    signed = client.post(
        "/login",
        data={
            "email": ROLE_EMAILS["sales"],
            "password": "correct horse battery",
            "csrf_token": token,
            "next": "/contacts?q=nord",
        },
        follow_redirects=False,
    )
    assert (signed.status_code, signed.headers["location"]) == (303, "/contacts?q=nord")
    assert client.get("/contacts?q=nord").status_code == 200


def test_sign_in_never_redirects_off_site(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = TestClient(web_app(engine, database_url))
    token = login_token(client)
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        response = client.post(
            "/login",
            data={
                "email": ROLE_EMAILS["admin"],
                "password": "correct horse battery",
                "csrf_token": token,
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"
        token = login_token(client)


def test_api_asks_for_credentials_as_a_problem(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = TestClient(web_app(engine, database_url))
    application = client.app
    assert application is not None
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200


def test_session_is_rotated_at_sign_in(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = TestClient(web_app(engine, database_url))
    sign_in(client, ROLE_EMAILS["admin"])
    first = client.cookies["sp_session"]
    sign_in(client, ROLE_EMAILS["admin"])
    second = client.cookies["sp_session"]
    assert first != second
    with engine.connect() as connection:
        assert connection.execute(select(web_sessions.c.id)).scalars().all() != []
        assert len(connection.execute(select(web_sessions.c.id)).all()) == 1
    stale = TestClient(client.app, cookies={"sp_session": first})
    assert stale.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_then_lockout_after_five(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    clock = Clock()
    client = TestClient(web_app(engine, database_url, clock))
    statuses = [
        sign_in(client, ROLE_EMAILS["sales"], "wrong password!").status_code for _ in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 401]
    locked = sign_in(client, ROLE_EMAILS["sales"])
    assert locked.status_code == 401
    assert "locked for 15 minutes" in locked.text
    clock.advance(minutes=16)
    assert sign_in(client, ROLE_EMAILS["sales"]).status_code == 303
    with engine.connect() as connection:
        actions = connection.execute(select(audit_log.c.action)).scalars().all()
    assert actions.count("user.locked") == 1


def test_unknown_user_and_wrong_password_read_the_same(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = TestClient(web_app(engine, database_url))
    unknown = sign_in(client, "nobody@seller.example")
    wrong = sign_in(client, ROLE_EMAILS["admin"], "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "Wrong e-mail or password." in unknown.text
    assert "Wrong e-mail or password." in wrong.text


def test_sign_in_is_rate_limited_per_address(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = TestClient(web_app(engine, database_url))
    statuses = [sign_in(client, f"u{n}@seller.example", "x" * 12).status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]


def test_sign_in_form_without_its_token_is_refused(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = TestClient(web_app(engine, database_url))
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": ROLE_EMAILS["admin"], "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "sp_session" not in client.cookies


def test_state_changes_need_the_csrf_token(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200
    forged = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    done = client.post("/logout", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_deactivated_user_loses_the_session(engine: Engine, database_url: str) -> None:
    ids = seed_users(engine)
    client = signed_in(web_app(engine, database_url), "sales")
    with engine.begin() as connection:
        connection.execute(users.update().where(users.c.id == ids["sales"]).values(active=False))
    assert client.get("/", follow_redirects=False).status_code == 303


def test_session_expires(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    clock = Clock()
    client = signed_in(web_app(engine, database_url, clock), "admin")
    clock.advance(hours=11, minutes=59)
    assert client.get("/", follow_redirects=False).status_code == 200
    clock.advance(minutes=2)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_tokens_act_with_their_scopes_and_can_be_revoked(engine: Engine, database_url: str) -> None:
    ids = seed_users(engine)
    clock = Clock()
    with engine.begin() as connection:
        issued = issue_token(
            connection,
            ids["marketing"],
            name="warehouse sync",
            scopes=["records:read"],
            now=NOW,
            actor=Actor(ids["marketing"]),
        )
    client = TestClient(web_app(engine, database_url, clock))
    bearer = {"Authorization": f"Bearer {issued.token}"}
    assert client.get("/contacts", headers=bearer).status_code == 200
    # dashboard:read is the marketing role's, but not this token's
    assert client.get("/", headers=bearer).status_code == 403
    with engine.connect() as connection:
        stored = connection.execute(select(api_tokens)).one()
    assert issued.token not in (stored.token_hash, stored.prefix)
    assert stored.last_used_at == NOW
    with engine.begin() as connection:
        revoke_token(connection, issued.id, now=NOW, actor=Actor(ids["admin"]), may_any=True)
    assert client.get("/contacts", headers=bearer, follow_redirects=False).status_code == 303
    with engine.connect() as connection:
        actions = connection.execute(select(audit_log.c.action)).scalars().all()
    assert actions[-2:] == ["token.created", "token.revoked"]


def test_pages_carry_security_headers(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    client = signed_in(web_app(engine, database_url), "admin")
    response = client.get("/")
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert csrf_of(client) == client.csrf


def test_a_body_over_the_limit_is_refused_before_it_is_read(
    engine: Engine, database_url: str
) -> None:
    seed_users(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    response = client.post(
        "/api/v1/events",
        content=b"{}",
        headers={
            "Content-Length": str(21 * 1024 * 1024),
            "Content-Type": "application/json",
            "X-CSRF-Token": client.csrf,
        },
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "the request is larger than 20 MB"


def test_sign_in_time_is_kept_and_shown_to_admins(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    clock = Clock()
    application = web_app(engine, database_url, clock)
    signed_in(application, "sales")
    clock.advance(hours=1)
    admin = signed_in(application, "admin")
    with engine.connect() as connection:
        times = dict(connection.execute(select(users.c.email, users.c.last_signed_in_at)).all())
    assert times == {
        ROLE_EMAILS["admin"]: NOW + timedelta(hours=1),
        ROLE_EMAILS["marketing"]: None,
        ROLE_EMAILS["sales"]: NOW,
    }
    page = admin.get("/admin/users").text
    assert "2026-03-02 09:00" in page and "never" in page
