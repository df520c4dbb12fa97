"""The ``silverplatter`` command: a thin adapter over the services."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, cast

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from silverplatter import __version__
from silverplatter.settings import Settings, get_settings, mask_url_password
from silverplatter.storage.engine import is_initialised, make_engine

app = typer.Typer(
    name="silverplatter",
    help="Silverplatter: outside-in B2B lead management.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

ObjectName = Literal["accounts", "contacts", "events", "opportunities"]
OBJECTS = ("accounts", "contacts", "events", "opportunities")


class Failure(Exception):
    """A problem the user can act on; printed without a traceback."""


def _now() -> datetime:
    return datetime.now(UTC)


def _settings(database_url: str | None) -> Settings:
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


@contextmanager
def _workspace(database_url: str | None, *, must_exist: bool = True) -> Iterator[Engine]:
    """An engine on the workspace, closed when the command ends."""
    engine = _engine(database_url, must_exist=must_exist)
    try:
        yield engine
    finally:
        engine.dispose()


def _engine(database_url: str | None, *, must_exist: bool = True) -> Engine:
    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    if must_exist:
        try:
            ready = is_initialised(engine)
        except OperationalError as error:
            engine.dispose()
            raise Failure(
                f"cannot open the database {mask_url_password(settings.database_url)}: "
                f"{str(error.orig).strip()}"
            ) from None
        if not ready:
            engine.dispose()
            raise Failure(
                f"no workspace at {mask_url_password(settings.database_url)} "
                "(or an older schema): run `silverplatter init` first"
            )
    return engine


@contextmanager
def _failures() -> Iterator[ExitStack]:
    """Turn problems a user can act on into a message and exit code 1.

    Yields an exit stack that closes what the command opened (database engines).
    """
    try:
        with ExitStack() as stack:
            yield stack
    except (Failure, ValueError, FileNotFoundError, PermissionError) as error:
        errors.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(1) from None
    except OperationalError as error:
        errors.print(f"[bold red]database error:[/] {str(error.orig).strip()}")
        raise typer.Exit(1) from None


@contextmanager
def _progress(label: str, *, units: str = "") -> Iterator[Callable[..., None]]:
    """A Rich progress bar; yields a ``progress(done, total[, stage])`` callback."""
    columns: list[Any] = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if units != "bytes" else TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=errors, transient=False) as bar:
        task: TaskID = bar.add_task(label, total=None)

        def update(done: int, total: int, stage: str | None = None) -> None:
            bar.update(task, completed=done, total=total or None)
            if stage is not None:
                bar.update(task, description=stage)

        yield update


def _figures(title: str, **counts: int) -> Table:
    """A two-column table of counts, labelled in words."""
    table = Table(title=title, show_header=False)
    for label, value in counts.items():
        table.add_row(label.replace("_", " "), f"{value:,}")
    return table


_DEMO_STAGES = {
    "contacts": "Generating contacts",
    "indexes": "Building indexes",
    "scores": "Grading and scoring",
}

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="SILVERPLATTER_DATABASE_URL",
        help="Workspace database (default: sqlite:///silverplatter.db).",
        show_envvar=True,
    ),
]


def _version(value: bool) -> None:
    if value:
        console.print(f"silverplatter {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Silverplatter: outside-in B2B lead management."""


@app.command()
def init(
    database_url: DatabaseOption = None,
    name: Annotated[str, typer.Option(help="Name of the workspace.")] = "Silverplatter",
) -> None:
    """Create the workspace database (or upgrade its schema)."""
    from silverplatter.services.workspace import init_workspace

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url, must_exist=False))
        created = init_workspace(engine, name=name, now=_now())
        where = mask_url_password(_settings(database_url).database_url)
        verb = "Created" if created else "Workspace is up to date at"
        console.print(f"{verb} [bold]{where}[/]")


