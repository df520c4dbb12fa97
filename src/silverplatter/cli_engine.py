"""Commands for model, engine recompute and explain: thin adapters over the services.

Loaded by :mod:`silverplatter.cli`, which calls :func:`register`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from silverplatter.cli import (
    DatabaseOption,
    Failure,
    _failures,
    _figures,
    _now,
    _workspace,
    console,
    errors,
)
from silverplatter.cli_explain import render_explanation
from silverplatter.domain.model_file import ModelInvalid, parse_model
from silverplatter.storage.scoring_backlog import keep_scorers_out

if TYPE_CHECKING:
    from rich.status import Status

    from silverplatter.services.recompute import RecomputeResult

model_app = typer.Typer(
    help="The scoring model: check a file, show, activate, list and roll back versions.",
    no_args_is_help=True,
)
engine_app = typer.Typer(
    help="The lead engine: rebuild every score, fold in queued events.", no_args_is_help=True
)

ModelFile = Annotated[
    Path, typer.Argument(help="Scoring model file (TOML).", exists=True, dir_okay=False)
]


def _recomputing() -> Status:
    return errors.status("Recomputing every grade, score and stage…")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``silverplatter`` command."""
    app.add_typer(model_app, name="model")
    app.add_typer(engine_app, name="engine")
    app.command("explain")(explain)


