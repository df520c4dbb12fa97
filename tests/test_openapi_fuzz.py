"""Schemathesis against the REST API's own OpenAPI: no request may cause a server error.

Every operation under ``/api/v1`` gets generated requests (valid and invalid
ones, derandomised, :data:`EXAMPLES_PER_OPERATION` each) sent in-process to
the app on a SQLite demo workspace, with an admin API token as a Bearer
header.  The only check is ``not_a_server_error``: a bad request must be
answered with a 4xx problem, never a 5xx.

Requests may change the fuzzing admin itself (demote, deactivate, revoke
its token); before each request the admin and a working token are restored
through the same services the API uses, so every operation keeps being
exercised with full rights.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

from silverplatter.domain.access import GRANTS
from silverplatter.services.api_tokens import issue_token, token_principal
from silverplatter.services.audit import Actor
from silverplatter.services.demo import generate_demo
from silverplatter.services.recompute import recompute
from silverplatter.services.users import change_role, create_user, set_active
from silverplatter.services.workspace import init_workspace
from silverplatter.settings import Settings
from silverplatter.storage.engine import make_engine
from silverplatter.web.app import create_app

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FUZZER_EMAIL = "fuzz@seller.example"
EXAMPLES_PER_OPERATION = 15


@dataclass
class Fuzzer:
    """The admin the requests are sent as, and its current token."""

    engine: Engine
    user_id: int
    token: str = ""

    def headers(self) -> dict[str, str]:
        """A working admin token, restored first if an earlier request took it away."""
        with self.engine.begin() as connection:
            principal = token_principal(connection, self.token, now=NOW) if self.token else None
            if principal is None or principal.role != "admin":
                actor = Actor(None)
                change_role(connection, self.user_id, "admin", now=NOW, actor=actor)
                set_active(connection, self.user_id, True, now=NOW, actor=actor)
                issued = issue_token(
                    connection,
                    self.user_id,
                    name="schemathesis",
                    scopes=sorted(GRANTS["admin"]),
                    now=NOW,
                    actor=actor,
                )
                self.token = issued.token
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "workspace.db"
    engine = make_engine(f"sqlite:///{path}")
    init_workspace(engine, name="Fuzzed Oy", now=NOW)
    generate_demo(engine, contacts=120, seed=1, now=NOW)
    with engine.begin() as connection:
        recompute(connection, now=NOW)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def fuzzer(fuzz_engine: Engine) -> Fuzzer:
    with fuzz_engine.begin() as connection:
        user = create_user(
            connection,
            email=FUZZER_EMAIL,
            name="Fuzz Admin",
            role="admin",
            password=None,
            now=NOW,
            actor=Actor(None),
        )
    return Fuzzer(fuzz_engine, user.id)


# The OpenAPI document needs no database: the app is wired to the fuzzed
# workspace by ``_served`` once the workspace exists.
application = create_app(
    Settings(database_url="sqlite://", scoring_worker=False), clock=lambda: NOW
)
# Rendering the document takes a moment; on a machine busy with other work it passed
# schemathesis's default 10 s read timeout at collection and failed the whole module.
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", application, timeout=120)
# The coverage phase sends some 60 boundary cases per operation, which takes the run well
# past a minute; the examples and fuzzing phases (valid and invalid data) stay bounded.
schema.config.phases.coverage.enabled = False


@pytest.fixture(scope="module", autouse=True)
def _served(fuzz_engine: Engine) -> Iterator[None]:
    placeholder = application.state.engine
    application.state.engine = fuzz_engine
    yield
    application.state.engine = placeholder
    placeholder.dispose()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_causes_a_server_error(case: Any, fuzzer: Fuzzer) -> None:
    case.call_and_validate(headers=fuzzer.headers(), checks=[not_a_server_error])
