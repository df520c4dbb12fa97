"""Commands for the sales queue and handover: thin adapters over the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

# ``cli`` imports this module at its end, once its helpers exist.
from silverplatter import cli as base

if TYPE_CHECKING:
    from silverplatter.services.sales_queue import QueueCard


def _queue_table(cards: list[QueueCard]) -> Table:
    table = Table(title="Sales queue", show_lines=True)
    for name in ("#", "Person", "Account", "Grade", "Score", "Why now", "Window", "Due", "Next"):
        table.add_column(name, overflow="fold")
    for rank, card in enumerate(cards, start=1):
        email = card.email if card.email != card.name else None
        person = "\n".join(part for part in (card.name, card.title, email) if part)
        account = f"{card.account_name or '—'}\n{card.tier}"
        if card.due_at is None:
            due = "not handed over"
        else:
            due = card.due_at.strftime("%Y-%m-%d %H:%M")
            if card.overdue:
                due += f"\n[bold red]overdue {card.days_overdue} d[/]"
        table.add_row(
            str(rank),
            person + (f"\nowner: {card.owner_name}" if card.owner_name else ""),
            account,
            card.grade or "—",
            f"{card.score:.1f}" if card.score is not None else "—",
            "\n".join(card.why_now) or "—",
            card.window,
            due,
            card.next_action,
        )
    return table


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``silverplatter`` command."""
    handover_app = typer.Typer(help="Handover of SQLs to sales, with a service level.")
    app.add_typer(handover_app, name="handover")

    @app.command()
    def queue(
        database_url: base.DatabaseOption = None,
        owner: Annotated[
            str | None, typer.Option("--owner", help="Only this salesperson's cards (email).")
        ] = None,
        limit: Annotated[int, typer.Option("--limit", min=1, help="How many cards.")] = 50,
    ) -> None:
        """Show the sales queue: SQLs on a silver platter, overdue first."""
        from silverplatter.services.sales_queue import sales_queue
        from silverplatter.storage.users import ids_by_email

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.begin() as connection:
                owner_id = None
                if owner is not None:
                    found = ids_by_email(connection, [owner.strip().lower()])
                    if not found:
                        raise base.Failure(f"--owner: no user with the email {owner!r}")
                    owner_id = next(iter(found.values()))
                cards = sales_queue(connection, now=base._now(), owner_id=owner_id, limit=limit)
            if not cards:
                base.console.print("The sales queue is empty.")
                return
            base.console.print(_queue_table(cards))

    @handover_app.command("check")
    def check(database_url: base.DatabaseOption = None) -> None:
        """Hand over new SQLs and raise an alert for each quasi-lead (once)."""
        from silverplatter.services.handover import hand_over_new_sqls, raise_alerts

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            now = base._now()
            with engine.begin() as connection:
                handed = hand_over_new_sqls(connection, now=now)
                alerts = raise_alerts(connection, now=now)
            base.console.print(f"Handed over {len(handed):,} new SQLs.")
            if not alerts:
                base.console.print("No new quasi-leads.")
                return
            table = Table(title=f"Quasi-leads: {len(alerts):,} new alerts")
            for name in ("Person", "Account", "Owner", "Due", "Overdue", "Alert to"):
                table.add_column(name, overflow="fold")
            for alert in alerts:
                table.add_row(
                    f"{alert.contact_name}\n{alert.contact_email}",
                    f"{alert.account_name or '—'}\n{alert.tier}",
                    alert.owner_name or "unassigned",
                    alert.due_at.strftime("%Y-%m-%d %H:%M"),
                    f"{alert.days_overdue} d",
                    ", ".join(r.email for r in alert.alert_to) or "no active admin",
                )
            base.console.print(table)
