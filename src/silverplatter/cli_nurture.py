"""``silverplatter worker`` and ``silverplatter sends …``: thin adapters over the task queue
and the send ledger."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

# ``cli`` imports this module at its end, once its helpers exist.
from silverplatter import cli as base


def register(app: typer.Typer) -> None:
    """Add ``silverplatter worker``, ``silverplatter sends`` and ``silverplatter bounces``."""
    sends_app = typer.Typer(help="Nurture mail: the send ledger and the bounce mailbox.")
    app.add_typer(sends_app, name="sends")

    @app.command()
    def worker(
        database_url: base.DatabaseOption = None,
        threads: Annotated[
            int, typer.Option(min=1, max=32, help="Tasks run side by side in this process.")
        ] = 2,
    ) -> None:
        """Run the task queue's worker: deliver nurture mail, start scheduled broadcasts,
        read the bounce mailbox (Redis when SILVERPLATTER_REDIS_URL is set, else a SQLite file
        beside the workspace)."""
        from silverplatter.jobs import make_queue, queue_path, run_worker

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        with base._failures() as stack:
            settings = base._settings(database_url)
            stack.enter_context(base._workspace(settings.database_url))  # it must exist
            queue = make_queue(settings)  # the worker's own engine: a small SQLite cache
            where = "Redis" if settings.redis_url else str(queue_path(settings))
            base.errors.print(f"Worker on {where}; Ctrl-C stops it.")
            if not settings.smtp_url:
                base.errors.print("No SILVERPLATTER_SMTP_URL: mail waits in the ledger.")
            run_worker(queue, workers=threads)

    @sends_app.command("status")
    def status(database_url: base.DatabaseOption = None) -> None:
        """How many sends are queued, being sent, sent, suppressed, failed and bounced."""
        from silverplatter.storage.mail_sends import due_count, status_counts

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.connect() as connection:
                counts = status_counts(connection)
                due = due_count(connection, base._now())
        table = base._figures("Send ledger", **counts)
        table.add_row("due now", f"{due:,}")
        base.console.print(table)

    @sends_app.command("deliver")
    def deliver(
        database_url: base.DatabaseOption = None,
        seconds: Annotated[float, typer.Option(min=1, help="Stop after this long.")] = 600.0,
    ) -> None:
        """Deliver due sends once in the foreground (what the worker does)."""
        from silverplatter.jobs import Runtime
        from silverplatter.services.sending import deliver_due

        with base._failures() as stack:
            settings = base._settings(database_url)
            engine = stack.enter_context(base._workspace(settings.database_url))
            runtime = Runtime(settings, engine, base._now)
            delivery = runtime.delivery()
            if delivery is None:
                raise base.Failure("no SMTP server: set SILVERPLATTER_SMTP_URL")
            try:
                report = deliver_due(delivery, seconds=seconds)
            finally:
                delivery.pool.close()
        base.console.print(
            base._figures(
                "Nurture mail",
                sent=report.sent,
                suppressed=report.suppressed,
                retried_later=report.retried,
                failed=report.failed,
                deferred=report.deferred,
            )
        )
        if report.stopped is not None:
            raise base.Failure(f"the SMTP server could not take mail ({report.stopped})")

    @sends_app.command("bounces")
    def bounces(database_url: base.DatabaseOption = None) -> None:
        """Read the bounce mailbox (SILVERPLATTER_BOUNCE_MAILBOX_URL) once."""
        from silverplatter.jobs import Runtime

        with base._failures() as stack:
            settings = base._settings(database_url)
            if not settings.bounce_mailbox_url:
                raise base.Failure("no bounce mailbox: set SILVERPLATTER_BOUNCE_MAILBOX_URL")
            engine = stack.enter_context(base._workspace(settings.database_url))
            count = Runtime(settings, engine, base._now).read_bounces()
        base.console.print(f"Read {count:,} delivery report{'' if count == 1 else 's'}.")
