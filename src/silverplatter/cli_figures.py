"""``silverplatter figures …``: count the dashboard's and the list KPIs' snapshots.

A thin adapter over ``services/figure_snapshots.py``.  On a big workspace the
web app counts these in the background when a page finds them stale; run
``silverplatter figures refresh`` from cron (or after a big import) to keep
them fresh without anyone waiting.
"""

from __future__ import annotations

from typing import Annotated

import typer

# ``cli`` imports this module at its end, once its helpers exist.
from silverplatter import cli as base


def register(app: typer.Typer) -> None:
    """Add ``silverplatter figures refresh``."""
    figures_app = typer.Typer(
        help="Snapshots of the dashboard's and the list KPIs' figures.", no_args_is_help=True
    )
    app.add_typer(figures_app, name="figures")

    @figures_app.command("refresh")
    def refresh_figures(
        database_url: base.DatabaseOption = None,
        kind: Annotated[
            list[str] | None,
            typer.Option(
                "--kind",
                help="dashboard, list_summary or list_kpis:<months> (repeatable; default: all).",
            ),
        ] = None,
    ) -> None:
        """Count the figures as of now and store them as the pages' snapshots."""
        from silverplatter.services.figure_snapshots import DEFAULT_KINDS, kind_named, refresh

        with base._failures() as stack:
            try:
                kinds = [kind_named(name) for name in kind] if kind else list(DEFAULT_KINDS)
            except LookupError as error:
                raise typer.BadParameter(str(error), param_hint="--kind") from None
            engine = stack.enter_context(base._workspace(database_url))
            now = base._now()
            table = base._figures("Figures counted")
            for chosen in kinds:
                seconds = refresh(engine, chosen, now=now)
                table.add_row(chosen.name, f"{seconds:.1f} s")
            base.console.print(table)


__all__ = ["register"]