def _read_model(file: Path) -> str:
    """The file's text when it is a valid model; else each error as FILE:LINE and exit 1."""
    source = file.read_text(encoding="utf-8")
    try:
        parse_model(source)
    except ModelInvalid as invalid:
        for error in invalid.errors:
            where = f"{file}:{error.line}" if error.line else str(file)
            errors.print(
                f"{where}: {error.field}: {error.message}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        raise typer.Exit(1) from None
    return source


def _recompute_figures(title: str, result: RecomputeResult, seconds: float) -> None:
    table = _figures(
        title,
        contacts=result.contacts,
        accounts=result.accounts,
        stage_changes=result.stage_changes,
    )
    table.add_row("seconds", f"{seconds:.2f}")
    console.print(table)
    if result.queued:
        console.print(
            f"{result.queued:,} events are waiting in the scoring backlog, left to the "
            "scorer: a running web server's folds them in, or run "
            "`silverplatter engine score-backlog`."
        )


@model_app.command("validate")
def validate(file: ModelFile) -> None:
    """Check a model file; print each error with its line (no workspace needed)."""
    model = parse_model(_read_model(file))
    console.print(
        f"valid: {model.model.name}, {len(model.grading.criteria)} criteria, "
        f"{len(model.engagement.rules)} rules",
        markup=False,
        highlight=False,
    )


@model_app.command("show")
def show(
    database_url: DatabaseOption = None,
    version: Annotated[
        int | None, typer.Option("--version", help="A stored version (default: the active one).")
    ] = None,
) -> None:
    """Print the active model (or a stored version) as TOML."""
    from silverplatter.services.model_history import model_source
    from silverplatter.services.scoring_models import active_model

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        with engine.begin() as connection:
            try:
                source = (
                    active_model(connection, now=_now()).source
                    if version is None
                    else model_source(connection, version)
                )
            except LookupError as error:
                raise Failure(str(error)) from None
        typer.echo(source, nl=not source.endswith("\n"))


@model_app.command("activate")
def activate(file: ModelFile, database_url: DatabaseOption = None) -> None:
    """Validate a model file, save it as a new version, activate it and recompute."""
    from silverplatter.services.recompute import recompute
    from silverplatter.services.scoring_models import save_model

    source = _read_model(file)
    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        started = time.perf_counter()
        with _recomputing(), engine.begin() as connection:
            now = _now()
            keep_scorers_out(connection)  # before the model rows are locked
            saved = save_model(connection, source, now=now)
            result = recompute(connection, now=now)
        console.print(f"Activated version {saved.version}: {saved.model.model.name}")
        _recompute_figures("Recompute", result, time.perf_counter() - started)


@model_app.command("history")
def history(database_url: DatabaseOption = None) -> None:
    """List the model versions: which is active, when each was activated and recomputed."""
    from rich.table import Table

    from silverplatter.services.model_history import model_history

    def when(moment: datetime | None) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        with engine.connect() as connection:
            versions = model_history(connection)
        table = Table(title="Scoring model versions")
        for heading in ("version", "name", "active", "created", "activated", "recomputed"):
            table.add_column(heading)
        for item in versions:
            table.add_row(
                str(item.version),
                item.name,
                "yes" if item.active else "",
                when(item.created_at),
                when(item.activated_at),
                when(item.recomputed_at),
            )
        console.print(table if versions else "No model saved yet: the default is used.")


@model_app.command("rollback")
def rollback(
    version: Annotated[int, typer.Argument(help="The version to make active again.")],
    database_url: DatabaseOption = None,
) -> None:
    """Activate an older version and recompute."""
    from silverplatter.services.recompute import recompute
    from silverplatter.services.scoring_models import activate_version

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        started = time.perf_counter()
        with _recomputing(), engine.begin() as connection:
            now = _now()
            keep_scorers_out(connection)  # before the model rows are locked
            try:
                chosen = activate_version(connection, version, now=now)
            except LookupError as error:
                raise Failure(str(error)) from None
            result = recompute(connection, now=now)
        console.print(f"Version {chosen.version} is active again: {chosen.model.model.name}")
        _recompute_figures("Recompute", result, time.perf_counter() - started)


@engine_app.command("recompute")
def recompute_command(database_url: DatabaseOption = None) -> None:
    """Rebuild every grade, score, flag and stage from the event log."""
    from silverplatter.services.recompute import recompute

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        started = time.perf_counter()
        with _recomputing(), engine.begin() as connection:
            result = recompute(connection, now=_now())
        _recompute_figures(
            f"Recompute with model version {result.model_version}",
            result,
            time.perf_counter() - started,
        )


@engine_app.command("score-backlog")
def score_backlog_command(database_url: DatabaseOption = None) -> None:
    """Fold the events waiting in the scoring backlog into the scores, oldest first.

    The web server's scorer does this moments after the API stores events;
    this command does it where no web server runs.  Each batch is one
    transaction, so an interrupted run loses nothing and scores nothing twice.
    """
    from silverplatter.cli import _progress
    from silverplatter.services.scoring_backlog import backlog_size, run_size, score_backlog

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        with engine.connect() as connection:
            waiting = backlog_size(connection)
        limit = run_size(engine)
        scored = changes = busy = 0
        with _progress("Scoring the backlog") as progress:
            progress(0, waiting)
            while True:
                with engine.begin() as connection:
                    run = score_backlog(connection, now=_now(), limit=limit)
                if run.busy:  # a web server's scorer, or a recompute, holds the lock
                    busy += 1
                    if busy > 30:
                        raise Failure(
                            "the scoring backlog has been busy for 30 s: a web server's "
                            "scorer is draining it, or a recompute is running; "
                            "run this again when it is done"
                        )
                    time.sleep(1.0)
                    continue
                if not run.scored:
                    break
                busy = 0
                scored += run.scored
                changes += run.stage_changes
                progress(scored, max(waiting, scored))
        console.print(_figures("Scoring backlog", scored=scored, stage_changes=changes))


def _moment(text: str | None) -> datetime:
    if text is None:
        return _now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Failure(
            f"--at: expected an ISO time such as 2026-06-01T12:00Z, got {text!r}"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def explain(
    contact: Annotated[str, typer.Argument(help="The contact's email (or id).")],
    database_url: DatabaseOption = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Explain as of this ISO time (default: now).")
    ] = None,
) -> None:
    """Explain a contact: grade, score per rule, thresholds, stage, next step, reality check."""
    from silverplatter.services.explain import explain_contact

    with _failures() as stack:
        moment = _moment(at)
        engine = stack.enter_context(_workspace(database_url))
        with engine.begin() as connection:
            try:
                explanation = explain_contact(connection, contact, now=moment)
            except LookupError as error:
                raise Failure(str(error)) from None
        render_explanation(console, explanation)