@app.command()
def demo(
    database_url: DatabaseOption = None,
    contacts: Annotated[int, typer.Option(min=1, help="How many contacts to generate.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same world.")] = 1,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the workspace already has contacts.")
    ] = False,
) -> None:
    """Create a demo workspace: accounts, buying committees, 24 months of behaviour."""
    from silverplatter.services.demo import generate_demo
    from silverplatter.services.workspace import init_workspace, workspace_status

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url, must_exist=False))
        init_workspace(engine, name="Silverplatter demo", now=_now())
        status = workspace_status(engine)
        if if_empty and status is not None and status.contacts > 0:
            console.print(f"Demo workspace already holds {status.contacts:,} contacts.")
            _ensure_demo_forms(engine)
            _ensure_demo_segmentation(engine)
            _ensure_demo_understanding(engine)
            _ensure_demo_research(engine)
            _print_demo_logins(engine)
            return
        with _progress("Generating demo world") as update:
            summary = generate_demo(
                engine,
                contacts=contacts,
                seed=seed,
                now=_now(),
                progress=lambda stage, done, total: update(done, total, _DEMO_STAGES[stage]),
            )
        table = _figures(
            "Demo workspace",
            accounts=summary.accounts,
            contacts=summary.contacts,
            events=summary.events,
            opportunities=summary.opportunities,
            meetings=summary.meetings,
            consent_records=summary.consent_records,
            users=summary.users,
        )
        table.add_row("seconds", f"{summary.seconds:.1f}")
        console.print(table)
        _ensure_demo_forms(engine)
        _ensure_demo_segmentation(engine)
        _ensure_demo_understanding(engine)
        _ensure_demo_research(engine)
        _print_demo_logins(engine)


def _ensure_demo_forms(engine: Engine) -> None:
    """Give the demo workspace its capture forms (made once, never overwritten)."""
    from silverplatter.services.demo.forms import ensure_demo_forms

    with engine.begin() as connection:
        made = ensure_demo_forms(connection, now=_now())
    if made:
        console.print(f"Demo forms created: {', '.join(made)}")


def _ensure_demo_segmentation(engine: Engine) -> None:
    """Give the demo workspace its tier policy, needs segments, offer matrix and care models."""
    from silverplatter.services.demo.segmentation import ensure_demo_segmentation

    with engine.begin() as connection:
        made = ensure_demo_segmentation(connection, now=_now())
    if made:
        console.print(f"Demo segmentation created: {', '.join(made)}")


def _ensure_demo_understanding(engine: Engine) -> None:
    """Give the demo workspace a zipper board, core questions, SWOT, PEST and target customer."""
    from silverplatter.services.demo.understanding import ensure_demo_understanding

    with engine.begin() as connection:
        made = ensure_demo_understanding(connection, now=_now())
    if made:
        console.print(f"Demo customer understanding created: {', '.join(made)}")


def _ensure_demo_research(engine: Engine) -> None:
    """Give the demo workspace its worries with content tags, a needs grid and a Kano study."""
    from silverplatter.services.demo.research import ensure_demo_research

    with engine.begin() as connection:
        made = ensure_demo_research(connection, now=_now())
    if made:
        console.print(f"Demo worries and research created: {', '.join(made)}")


def _print_demo_logins(engine: Engine) -> None:
    """Show the demo users' sign-ins (set on first use, never reset)."""
    from silverplatter.services.demo.logins import ensure_demo_logins

    with engine.begin() as connection:
        logins = ensure_demo_logins(connection, now=_now())
    if not logins:
        return
    table = Table(title="Demo sign-ins (http://127.0.0.1:8000/login)")
    for name in ("e-mail", "role", "password"):
        table.add_column(name)
    for login in logins:
        table.add_row(login.email, login.role, login.password or "(changed since)")
    console.print(table)


@app.command("import")
def import_(
    object_type: Annotated[str, typer.Argument(help="accounts, contacts, events or opportunities")],
    source: Annotated[
        Path, typer.Argument(help="CSV file to import.", exists=True, dir_okay=False)
    ],
    database_url: DatabaseOption = None,
    preset: Annotated[
        str | None,
        typer.Option(help="Column layout of another product: hubspot, salesforce, mautic."),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="TOML mapping file: source column → field.", exists=True)
    ] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Where to write rejected rows (default: next to the file).")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Force an encoding, e.g. cp1252.")] = None,
    delimiter: Annotated[str | None, typer.Option(help="Force a delimiter: , ; or tab.")] = None,
    date_order: Annotated[
        str | None, typer.Option(help="For ambiguous dates: dmy (31/01/2026) or mdy (01/31/2026).")
    ] = None,
    create_properties: Annotated[
        bool,
        typer.Option("--create-properties", help="Turn unknown columns into custom properties."),
    ] = False,
) -> None:
    """Import a CSV file; re-running the same file changes nothing."""
    from silverplatter.services.importing import import_csv

    with _failures() as stack:
        if object_type not in OBJECTS:
            raise Failure(f"object type must be one of {', '.join(OBJECTS)}, not {object_type!r}")
        if date_order not in (None, "dmy", "mdy", "ymd"):
            raise Failure("--date-order must be dmy, mdy or ymd")
        if delimiter == "tab":
            delimiter = "\t"
        engine = stack.enter_context(_workspace(database_url))
        with _progress(f"Importing {source.name}", units="bytes") as update:
            summary = import_csv(
                engine,
                source,
                cast(ObjectName, object_type),
                now=_now(),
                preset=preset,
                mapping_file=mapping,
                rejects_path=rejects,
                encoding=encoding,
                delimiter=delimiter,
                date_order=cast(Literal["dmy", "mdy", "ymd"] | None, date_order),
                create_properties=create_properties,
                progress=update,
            )
        console.print(
            _figures(
                f"Import of {source.name} ({object_type})",
                read=summary.rows_read,
                created=summary.created,
                updated=summary.updated,
                unchanged=summary.unchanged,
                rejected=summary.rejected,
            )
        )
        if summary.rejected and summary.rejects_path is not None:
            console.print(f"Rejected rows with reasons: [bold]{summary.rejects_path}[/]")


