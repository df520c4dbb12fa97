"""A workspace served in-process, with one signed-in client per role.

``signed_in(app, email)`` goes through the real sign-in form (CSRF cookie,
argon2 check, new session) and returns a ``TestClient`` whose ``csrf`` attribute
holds the session's token for state-changing requests.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from silverplatter.services.audit import Actor
from silverplatter.services.users import create_user
from silverplatter.services.workspace import init_workspace
from silverplatter.settings import Settings
from silverplatter.web.app import create_app

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
ROLE_EMAILS = {
    "admin": "ada@seller.example",
    "marketing": "mia@seller.example",
    "sales": "sam@seller.example",
}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def seed_users(engine: Engine, now: datetime = NOW) -> dict[str, int]:
    """A workspace with one user per role; returns role → user id."""
    init_workspace(engine, name="Seller Oy", now=now)
    ids = {}
    with engine.begin() as connection:
        for role, email in ROLE_EMAILS.items():
            user = create_user(
                connection,
                email=email,
                name=f"{role.title()} User",
                role=role,
                password=PASSWORD,
                now=now,
                actor=Actor(None),
            )
            ids[role] = user.id
    return ids


def web_app(engine: Engine, database_url: str, clock: Clock | None = None) -> FastAPI:
    return create_app(Settings(database_url=database_url), engine, clock=clock or Clock())


def login_token(client: TestClient) -> str:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the sign-in form carries a CSRF token"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    token = login_token(client)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


def csrf_of(client: TestClient) -> str:
    page = client.get("/")
    match = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert match, "a signed-in page carries the session's CSRF token"
    return match.group(1)


class SignedIn(TestClient):
    csrf: str


def signed_in(application: FastAPI, role_or_email: str) -> SignedIn:
    """A client signed in as the user of that role (or with that e-mail)."""
    email = ROLE_EMAILS.get(role_or_email, role_or_email)
    client = SignedIn(application, base_url="http://127.0.0.1")
    response = sign_in(client, email)
    assert response.status_code == 303, response.text
    client.csrf = csrf_of(client)
    return client
