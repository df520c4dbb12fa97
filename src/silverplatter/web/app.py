"""The web application: health check and the first pages over the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Protocol

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Connection, Engine, Row, text
from sqlalchemy.exc import SQLAlchemyError

from silverplatter import __version__
from silverplatter.services.workspace import workspace_name, workspace_status
from silverplatter.settings import Settings
from silverplatter.storage.accounts import page_of_accounts
from silverplatter.storage.contacts import page_of_contacts
from silverplatter.storage.engine import current_revision, make_engine

HERE = Path(__file__).parent
PAGE_SIZE = 50

After = Annotated[int | None, Query(ge=0, description="last id of the previous page")]
Search = Annotated[str | None, Query(max_length=200)]


class PageOf(Protocol):
    def __call__(
        self, connection: Connection, *, after_id: int | None, limit: int, search: str | None
    ) -> list[Row[Any]]: ...


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """Wire the application to one workspace database."""
    database = engine or make_engine(settings.database_url, pool_pre_ping=True)
    templates = Jinja2Templates(directory=HERE / "templates")
    application = FastAPI(
        title="Silverplatter",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    application.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    application.state.engine = database

    @application.get("/healthz", tags=["operations"])
    def healthz() -> JSONResponse:
        """Liveness and readiness: the database answers and its schema revision."""
        try:
            with database.connect() as connection:
                connection.execute(text("SELECT 1"))
            revision = current_revision(database)
        except SQLAlchemyError as error:
            return JSONResponse(
                {"status": "unavailable", "database": type(error).__name__}, status_code=503
            )
        return JSONResponse(
            {"status": "ok", "database": "ok", "schema": revision, "version": __version__}
        )

    def _page(request: Request, template: str, name: str, context: dict[str, Any]) -> HTMLResponse:
        return templates.TemplateResponse(
            request, template, {"workspace_name": name, "version": __version__, **context}
        )

    def _no_workspace(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(
            request, "base.html", {"workspace_name": None, "version": __version__}, status_code=503
        )

    @application.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        if (status := workspace_status(database)) is None:
            return _no_workspace(request)
        with database.connect() as connection:
            top_accounts = page_of_accounts(connection, after_id=None, limit=10, search=None)
            top_contacts = page_of_contacts(connection, after_id=None, limit=10, search=None)
        context = {"figures": status, "accounts": top_accounts, "contacts": top_contacts}
        return _page(request, "home.html", status.name, context)

    def _listing(
        request: Request, kind: str, page: PageOf, after: int | None, q: str | None
    ) -> HTMLResponse:
        """One page of a keyset-paginated, searchable list (accounts or contacts)."""
        if (name := workspace_name(database)) is None:
            return _no_workspace(request)
        with database.connect() as connection:
            rows = page(connection, after_id=after, limit=PAGE_SIZE, search=q)
        following = rows[-1].id if len(rows) == PAGE_SIZE else None
        context = {"kind": kind, "rows": rows, "q": q or "", "following": following}
        return _page(request, "list.html", name, context)

    @application.get("/accounts", response_class=HTMLResponse, include_in_schema=False)
    def account_list(request: Request, after: After = None, q: Search = None) -> HTMLResponse:
        return _listing(request, "accounts", page_of_accounts, after, q)

    @application.get("/contacts", response_class=HTMLResponse, include_in_schema=False)
    def contact_list(request: Request, after: After = None, q: Search = None) -> HTMLResponse:
        return _listing(request, "contacts", page_of_contacts, after, q)

    return application
