"""``silverplatter predict``: import history, train, report, activate, roll back, score.

Loaded by :mod:`silverplatter.cli`, which calls :func:`register`.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from silverplatter.cli import (
    DatabaseOption,
    Failure,
    _failures,
    _now,
    _workspace,
    console,
    errors,
)
from silverplatter.domain.predictive_report import METRICS, formatted, report_rows, verdict

predict_app = typer.Typer(
    help="Predictive scoring: learn from past outcomes, report, activate, score.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``predict`` to the ``silverplatter`` command."""
    app.add_typer(predict_app, name="predict")


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Failure(
            f"{option}: expected a date or time such as 2026-01-31, got {text!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@predict_app.command("import-history")
def import_history_command(
    file: Annotated[Path, typer.Argument(help="CSV of past leads, one per row.", exists=True)],
    outcome: Annotated[str, typer.Option("--outcome", help="Column that says how a lead ended.")],
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Column to leave out (repeat), e.g. duration."),
    ] = None,
    won: Annotated[
        list[str] | None,
        typer.Option("--won", help="Outcome value meaning won (repeat; default yes, won, 1 …)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="When the outcomes were known (default now).")
    ] = None,
    delimiter: Annotated[str | None, typer.Option("--delimiter", help="Field separator.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Import past leads with their outcome to train on (columns become custom properties)."""
    from silverplatter.services.history_import import WON_VALUES, import_history

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        with errors.status(f"Importing {file.name}…"):
            summary = import_history(
                engine,
                file,
                outcome_column=outcome,
                won_values=won or WON_VALUES,
                exclude=exclude or (),
                as_of=_moment(as_of, "--as-of"),
                delimiter=delimiter,
                now=_now(),
            )
    imported = summary.imported
    table = Table(title=f"History from {file.name}", show_header=False)
    for label, value in (
        ("rows read", imported.rows_read),
        ("created", imported.created),
        ("updated", imported.updated),
        ("unchanged", imported.unchanged),
        ("rejected", imported.rejected),
        ("won", summary.won),
        ("lost", summary.lost),
        ("without an outcome", summary.without_outcome),
    ):
        table.add_row(label, f"{value:,}")
    console.print(table)
    if imported.rejects_path:
        console.print(f"Rejected rows and why: {imported.rejects_path}")
    console.print(
        "Train on it with: silverplatter predict train --outcome won --horizon 30 "
        f"--cutoff {summary.cutoff.isoformat()}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@predict_app.command("train")
def train_command(
    outcome: Annotated[str, typer.Option("--outcome", help="sql, opportunity or won.")] = "sql",
    horizon: Annotated[
        int, typer.Option("--horizon", help="Days after the cut-off the outcome may take.")
    ] = 90,
    cutoff: Annotated[
        str | None,
        typer.Option("--cutoff", help="Features as of this moment (default: now − horizon)."),
    ] = None,
    split: Annotated[str, typer.Option("--split", help="time or stratified.")] = "time",
    test_share: Annotated[float, typer.Option("--test-share", help="Held-out share.")] = 0.2,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the split.")] = 0,
    calibration: Annotated[
        str, typer.Option("--calibration", help="sigmoid or isotonic.")
    ] = "sigmoid",
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Feature to leave out (repeat).")
    ] = None,
    activate: Annotated[
        bool, typer.Option("--activate", help="Activate the new version and score everyone.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Train a model on past outcomes and print its report beside the baselines."""
    from silverplatter.services import predictive
    from silverplatter.services.predictive_training import TrainingRequest

    request = TrainingRequest(
        outcome=outcome,
        horizon_days=horizon,
        cutoff=_moment(cutoff, "--cutoff"),
        split=split,  # type: ignore[arg-type]
        test_share=test_share,
        seed=seed,
        calibration=calibration,  # type: ignore[arg-type]
        exclude=tuple(exclude or ()),
    )
    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        with errors.status("Training…"):
            version = predictive.train(engine, request, now=_now())
        if activate:
            with errors.status("Scoring every contact…"):
                predictive.activate(engine, version.id, now=_now())
            version = _version_info(engine, version.id)
    _print_report(version.as_json(), as_json)


def _version_info(engine: Any, version_id: int | None) -> Any:
    from silverplatter.services import predictive

    with engine.connect() as connection:
        try:
            return predictive.get_version(connection, version_id)
        except LookupError as error:
            raise Failure(str(error)) from None


@predict_app.command("report")
def report_command(
    version: Annotated[
        int | None, typer.Option("--version", help="A stored version (default: the active one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Print a version's metrics, baselines and feature importance."""
    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        info = _version_info(engine, version)
    _print_report(info.as_json(), as_json)


@predict_app.command("versions")
def versions_command(database_url: DatabaseOption = None) -> None:
    """List the trained versions, newest first."""
    from silverplatter.services import predictive

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        with engine.connect() as connection:
            found = predictive.versions(connection)
    table = Table(title="Predictive model versions")
    for column in ("version", "outcome", "cut-off", "split", "ROC AUC", "active", "created"):
        table.add_column(column)
    for info in found:
        table.add_row(
            str(info.id),
            f"{info.outcome_label} in {info.horizon_days} d",
            info.cutoff.date().isoformat(),
            str(info.metrics.get("split", "")),
            formatted((info.metrics.get("model") or {}).get("roc_auc"), "roc_auc"),
            "yes" if info.active else "",
            info.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@predict_app.command("activate")
def activate_command(
    version: Annotated[int, typer.Argument(help="Version to activate.")],
    database_url: DatabaseOption = None,
) -> None:
    """Activate a version and score every contact with it."""
    from silverplatter.services import predictive

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        try:
            with errors.status("Scoring every contact…"):
                scored = predictive.activate(engine, version, now=_now())
        except LookupError as error:
            raise Failure(str(error)) from None
    console.print(f"Activated version {version}; scored {scored:,} contacts.")


@predict_app.command("rollback")
def rollback_command(database_url: DatabaseOption = None) -> None:
    """Activate the version that was active before the current one."""
    from silverplatter.services import predictive

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        try:
            with errors.status("Scoring every contact…"):
                previous = predictive.rollback(engine, now=_now())
        except LookupError as error:
            raise Failure(str(error)) from None
    console.print(f"Rolled back to version {previous}.")


@predict_app.command("score")
def score_command(database_url: DatabaseOption = None) -> None:
    """Score every contact with the active version now."""
    from silverplatter.services import predictive

    with _failures() as stack:
        engine = stack.enter_context(_workspace(database_url))
        _version_info(engine, None)
        started = time.perf_counter()
        with errors.status("Scoring every contact…"):
            scored = predictive.score_all(engine, now=_now())
        seconds = time.perf_counter() - started
    rate = scored / seconds if seconds > 0 else 0.0
    console.print(f"Scored {scored:,} contacts in {seconds:.2f} s ({rate:,.0f} contacts/s).")


def _print_report(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    metrics = data["metrics"]
    console.print(
        f"Version {data['id']}{' (active)' if data['active'] else ''}: "
        f"{data['outcome_label']} within {data['horizon_days']} days after "
        f"{data['cutoff'][:10]}; {metrics.get('examples', 0):,} examples, "
        f"{metrics.get('positives', 0):,} positive; {data['algorithm']}, "
        f"{metrics.get('training_seconds', 0):.1f} s",
        markup=False,
        highlight=False,
    )
    table = Table(title="Held-out metrics")
    table.add_column("")
    table.add_column("split")
    for _key, label in METRICS:
        table.add_column(label, justify="right")
    for row in report_rows(metrics):
        table.add_row(row.name, row.split, *(formatted(row.values.get(k), k) for k, _l in METRICS))
    console.print(table)
    console.print(verdict(metrics), markup=False, highlight=False)
    importance = Table(title="Feature importance (share of split gain)")
    importance.add_column("feature")
    importance.add_column("share", justify="right")
    for _name, label, share in metrics.get("importance", [])[:12]:
        importance.add_row(label, f"{share:.1%}")
    console.print(importance)
    dropped = metrics.get("dropped", {})
    if dropped.get("constant"):
        console.print(
            f"Constant, left out: {', '.join(dropped['constant'])}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
