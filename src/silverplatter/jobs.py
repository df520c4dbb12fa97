"""Background work through the task queue (Huey): delivering mail, starting broadcasts,
reading the bounce mailbox.

The queue lives in Redis when ``SILVERPLATTER_REDIS_URL`` is set (``RedisHuey``:
any number of ``silverplatter worker`` processes on any machines), else in a
SQLite file (``SqliteHuey``) beside a SQLite workspace —
``silverplatter.tasks.db`` — or at ``SILVERPLATTER_TASK_QUEUE_PATH``.

Tasks (each calls a service; none holds a rule of its own):

``deliver_mail``       hand due sends to the SMTP server for up to ``PASS_SECONDS``;
                       queued again at once when more are due
``start_broadcasts``   expand broadcasts whose scheduled time came into the ledger
``read_bounces``       fetch and classify delivery reports from the bounce mailbox
``run_programmes``     run the nurture programmes' due steps (every tenth minute, let
                       new entry-segment members in first); delivery follows at once
                       when they queued mail
``tick``               every minute: all four (periodic)
``refresh_windows``    every night at 02:30: each account's buying window inferred again
                       from its contracts, installed base and qualifications (periodic)
``refresh_figures``    every tenth minute, on a big workspace: the dashboard's and the
                       list KPIs' snapshots counted afresh (periodic)
``assign_needs``       every hour at :20, where needs segments exist and a person has
                       assigned accounts before: accounts placed in their needs segments
                       again, as worry profiles fade and grow (periodic)

A task is also queued right after something was queued for sending (a
broadcast sent now), so mail leaves in the same second, and when a worker
starts, so a worker restarted after a crash resumes at once.  Within one
process only one ``deliver_mail`` runs at a time (it owns the process's SMTP
connections); several processes deliver side by side, because claiming a
send is a conditional update.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from silverplatter.services.bounce_mailbox import read_mailbox
from silverplatter.services.broadcasts import start_due_broadcasts
from silverplatter.services.buying_windows import refresh_buying_windows
from silverplatter.services.figure_snapshots import DEFAULT_KINDS, counted_live, refresh
from silverplatter.services.mail_composer import Composer, Links
from silverplatter.services.mail_handover import Pool
from silverplatter.services.needs_segments import keep_needs_segments_current
from silverplatter.services.programme_tick import run_programmes
from silverplatter.services.sending import Delivery, Pace, deliver_due
from silverplatter.services.signing import signer_for
from silverplatter.services.smtp import SmtpTarget
from silverplatter.services.workspace import workspace_name
from silverplatter.settings import Settings
from silverplatter.storage.engine import make_engine

log = logging.getLogger(__name__)

#: How long one ``deliver_mail`` task delivers before it makes way for other tasks.
PASS_SECONDS = 50.0
QUEUE_NAME = "silverplatter"


def queue_path(settings: Settings) -> Path:
    """Where the embedded (SQLite) task queue keeps its file."""
    if settings.task_queue_path:
        return Path(settings.task_queue_path)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(f"{database.stem}.tasks.db")
    return Path("silverplatter.tasks.db")


#: SQLite page cache of a worker's connections (KiB): the web app keeps 128 MiB of pages
#: hot for its lists; a worker streams through the ledger once and needs few.
WORKER_SQLITE_CACHE_KIB = 16_384


def worker_engine(database_url: str) -> Engine:
    """The workspace engine as a worker uses it: a small SQLite page cache keeps its memory
    flat however many messages go through it."""
    engine = make_engine(database_url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        def _small_cache(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA cache_size = -{WORKER_SQLITE_CACHE_KIB}")
            cursor.close()

        event.listen(engine, "connect", _small_cache)
    return engine


def _system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    """What the tasks of one process share: the engine and the mail machinery, made lazily."""

    settings: Settings
    engine: Engine | None = None
    clock: Callable[[], datetime] = _system_clock
    _delivery: Delivery | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _owns_engine: bool = False

    def database(self) -> Engine:
        if self.engine is None:
            self.engine = worker_engine(self.settings.database_url)
            self._owns_engine = True
        return self.engine

    def delivery(self) -> Delivery | None:
        """The process's ``sending.Delivery`` (None without an SMTP server)."""
        if self._delivery is None:
            smtp = self.settings.smtp_url.get_secret_value() if self.settings.smtp_url else ""
            if not smtp:
                return None
            engine = self.database()
            with engine.connect() as connection:
                signer = signer_for(connection, self.settings)
            composer = Composer(
                Links(signer, self.settings.public_url),
                sender=self.settings.mail_from,
                workspace=workspace_name(engine),
            )
            self._delivery = Delivery(
                engine,
                Pool(SmtpTarget.from_url(smtp), size=self.settings.send_connections),
                composer,
                self.clock,
                pace=Pace(self.settings.send_rate, self.settings.send_domain_rate),
                claim_timeout=timedelta(seconds=self.settings.send_claim_timeout),
            )
        return self._delivery

    def deliver(self) -> bool:
        """One delivery pass; True when more may be due right away."""
        if not self._lock.acquire(blocking=False):
            return False  # this process is delivering already; that pass picks it up
        try:
            delivery = self.delivery()
            if delivery is None:
                return False
            try:
                report = deliver_due(delivery, seconds=PASS_SECONDS)
            finally:
                delivery.pool.close()
            if report.handled:
                log.info(
                    "mail: %d sent, %d suppressed, %d to retry, %d failed, %d deferred",
                    report.sent,
                    report.suppressed,
                    report.retried,
                    report.failed,
                    report.deferred,
                )
            return report.handled > 0 and report.stopped is None
        finally:
            self._lock.release()

    def start_broadcasts(self) -> int:
        return start_due_broadcasts(self.database(), now=self.clock())

    def read_bounces(self) -> int:
        secret = self.settings.bounce_mailbox_url
        if secret is None or not secret.get_secret_value():
            return 0
        return read_mailbox(
            self.database(),
            secret.get_secret_value(),
            now=self.clock(),
            soft_limit=self.settings.soft_bounce_limit,
        )

    def run_programmes(self) -> int:
        """The programmes' tick; how many e-mails it queued."""
        entered, report = run_programmes(self.database(), now=self.clock)
        if report.ran or any(entered.values()):
            log.info(
                "programmes: %d entered, %d steps run, %d e-mails queued, %d tasks",
                sum(entered.values()),
                report.ran,
                report.sent,
                report.tasks,
            )
        return report.sent

    def refresh_windows(self) -> int:
        """Each account's buying window from what is known today; how many accounts have one."""
        now = self.clock()
        with self.database().begin() as connection:
            return refresh_buying_windows(connection, today=now.date(), now=now)

    def refresh_figures(self) -> int:
        """On a big workspace, count the dashboard's and the list KPIs' snapshots afresh;
        how many kinds were counted (none on a small workspace, which counts live)."""
        engine = self.database()
        with engine.connect() as connection:
            if counted_live(connection, live_up_to=self.settings.live_figures_up_to):
                return 0
        now = self.clock()
        for kind in DEFAULT_KINDS:
            refresh(engine, kind, now=now)
        return len(DEFAULT_KINDS)

    def assign_needs(self) -> int | None:
        """Accounts placed in their needs segments again; how many moved (None when the
        workspace has no needs segments or never asked for rule-based assignment)."""
        now = self.clock()
        with self.database().begin() as connection:
            done = keep_needs_segments_current(connection, now=now)
        if done is None:
            return None
        if done.moved:
            log.info("needs segments: %d accounts moved", done.moved)
        return done.moved

    def close(self) -> None:
        if self._owns_engine and self.engine is not None:
            self.engine.dispose()


