"""``silverplatter privacy …``: export or erase a person from the command line.

Thin adapters over ``services/privacy.py``; the person is named by contact id
or e-mail address.  Both commands are written to the audit log as done from
the command line, by the contact's id only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

# ``cli`` imports this module at its end, once its helpers exist.
from silverplatter import cli as base

if TYPE_CHECKING:
    from sqlalchemy import Connection

PersonArgument = Annotated[str, typer.Argument(help="The contact's id or e-mail address.")]


def register(app: typer.Typer) -> None:
    """Add ``silverplatter privacy export`` and ``silverplatter privacy erase``."""
    from silverplatter.services.audit import Actor

    privacy_app = typer.Typer(
        help="Privacy requests: export or erase everything held about a person.",
        no_args_is_help=True,
    )
    app.add_typer(privacy_app, name="privacy")
    cli_actor = Actor(None, "command line")

    @privacy_app.command("export")
    def export(
        who: PersonArgument,
        output: Annotated[
            Path | None,
            typer.Option(
                "--output", "-o", help="Write the JSON here (default: print it).", dir_okay=False
            ),
        ] = None,
        database_url: base.DatabaseOption = None,
    ) -> None:
        """Export everything held about a person as JSON (access request)."""
        from silverplatter.services.privacy import export_person

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.begin() as connection:
                contact_id = _found(connection, who)
                document = export_person(connection, contact_id, actor=cli_actor, now=base._now())
            text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
            if output is None:
                typer.echo(text, nl=False)
                return
            output.write_text(text, encoding="utf-8")
            base.errors.print(
                f"Wrote everything held about contact {contact_id} "
                f"({len(document['events']):,} events) to [bold]{output}[/]"
            )

    @privacy_app.command("erase")
    def erase(
        who: PersonArgument,
        yes: Annotated[
            bool, typer.Option("--yes", help="Erase without asking; this cannot be undone.")
        ] = False,
        database_url: base.DatabaseOption = None,
    ) -> None:
        """Erase a person's personal data from every table (erasure request)."""
        from silverplatter.services.privacy import erase_person, person

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.connect() as connection:
                contact_id = _found(connection, who)
                named = person(connection, contact_id)
            if not yes and not named.erased:
                typer.confirm(
                    f"Erase {named.name} <{named.email}> (contact {contact_id})? "
                    "This cannot be undone",
                    abort=True,
                )
            with engine.begin() as connection:
                summary = erase_person(connection, contact_id, actor=cli_actor, now=base._now())
            if summary.already_erased:
                base.console.print(f"Contact {contact_id} was erased before; nothing left to do.")
                return
            table = Table(title=f"Erased contact {contact_id} (erasure {summary.erasure_id})")
            table.add_column("table")
            table.add_column("rows", justify="right")
            for name, count in summary.counts.items():
                table.add_row(name, f"{count:,}")
            base.console.print(table)


def _found(connection: Connection, who: str) -> int:
    """The contact id, or the lookup's reason as a failure the user can act on."""
    from silverplatter.services.privacy import find_person

    try:
        return find_person(connection, who)
    except LookupError as error:
        raise base.Failure(str(error)) from None
