"""``silverplatter programmes …``: run the programmes' tick, list programmes and their
enrolments — thin adapters over the services (the worker runs the same tick every minute)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

# ``cli`` imports this module at its end, once its helpers exist.
from silverplatter import cli as base


def register(app: typer.Typer) -> None:
    """Add ``silverplatter programmes tick`` / ``list`` and ``silverplatter windows refresh``."""
    programmes_app = typer.Typer(help="Nurture programmes: run due steps, see enrolments.")
    windows_app = typer.Typer(help="Buying windows: infer each account's from what is known.")
    app.add_typer(programmes_app, name="programmes")
    app.add_typer(windows_app, name="windows")

    @windows_app.command("refresh")
    def refresh(database_url: base.DatabaseOption = None) -> None:
        """Infer every account's buying window again (the worker does it every night)."""
        from silverplatter.services.buying_windows import refresh_buying_windows

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            now = base._now()
            with engine.begin() as connection:
                found = refresh_buying_windows(connection, today=now.date(), now=now)
        base.console.print(f"{found:,} accounts have an inferred buying window")

    @programmes_app.command("tick")
    def tick(
        database_url: base.DatabaseOption = None,
        batch: Annotated[
            int, typer.Option(min=1, max=100_000, help="Enrolments per transaction.")
        ] = 1000,
        no_entry: Annotated[
            bool, typer.Option("--no-entry", help="Skip letting new segment members enter.")
        ] = False,
    ) -> None:
        """Let new members of entry segments enter, then run every step that is due."""
        from silverplatter.services.programme_tick import run_programmes

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            entered, report = run_programmes(engine, now=base._now, enter=not no_entry, batch=batch)
        for slug, count in sorted(entered.items()):
            base.console.print(f"{slug}: {count:,} entered")
        if report.busy:
            base.errors.print("Another tick holds the programmes' lock; try again shortly.")
        base.console.print(
            base._figures(
                "Programme tick",
                ran=report.ran,
                sent=report.sent,
                tasks=report.tasks,
                completed=report.completed,
                exited=report.exited,
                failed=report.failed,
            )
        )

    @programmes_app.command("list")
    def listing(database_url: base.DatabaseOption = None) -> None:
        """Every programme with its status and enrolments per status."""
        from silverplatter.services.programmes import ENROLMENT_STATUSES, list_programmes

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.connect() as connection:
                items = list_programmes(connection)
        table = Table(title="Programmes")
        for column in ("id", "slug", "status", "version", *ENROLMENT_STATUSES):
            table.add_column(column, justify="right" if column != "slug" else "left")
        for item in items:
            table.add_row(
                str(item.id),
                item.slug,
                item.status,
                str(item.version),
                *(f"{item.counts[s]:,}" for s in ENROLMENT_STATUSES),
            )
        base.console.print(table)
