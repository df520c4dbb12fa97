"""The web application: wiring of the API and the pages to one workspace database.

Everything is wired here, explicitly: the engine, the clock, the templates,
the rate limiters, the error handlers and each area's router.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from silverplatter import __version__
from silverplatter.jobs import EmbeddedWorker, make_queue
from silverplatter.services.import_jobs import MAX_UPLOAD_BYTES
from silverplatter.services.mail_courier import MailCourier
from silverplatter.services.scoring_backlog import BacklogScorer, backlog_size
from silverplatter.settings import Settings
from silverplatter.storage.engine import current_revision, make_engine, refresh_statistics
from silverplatter.web import api, problems, ui
from silverplatter.web.api import analytics as api_analytics
from silverplatter.web.api import broadcasts as api_broadcasts
from silverplatter.web.api import champion_moves as api_champion_moves
from silverplatter.web.api import email_templates as api_email_templates
from silverplatter.web.api import forms as api_forms
from silverplatter.web.api import lead_magnets as api_lead_magnets
from silverplatter.web.api import lists as api_lists
from silverplatter.web.api import mining as api_mining
from silverplatter.web.api import people_lists as api_people_lists
from silverplatter.web.api import planning as api_planning
from silverplatter.web.api import predictive as api_predictive
from silverplatter.web.api import privacy as api_privacy
from silverplatter.web.api import programmes as api_programmes
from silverplatter.web.api import segments as api_segments
from silverplatter.web.api import strategy as api_strategy
from silverplatter.web.api import suppressions as api_suppressions
from silverplatter.web.api import tasks as api_tasks
from silverplatter.web.api import tiers as api_tiers
from silverplatter.web.api import tracking as api_tracking
from silverplatter.web.api import understanding_grids as api_grids
from silverplatter.web.api import understanding_kano as api_kano
from silverplatter.web.api import understanding_worries as api_worries
from silverplatter.web.api import zipper_boards as api_zipper_boards
from silverplatter.web.capture import bounces as capture_bounces
from silverplatter.web.capture import downloads as capture_downloads
from silverplatter.web.capture import forms as capture_forms
from silverplatter.web.capture import mail_links as capture_mail_links
from silverplatter.web.capture import tracking as capture_tracking
from silverplatter.web.capture import unsubscribe as capture_unsubscribe
from silverplatter.web.rate_limit import RateLimiter
from silverplatter.web.templating import make_templates
from silverplatter.web.ui import analytics as ui_analytics
from silverplatter.web.ui import analytics_costs as ui_analytics_costs
from silverplatter.web.ui import api_docs
from silverplatter.web.ui import broadcasts as ui_broadcasts
from silverplatter.web.ui import champion_moves as ui_champion_moves
from silverplatter.web.ui import email_templates as ui_email_templates
from silverplatter.web.ui import forms as ui_forms
from silverplatter.web.ui import grids as ui_grids
from silverplatter.web.ui import kano as ui_kano
from silverplatter.web.ui import lead_magnets as ui_lead_magnets
from silverplatter.web.ui import lists as ui_lists
from silverplatter.web.ui import mining as ui_mining
from silverplatter.web.ui import people_lists as ui_people_lists
from silverplatter.web.ui import planning as ui_planning
from silverplatter.web.ui import predictive as ui_predictive
from silverplatter.web.ui import privacy as ui_privacy
from silverplatter.web.ui import programmes as ui_programmes
from silverplatter.web.ui import segments as ui_segments
from silverplatter.web.ui import strategy as ui_strategy
from silverplatter.web.ui import suppressions as ui_suppressions
from silverplatter.web.ui import tasks as ui_tasks
from silverplatter.web.ui import tiers as ui_tiers
from silverplatter.web.ui import tracking as ui_tracking
from silverplatter.web.ui import worries as ui_worries
from silverplatter.web.ui import zipper_boards as ui_zipper_boards

#: Sign-in attempts one address may make per window (seconds).
LOGIN_ATTEMPTS: Final = 10
LOGIN_WINDOW: Final = 60.0
HERE = Path(__file__).parent
PAGE_SIZE = ui.records.PAGE_SIZE

Clock = Callable[[], datetime]

#: The browser may load scripts, styles and pictures from this site only.
CONTENT_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)


#: Bodies larger than this are refused before they are read: uploads (multipart)
#: and everything else (JSON batches of events are a few hundred kB).
MAX_UPLOAD = MAX_UPLOAD_BYTES + 1024 * 1024
MAX_BODY = 20 * 1024 * 1024


def _too_large(request: Request) -> Response | None:
    """A 413 for a declared body over the limit, so it never reaches a temporary file."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        return None
    multipart = request.headers.get("content-type", "").startswith("multipart/")
    limit = MAX_UPLOAD if multipart else MAX_BODY
    if int(declared) <= limit:
        return None
    detail = f"the request is larger than {limit // (1024 * 1024)} MB"
    return problems.problem_response(413, detail)


