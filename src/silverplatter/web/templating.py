"""Rendering pages: one Jinja2 environment, autoescaped, with what every page needs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import SQLAlchemyError

from silverplatter import __version__
from silverplatter.services.sessions import Principal
from silverplatter.services.workspace import workspace_name

HERE = Path(__file__).parent

#: The navigation: label, path, the permission that shows it.
NAVIGATION: Final = (
    ("Dashboard", "/", "dashboard:read"),
    ("Sales queue", "/queue", "queue:read"),
    ("Tasks", "/tasks", "queue:read"),
    ("Contacts", "/contacts", "records:read"),
    ("Accounts", "/accounts", "records:read"),
    ("Scoring model", "/model", "model:read"),
    ("Predictive", "/predictive", "model:read"),
    ("Import", "/import", "imports:write"),
    ("Capture", "/forms", "capture:read"),
    ("Segments", "/segments", "segments:read"),
    ("Tiers", "/tiers", "segmentation:read"),
    ("Nurture", "/programmes", "nurture:read"),
    ("Planning", "/planning", "planning:read"),
    ("Lost leads", "/mining", "planning:read"),
    ("People lists", "/people-lists", "planning:read"),
    ("Customer", "/boards", "understanding:read"),
    ("Analytics", "/analytics", "planning:read"),
    ("Champion moves", "/champion-moves", "records:read"),
    ("Users", "/admin/users", "users:manage"),
)


def _when(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return "" if value is None else value.strftime(pattern)


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["when"] = _when
    templates.env.filters["number"] = _number
    templates.env.globals["version"] = __version__
    return templates


def _workspace_name(request: Request) -> str | None:
    """The workspace's name, looked up again until there is one."""
    state = request.app.state
    if getattr(state, "workspace_name", None) is None:
        try:
            state.workspace_name = workspace_name(state.engine)
        except SQLAlchemyError:
            return None
    name: str | None = state.workspace_name
    return name


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """A page with the signed-in user, their navigation and the CSRF token."""
    principal: Principal | None = getattr(request.state, "principal", None)
    navigation = [
        (label, path)
        for label, path, permission in NAVIGATION
        if principal is not None and principal.may(permission)
    ]
    base = {
        "principal": principal,
        "navigation": navigation,
        "csrf_token": principal.csrf_token if principal is not None else None,
        "workspace_name": _workspace_name(request),
        "path": request.url.path,
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
