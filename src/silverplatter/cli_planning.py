"""``silverplatter plan …``: the funnel the history measures, and a plan computed from a
sales target — thin adapters over ``services/planning.py``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

# ``cli`` imports this module at its end, once its helpers exist.
from silverplatter import cli as base
from silverplatter.domain.planning import NEED_LABELS, NEEDS, STEP_LABELS, STEPS

Lookback = Annotated[
    int, typer.Option(min=1, max=60, help="Months of history to measure, before now.")
]


def _overrides(values: list[str], option: str) -> dict[str, str]:
    """``step=value`` pairs; a bad one names the option and the steps."""
    found: dict[str, str] = {}
    for value in values:
        step, _, number = value.partition("=")
        if step not in STEPS or not number:
            raise typer.BadParameter(
                f"expected STEP=VALUE with STEP one of {', '.join(STEPS)}, not {value!r}",
                param_hint=option,
            )
        found[f"{'rates' if option == '--rate' else 'durations'}.{step}"] = number
    return found


def register(app: typer.Typer) -> None:
    """Add ``silverplatter plan measure`` and ``silverplatter plan create``."""
    plan_app = typer.Typer(help="Planning backwards from a sales target: the service level.")
    app.add_typer(plan_app, name="plan")

    @plan_app.command("measure")
    def measure_command(
        database_url: base.DatabaseOption = None, lookback_months: Lookback = 12
    ) -> None:
        """Print each conversion rate with its trials, 80 % interval and median days."""
        from silverplatter.services.planning_history import measure

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.connect() as connection:
                found = measure(connection, now=base._now(), lookback_months=lookback_months)
        table = Table(title=f"The funnel from {found.since:%Y-%m-%d} to {found.until:%Y-%m-%d}")
        for column in ("step", "converted", "rate", "80 % interval", "median days", ""):
            table.add_column(column, justify="left" if column in ("step", "") else "right")
        for step in STEPS:
            m = found.steps[step]
            table.add_row(
                STEP_LABELS[step],
                f"{m.successes:,} of {m.trials:,}",
                "—" if m.rate is None else f"{m.rate:.1%}",
                f"{m.low:.1%}–{m.high:.1%}",
                "—" if m.median_days is None else f"{m.median_days:.1f}",
                "thin: set your own" if m.thin else "",
            )
        base.console.print(table)
        average = found.average_won_amount
        base.console.print(
            f"{found.won_deals:,} deals won"
            + ("" if average is None else f", {average:,.2f} on average")
        )

    @plan_app.command("create")
    def create_command(
        name: Annotated[str, typer.Option(help="What the plan is called.")],
        starts_on: Annotated[str, typer.Option(help="The first month, YYYY-MM.")],
        target: Annotated[str, typer.Option(help="Revenue to close per month or quarter.")],
        periods: Annotated[str, typer.Option(help="How many months or quarters.")] = "12",
        period: Annotated[str, typer.Option(help="month or quarter.")] = "month",
        deal_size: Annotated[
            str | None, typer.Option(help="Average deal size; by default the average won deal.")
        ] = None,
        currency: Annotated[str, typer.Option(help="Three-letter currency code.")] = "EUR",
        rate: Annotated[
            list[str] | None, typer.Option(help="Override a rate in percent: STEP=PERCENT.")
        ] = None,
        days: Annotated[
            list[str] | None, typer.Option(help="Override a median duration: STEP=DAYS.")
        ] = None,
        activate: Annotated[
            bool, typer.Option("--activate", help="Make it the service level at once.")
        ] = False,
        lookback_months: Lookback = 12,
        database_url: base.DatabaseOption = None,
    ) -> None:
        """Compute a plan from the target and the measured funnel, and save it."""
        from silverplatter.domain.planning import PlanInvalid
        from silverplatter.services.audit import Actor
        from silverplatter.services.planning import activate_plan, create_plan

        fields: dict[str, object] = {
            "name": name,
            "starts_on": starts_on,
            "target": target,
            "periods": periods,
            "period": period,
            "average_deal_size": deal_size,
            "currency": currency,
            "lookback_months": lookback_months,
            **_overrides(rate or [], "--rate"),
            **_overrides(days or [], "--days"),
        }
        actor = Actor(None, "command line")
        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            now = base._now()
            try:
                with engine.begin() as connection:
                    made = create_plan(connection, fields, actor=actor, now=now)
                    if activate:
                        made = activate_plan(connection, made.id, actor=actor, now=now)
            except PlanInvalid as invalid:
                for error in invalid.errors:
                    base.errors.print(f"[bold red]error:[/] {error.field}: {error.message}")
                raise typer.Exit(1) from None
        table = Table(title=f"Plan {made.id}: {made.name}")
        table.add_column("month")
        for need in NEEDS:
            table.add_column(NEED_LABELS[need], justify="right")
        for month in made.months:
            table.add_row(
                month["month"][:7] + (" lead-in" if month["lead_in"] else ""),
                *[str(month[need]["expected"]) for need in NEEDS],
            )
        base.console.print(table)
        state = "active: the service level" if made.active else "saved, not active"
        base.console.print(
            f"{made.sla_sqls_per_month:,} SQLs and {made.sla_mqls_per_month:,} MQLs a month "
            f"({state})"
        )
