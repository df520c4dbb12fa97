"""``silverplatter worries …``: rebuild worry profiles from the event log.

A thin adapter over ``services/worry_profiles.py``.  Profiles are kept up to
date as events are scored; recompute them after changing
``SILVERPLATTER_WORRY_HALF_LIFE_DAYS`` or to check them.
"""

from __future__ import annotations

from typing import Annotated

import typer

# ``cli`` imports this module at its end, once its helpers exist.
from silverplatter import cli as base


def register(app: typer.Typer) -> None:
    """Add ``silverplatter worries recompute``."""
    worries_app = typer.Typer(help="Worry profiles of contacts and accounts.", no_args_is_help=True)
    app.add_typer(worries_app, name="worries")

    @worries_app.command("recompute")
    def recompute(
        database_url: base.DatabaseOption = None,
        half_life_days: Annotated[
            float | None,
            typer.Option(
                min=0.001,
                help="Half-life in days (default: SILVERPLATTER_WORRY_HALF_LIFE_DAYS, 90).",
            ),
        ] = None,
    ) -> None:
        """Rebuild every contact's and account's worry profile from the whole event log."""
        from silverplatter.services.worry_profiles import half_life, recompute_worry_profiles

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.begin() as connection:
                done = recompute_worry_profiles(
                    connection, now=base._now(), half_life_days=half_life_days
                )
            table = base._figures(
                "Worry profiles", worries=done.worries, keys_matched=done.keys, values=done.contacts
            )
            table.add_row("half-life (days)", f"{half_life(half_life_days):g}")
            table.add_row("seconds", f"{done.seconds:.1f}")
            base.console.print(table)


__all__ = ["register"]
