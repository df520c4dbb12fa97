"""``silverplatter people-lists …``: import social-follower and NPS survey lists from CSV,
list them with their matches, delete one — thin adapters over ``services/people_lists.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

# ``cli`` imports this module at its end, once its helpers exist.
from silverplatter import cli as base


def register(app: typer.Typer) -> None:
    """Add ``silverplatter people-lists import`` / ``list`` / ``delete``."""
    lists_app = typer.Typer(help="People lists: social followers and NPS survey respondents.")
    app.add_typer(lists_app, name="people-lists")

    @lists_app.command("import")
    def import_(
        source: Annotated[
            Path, typer.Argument(help="CSV file to import.", exists=True, dir_okay=False)
        ],
        kind: Annotated[str, typer.Option(help="social_followers or nps_survey.")],
        name: Annotated[str, typer.Option(help="The list's name, e.g. 'NPS 2026 Q1'.")],
        database_url: base.DatabaseOption = None,
        list_source: Annotated[
            str | None,
            typer.Option("--source", help="Where it came from (default: the file's name)."),
        ] = None,
        encoding: Annotated[
            str | None, typer.Option(help="Force an encoding, e.g. cp1252.")
        ] = None,
        delimiter: Annotated[
            str | None, typer.Option(help="Force a delimiter: , ; or tab.")
        ] = None,
    ) -> None:
        """Import a list; a bad row refuses the whole file, naming the row and field."""
        from silverplatter.services.audit import Actor
        from silverplatter.services.people_lists import import_people_list

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with base._progress(f"Importing {source.name}", units="bytes") as update:
                imported = import_people_list(
                    engine,
                    source,
                    kind=kind,
                    name=name,
                    actor=Actor(None),
                    now=base._now(),
                    source=list_source,
                    encoding=encoding,
                    delimiter="\t" if delimiter == "tab" else delimiter,
                    progress=update,
                )
        base.console.print(
            base._figures(
                f"People list {imported.list_id}: {imported.name} ({imported.kind})",
                people=imported.entries,
                matched_to_contacts=imported.matched_contacts,
                matched_to_accounts=imported.matched_accounts,
            )
        )
        if imported.ignored_columns:
            base.console.print(f"Columns left out: {', '.join(imported.ignored_columns)}")

    @lists_app.command("list")
    def listing(database_url: base.DatabaseOption = None) -> None:
        """Every list, newest first, with how many people matched a contact or an account."""
        from silverplatter.services.people_lists import people_lists

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.connect() as connection:
                found = people_lists(connection)
        table = Table(title="People lists")
        table.add_column("id", justify="right")
        table.add_column("name")
        table.add_column("kind")
        for column in ("people", "contacts", "accounts", "unmatched"):
            table.add_column(column, justify="right")
        for item in found:
            table.add_row(
                str(item.id),
                item.name,
                item.kind,
                f"{item.entries:,}",
                f"{item.matched_contacts:,}",
                f"{item.matched_accounts:,}",
                f"{item.unmatched:,}",
            )
        base.console.print(table)

    @lists_app.command("delete")
    def delete(
        list_id: Annotated[int, typer.Argument(help="The list's id (see `people-lists list`).")],
        database_url: base.DatabaseOption = None,
    ) -> None:
        """Delete a list and its people."""
        from silverplatter.services.audit import Actor
        from silverplatter.services.people_lists import delete_people_list

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.begin() as connection:
                delete_people_list(connection, list_id, actor=Actor(None), now=base._now())
        base.console.print(f"Deleted people list {list_id}")