def _system_clock() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    *,
    clock: Clock | None = None,
    background: bool = True,
) -> FastAPI:
    """Wire the application to one workspace database.

    ``background=False`` leaves the backlog scorer and the embedded task queue's
    consumer to another process of the same server (``web/serving.py``): two
    scorers on SQLite could fold the same queued events twice, and every
    consumer would queue the periodic tasks again.
    """
    database = engine or make_engine(settings.database_url, pool_pre_ping=True)
    now = clock or _system_clock
    scorer = BacklogScorer(database, now)
    smtp = settings.smtp_url.get_secret_value() if settings.smtp_url else ""
    courier = MailCourier(database, settings, now) if smtp else None
    # Nurture mail and scheduled broadcasts go through the task queue: with Redis,
    # `silverplatter worker` processes run it; without, threads of this process do.
    redis = settings.redis_url.get_secret_value() if settings.redis_url else ""
    task_queue = make_queue(settings, database, clock=now) if smtp or redis else None
    task_worker: EmbeddedWorker | None = None
    if task_queue is not None and not redis and background:
        task_worker = EmbeddedWorker(task_queue)

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        """Score what the API accepted while the server runs (tests call the service)."""
        refresh_statistics(database)
        scoring = settings.scoring_worker and background
        if scoring:
            scorer.start()
        if courier is not None:
            courier.start()
        if task_worker is not None:
            task_worker.start()
        try:
            yield
        finally:
            if scoring:
                scorer.stop()
            if courier is not None:
                courier.stop()
            if task_worker is not None:
                task_worker.stop()

    application = FastAPI(
        lifespan=lifespan,
        title="Silverplatter",
        version=__version__,
        description="Outside-in B2B lead management: records, events, scores, the sales queue.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    application.state.engine = database
    application.state.settings = settings
    application.state.clock = now
    application.state.scorer = scorer
    #: Delivers the outbox when an SMTP server is configured; ``wake()`` it after queueing.
    application.state.courier = courier
    #: The task queue (None without SMTP or Redis); ``deliver_soon()`` after queueing sends.
    application.state.task_queue = task_queue
    application.state.templates = make_templates()
    application.state.login_limiter = RateLimiter(limit=LOGIN_ATTEMPTS, window=LOGIN_WINDOW)
    application.state.workspace_name = None
    application.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    problems.install(application)

    @application.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        refused = _too_large(request)
        response = refused if refused is not None else await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CONTENT_POLICY)
        if "text/html" in response.headers.get("content-type", ""):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @application.get("/healthz", tags=["operations"])
    def healthz() -> JSONResponse:
        """Liveness and readiness: the database answers and its schema revision."""
        try:
            with database.connect() as connection:
                connection.execute(text("SELECT 1"))
            revision = current_revision(database)
            waiting = None
            if revision is not None and revision >= "0006":
                with database.connect() as connection:
                    waiting = backlog_size(connection)
        except SQLAlchemyError as error:
            return JSONResponse(
                {"status": "unavailable", "database": type(error).__name__}, status_code=503
            )
        return JSONResponse(
            {
                "status": "ok",
                "database": "ok",
                "schema": revision,
                "version": __version__,
                "scoring_backlog": waiting,
            }
        )

    # One router per area; an area's module may include its own sub-routers.
    for router in (
        ui.auth.router,
        ui.dashboard.router,
        ui.queue.router,
        ui.records.router,
        ui.people.router,
        ui_privacy.router,
        ui_lists.router,
        ui.model.router,
        ui.imports.router,
        ui.admin.router,
        api_docs.router,
        api.records.router,
        api_privacy.router,
        api_lists.router,
        api.engine.router,
        api.model.router,
        api.imports.router,
        api.admin.router,
        ui_segments.router,
        api_segments.router,
        capture_tracking.router,
        ui_tracking.router,
        api_tracking.router,
        ui_forms.router,
        api_forms.router,
        capture_forms.router,
        ui_tiers.router,
        api_tiers.router,
        ui_lead_magnets.router,
        ui_suppressions.router,
        api_lead_magnets.router,
        api_suppressions.router,
        capture_downloads.router,
        capture_unsubscribe.router,
        ui_predictive.router,
        api_predictive.router,
        ui_email_templates.router,
        api_email_templates.router,
        ui_broadcasts.router,
        api_broadcasts.router,
        capture_mail_links.router,
        capture_bounces.router,
        ui_programmes.router,
        api_programmes.router,
        ui_planning.router,
        api_planning.router,
        ui_mining.router,
        api_mining.router,
        ui_people_lists.router,
        api_people_lists.router,
        ui_tasks.router,
        api_tasks.router,
        ui_zipper_boards.router,
        ui_strategy.router,
        api_zipper_boards.router,
        api_strategy.router,
        ui_worries.router,
        api_worries.router,
        ui_grids.router,
        api_grids.router,
        ui_kano.router,
        api_kano.router,
        ui_analytics.router,
        ui_analytics_costs.router,
        api_analytics.router,
        ui_champion_moves.router,
        api_champion_moves.router,
    ):
        application.include_router(router)
    # The tracking endpoint's busy path skips the routing (web/capture/tracking.py).
    application.add_middleware(capture_tracking.TrackingFastPath)
    return application
