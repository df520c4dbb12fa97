"""Commands for outgoing mail and the suppression list: thin adapters over the services."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

# ``cli`` imports this module at its end, once its helpers exist.
from silverplatter import cli as base

SmtpOption = Annotated[
    str | None,
    typer.Option(
        "--smtp-url",
        envvar="SILVERPLATTER_SMTP_URL",
        help="SMTP server, e.g. smtp://user:password@host:587?starttls=1.",
        show_envvar=True,
    ),
]


def register(app: typer.Typer) -> None:
    """Add ``silverplatter mail …`` and ``silverplatter suppression …``."""
    mail_app = typer.Typer(help="Outgoing mail: deliver the outbox, see what it holds.")
    suppression_app = typer.Typer(help="The suppression list: addresses never mailed.")
    app.add_typer(mail_app, name="mail")
    app.add_typer(suppression_app, name="suppression")
    _mail_commands(mail_app)
    _suppression_commands(suppression_app)


def _mail_commands(mail_app: typer.Typer) -> None:
    @mail_app.command("deliver")
    def deliver(
        database_url: base.DatabaseOption = None,
        smtp_url: SmtpOption = None,
        limit: Annotated[int, typer.Option(min=1, help="At most this many messages.")] = 10_000,
    ) -> None:
        """Hand every due message to the SMTP server once (what the web app does every few
        seconds)."""
        from silverplatter.services.outbox import (
            SmtpTarget,
            SmtpTransport,
            deliver_pending,
            due_count,
        )
        from silverplatter.services.signing import signer_for

        with base._failures() as stack:
            if not smtp_url:
                raise base.Failure("no SMTP server: set SILVERPLATTER_SMTP_URL or pass --smtp-url")
            transport = SmtpTransport(SmtpTarget.from_url(smtp_url))
            settings = base._settings(database_url)
            engine = stack.enter_context(base._workspace(database_url))
            with engine.connect() as connection:
                due = min(due_count(connection, base._now()), limit)
                signer = signer_for(connection, settings)
            done = 0
            with base._progress("Delivering mail") as update:
                update(0, due)

                def step(_outcome: str) -> None:
                    nonlocal done
                    done += 1
                    update(done, max(due, done))

                report = deliver_pending(
                    engine,
                    transport,
                    sender=settings.mail_from,
                    clock=base._now,
                    signer=signer,
                    public_url=settings.public_url,
                    limit=limit,
                    progress=step,
                )
            base.console.print(
                base._figures(
                    "Outgoing mail",
                    sent=report.sent,
                    suppressed=report.suppressed,
                    retried_later=report.retried,
                    failed=report.failed,
                )
            )
            if report.stopped is not None:
                raise base.Failure(
                    f"the SMTP server could not take mail ({report.stopped}); "
                    "what is left stays queued for the next pass"
                )

    @mail_app.command("status")
    def status(database_url: base.DatabaseOption = None) -> None:
        """How many messages are queued, being sent, sent, suppressed and failed."""
        from silverplatter.services.outbox import due_count, outbox_counts

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.connect() as connection:
                counts = outbox_counts(connection)
                due = due_count(connection, base._now())
        table = base._figures("Outbox", **counts)
        table.add_row("due now", f"{due:,}")
        base.console.print(table)

    @mail_app.command("retry")
    def retry(database_url: base.DatabaseOption = None) -> None:
        """Queue failed messages again (after the cause was fixed)."""
        from silverplatter.services.outbox import retry_failed

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.begin() as connection:
                count = retry_failed(connection, now=base._now())
        base.console.print(f"Queued {count:,} failed message{'' if count == 1 else 's'} again.")


def _suppression_commands(suppression_app: typer.Typer) -> None:
    from silverplatter.services.audit import Actor

    cli_actor = Actor(None, "command line")

    @suppression_app.command("add")
    def add(
        email: Annotated[str, typer.Argument(help="The address never to mail.")],
        reason: Annotated[
            str, typer.Option(help="manual, hard_bounce, complaint or unsubscribed.")
        ] = "manual",
        note: Annotated[str, typer.Option(help="Why, in a few words (kept on the list).")] = "",
        database_url: base.DatabaseOption = None,
    ) -> None:
        """Put an address on the suppression list (audited)."""
        from silverplatter.services.suppression import add_address

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.begin() as connection:
                added = add_address(
                    connection, email, reason=reason, note=note, actor=cli_actor, now=base._now()
                )
        if added:
            base.console.print(f"Suppressed [bold]{email.strip()}[/] ({reason}).")
        else:
            base.console.print(f"{email.strip()} was already on the suppression list.")

    @suppression_app.command("lift")
    def lift(
        email: Annotated[str, typer.Argument(help="The address to mail again.")],
        database_url: base.DatabaseOption = None,
    ) -> None:
        """Take an address off the suppression list (audited; erased addresses stay)."""
        from silverplatter.services.suppression import REASON_LABELS, lift_address

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.begin() as connection:
                reason = lift_address(connection, email, actor=cli_actor, now=base._now())
        label = REASON_LABELS[reason].lower()
        base.console.print(f"Lifted [bold]{email.strip()}[/] (it was listed as {label}).")

    @suppression_app.command("list")
    def list_(
        reason: Annotated[
            str | None, typer.Option(help="Only this reason, e.g. unsubscribed.")
        ] = None,
        limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 100,
        database_url: base.DatabaseOption = None,
    ) -> None:
        """The suppression list, newest first, and how many there are for each reason."""
        from silverplatter.services.suppression import (
            REASON_LABELS,
            REASONS,
            list_suppressions,
            suppression_counts,
        )

        with base._failures() as stack:
            if reason is not None and reason not in REASONS:
                raise base.Failure(f"--reason must be one of {', '.join(REASONS)}")
            engine = stack.enter_context(base._workspace(database_url))
            with engine.connect() as connection:
                total, page = list_suppressions(connection, reason=reason, limit=limit)
                counts = suppression_counts(connection)
        heading = f"Suppression list: {total:,}" + (
            f" {REASON_LABELS[reason].lower()}" if reason else ""
        )
        table = Table(title=heading)
        for column in ("address", "reason", "source", "since"):
            table.add_column(column, no_wrap=column != "source")
        for item in page:
            shown = item.email or f"erased address (hash {item.address_hash[:12]}…)"
            since = item.created_at.strftime("%Y-%m-%d %H:%M")
            table.add_row(shown, REASON_LABELS[item.reason], item.source, since)
        base.console.print(table)
        base.console.print(
            base._figures("By reason", **{REASON_LABELS[key]: counts[key] for key in REASONS})
        )
        if total > len(page):
            base.console.print(f"Showing the newest {len(page):,}; use --limit for more.")