@app.command()
def export(
    object_type: Annotated[str, typer.Argument(help="accounts, contacts, events or opportunities")],
    destination: Annotated[Path, typer.Argument(help="CSV file to write.", dir_okay=False)],
    database_url: DatabaseOption = None,
) -> None:
    """Export records as CSV in Silverplatter's own layout (re-importable)."""
    from silverplatter.services.exporting import export_csv

    with _failures() as stack:
        if object_type not in OBJECTS:
            raise Failure(f"object type must be one of {', '.join(OBJECTS)}, not {object_type!r}")
        engine = stack.enter_context(_workspace(database_url))
        with _progress(f"Exporting {object_type}") as update:
            rows = export_csv(engine, cast(ObjectName, object_type), destination, progress=update)
        console.print(f"Wrote {rows:,} {object_type} to [bold]{destination}[/]")


@app.command()
def serve(
    database_url: DatabaseOption = None,
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Web processes sharing the port; one of them runs the scoring and task queue.",
        ),
    ] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log a line for every request.")
    ] = True,
) -> None:
    """Serve the web UI and the API."""
    import uvicorn

    with _failures() as stack:
        settings = _settings(database_url)
        stack.enter_context(_workspace(settings.database_url))
        options: dict[str, Any] = {
            "host": host or settings.host,
            "port": port or settings.port,
            "log_level": "info",
            "access_log": access_log,
        }
        if workers == 1:
            from silverplatter.web.app import create_app
            from silverplatter.web.capture.tracking import ahead_of

            uvicorn.run(ahead_of(create_app(settings)), **options)
            return
        from silverplatter.web.rate_limit import open_limits
        from silverplatter.web.serving import LEASE_VARIABLE, limits_path

        # The processes start from an import string and read their settings from
        # the environment; one of them takes the lease and runs the background work.
        # The lease and the shared rate limits live in a directory only this user
        # may enter (mkdtemp: mode 0700), removed when the server stops.
        folder = Path(tempfile.mkdtemp(prefix="silverplatter-serve-"))
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        lease = folder / "serve.lease"
        lease.touch(mode=0o600)
        open_limits(limits_path(lease)).close()  # made once, before the processes start
        os.environ["SILVERPLATTER_DATABASE_URL"] = settings.database_url
        os.environ[LEASE_VARIABLE] = str(lease)
        uvicorn.run(
            "silverplatter.web.serving:app_from_environment",
            factory=True,
            workers=workers,
            **options,
        )


@app.command()
def config(database_url: DatabaseOption = None) -> None:
    """Show the effective settings, secrets masked."""
    table = Table(title="Settings", show_header=False)
    for name, value in _settings(database_url).public_dict().items():
        table.add_row(f"SILVERPLATTER_{name.upper()}", str(value))
    console.print(table)


# The lead engine's commands live in their own modules, registered here.
from silverplatter import cli_engine, cli_sales, cli_users  # noqa: E402

cli_engine.register(app)
cli_sales.register(app)
cli_users.register(app)

from silverplatter import cli_privacy  # noqa: E402

cli_privacy.register(app)

from silverplatter import cli_mail  # noqa: E402

cli_mail.register(app)

from silverplatter import cli_predict  # noqa: E402

cli_predict.register(app)

from silverplatter import cli_nurture  # noqa: E402

cli_nurture.register(app)

from silverplatter import cli_programmes  # noqa: E402

cli_programmes.register(app)

from silverplatter import cli_people_lists  # noqa: E402

cli_people_lists.register(app)

from silverplatter import cli_worries  # noqa: E402

cli_worries.register(app)

from silverplatter import cli_figures  # noqa: E402

cli_figures.register(app)

from silverplatter import cli_planning  # noqa: E402

cli_planning.register(app)


def main() -> None:
    app(prog_name="silverplatter")


if __name__ == "__main__":  # pragma: no cover
    main()
