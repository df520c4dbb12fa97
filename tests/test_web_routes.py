"""Every route checks a permission, and each role gets exactly what its grants say.

The test walks the application's routes, so a new route without
``requires(...)`` fails here, and so does one that answers a role it should
refuse (or refuses one it should answer).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import Engine

from silverplatter.domain.access import GRANTS, ROLES
from silverplatter.web.security import is_public
from web_world import seed_users, signed_in, web_app


def _permissions(dependant: Any) -> list[str]:
    found = []
    for sub in dependant.dependencies:
        permission = getattr(sub.call, "permission", None)
        if permission is not None:
            found.append(permission)
        found.extend(_permissions(sub))
    return found


def _flat(routes: list[Any]) -> list[Any]:
    """Routes of included routers too (routers carry full paths, no include prefix)."""
    flat = []
    for route in routes:
        included = getattr(route, "original_router", None)
        flat.extend(_flat(included.routes) if included is not None else [route])
    return flat


def _routes(application: Any) -> list[tuple[APIRoute, str]]:
    routes = []
    for route in _flat(application.routes):
        if not isinstance(route, APIRoute):
            continue
        permissions = _permissions(route.dependant)
        if is_public(route.path):
            continue
        assert len(permissions) == 1, f"{route.path} must require exactly one permission"
        routes.append((route, permissions[0]))
    return routes


def test_every_route_requires_one_permission(engine: Engine, database_url: str) -> None:
    routes = _routes(web_app(engine, database_url))
    assert len(routes) >= 3


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_its_grants_say(engine: Engine, database_url: str, role: str) -> None:
    seed_users(engine)
    application = web_app(engine, database_url)
    client = signed_in(application, role)
    for route, permission in _routes(application):
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(route.methods - {"HEAD"}):
            response = client.request(
                method,
                path,
                headers={"X-CSRF-Token": client.csrf, "Accept": "application/json"},
                json={} if method in {"POST", "PUT", "PATCH"} else None,
                follow_redirects=False,
            )
            allowed = permission in GRANTS[role]  # type: ignore[index]
            assert response.status_code < 500, f"{method} {path} as {role}: server error"
            if allowed:
                assert response.status_code != 403, f"{method} {path} refused {role}"
            else:
                assert response.status_code == 403, f"{method} {path} answered {role}"