@dataclass
class TaskQueue:
    """The queue and its tasks; ``deliver_soon`` and friends enqueue them."""

    huey: Huey
    runtime: Runtime
    tasks: dict[str, Any]

    def deliver_soon(self) -> None:
        self.tasks["deliver_mail"]()

    def start_broadcasts_soon(self) -> None:
        self.tasks["start_broadcasts"]()

    def kick_off(self) -> None:
        """What a starting worker does first: resume delivery and due broadcasts."""
        self.start_broadcasts_soon()
        self.deliver_soon()


def make_queue(
    settings: Settings,
    engine: Engine | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    immediate: bool = False,
) -> TaskQueue:
    """The workspace's task queue with its tasks registered (``immediate`` runs them inline)."""
    huey: Huey
    if settings.redis_url is not None and settings.redis_url.get_secret_value():
        huey = RedisHuey(
            QUEUE_NAME,
            url=settings.redis_url.get_secret_value(),
            results=False,
            immediate=immediate,
        )
    else:
        path = queue_path(settings)
        huey = SqliteHuey(QUEUE_NAME, filename=str(path), results=False, immediate=immediate)
    runtime = Runtime(settings, engine, clock or _system_clock)
    tasks: dict[str, Any] = {}

    def deliver_mail() -> None:
        if runtime.deliver():
            tasks["deliver_mail"]()

    def start_broadcasts() -> None:
        if runtime.start_broadcasts():
            tasks["deliver_mail"]()

    def read_bounces() -> None:
        runtime.read_bounces()

    def programmes() -> None:
        if runtime.run_programmes():
            tasks["deliver_mail"]()

    def tick() -> None:
        tasks["start_broadcasts"]()
        tasks["deliver_mail"]()
        tasks["read_bounces"]()
        tasks["run_programmes"]()

    tasks.update(
        deliver_mail=huey.task()(deliver_mail),
        start_broadcasts=huey.task()(start_broadcasts),
        read_bounces=huey.task()(read_bounces),
        run_programmes=huey.task()(programmes),
        refresh_windows=huey.periodic_task(crontab(hour="2", minute="30"))(runtime.refresh_windows),
        refresh_figures=huey.periodic_task(crontab(minute="*/10"))(runtime.refresh_figures),
        assign_needs=huey.periodic_task(crontab(minute="20"))(runtime.assign_needs),
        tick=huey.periodic_task(crontab(minute="*"))(tick),
    )
    return TaskQueue(huey, runtime, tasks)


class _QuietConsumer(Consumer):  # type: ignore[misc]
    """A consumer inside another program: it leaves the program's signal handlers alone."""

    def _set_signal_handlers(self) -> None:
        return None


class EmbeddedWorker:
    """The consumer as threads of the web process (no Redis: one machine, one queue file)."""

    def __init__(self, queue: TaskQueue, workers: int = 2) -> None:
        self.queue = queue
        self._consumer = _QuietConsumer(queue.huey, workers=workers, worker_type="thread")

    def start(self) -> None:
        self._consumer.start()
        self.queue.kick_off()

    def stop(self) -> None:
        self._consumer.stop(graceful=True)


def run_worker(queue: TaskQueue, workers: int = 2) -> None:
    """``silverplatter worker``: run the consumer in the foreground until a signal stops it."""
    queue.kick_off()
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()


__all__ = ["EmbeddedWorker", "Runtime", "TaskQueue", "make_queue", "queue_path", "run_worker"]
