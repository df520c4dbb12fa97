"""How ``silverplatter explain`` shows an explanation: Rich panels and tables, in words."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from silverplatter.domain.explanation import Contribution
from silverplatter.services.explain import Explanation
from silverplatter.services.reality_check import RealityCheck


def _row(table: Table, *cells: str | Text, style: str | None = None) -> None:
    """Add a row whose texts are shown as they are (names and reasons are not markup)."""
    table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in cells), style=style)


def _day(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d")


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _headline(explanation: Explanation) -> Panel:
    person = explanation.contact
    lines = [
        Text.assemble((person.email, "bold"), f"  {person.name or ''}".rstrip()),
        Text(
            " · ".join(
                part
                for part in (
                    person.title,
                    person.seniority,
                    person.department,
                    person.decision_role,
                )
                if part
            )
            or "no title or role known"
        ),
    ]
    account = explanation.account
    if account is None:
        lines.append(Text("no account (tier unclassified)"))
    else:
        lines.append(
            Text(
                f"{account.name} ({account.domain or 'no domain'}) · tier {account.tier} · "
                f"owner {account.owner or 'none'} · account score {account.score:.1f}, "
                f"{account.engaged_contacts} engaged"
            )
        )
    needs = ", needs re-qualification" if explanation.needs_qualification else ""
    lines.append(
        Text.assemble(
            ("Grade ", "bold"),
            (explanation.grade, "bold cyan"),
            ("  Score ", "bold"),
            (f"{explanation.score:.1f}", "bold cyan"),
            ("  Stage ", "bold"),
            (explanation.stage, "bold cyan"),
            f" (engine: {explanation.qualification}{needs})",
        )
    )
    title = f"Explanation at {_when(explanation.at)} · model version {explanation.model_version}"
    return Panel(Group(*lines), title=title, title_align="left")


def _grade_table(explanation: Explanation) -> Table:
    table = Table(title=f"Grade {explanation.grade} (start {explanation.grade_start})")
    for heading in ("criterion", "value", "outcome", "step"):
        table.add_column(heading)
    for line in explanation.grade_lines:
        value = "—" if line.value is None or line.value == "" else str(line.value)
        _row(table, line.label, value, line.outcome, line.step)
    return table


def _bucket_rows(contribution: Contribution) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for bucket in contribution.buckets:
        counted = f"{bucket.raw:g} → cap {bucket.counted:g}" if bucket.capped else f"{bucket.raw:g}"
        rows.append(
            (
                f"  {bucket.period} of {_day(bucket.starts_at)}",
                str(bucket.events),
                counted,
                f"{bucket.value:.2f}",
                "",
            )
        )
    return rows


def _score_table(explanation: Explanation) -> Table:
    table = Table(title=f"Score {explanation.score:.2f}: points per rule, faded to now")
    for heading in ("rule", "events", "points", "now", "half-life"):
        table.add_column(heading, justify="left" if heading == "rule" else "right")
    for contribution in explanation.contributions:
        _row(
            table,
            contribution.rule,
            str(contribution.events),
            f"{contribution.points:g}",
            f"{contribution.value:.2f}",
            f"{contribution.half_life_days:g} d",
        )
        for row in _bucket_rows(contribution):
            _row(table, *row, style="dim")
    if not explanation.contributions:
        _row(table, "no scored behaviour", "0", "0", "0.00", "")
    return table


def _thresholds_table(explanation: Explanation) -> Table:
    table = Table(title=f"Thresholds of tier {explanation.tier}")
    for heading in ("for", "condition", "met"):
        table.add_column(heading)
    for level, checks in (("MQL", explanation.mql), ("SQL", explanation.sql)):
        for check in checks:
            met = Text("yes") if check.met else Text("missing", style="red")
            _row(table, level, check.text, met)
    return table


def _facts(explanation: Explanation) -> Table:
    table = Table(show_header=False, title="Flags, silence, qualification, timing")
    _row(table, "flags", ", ".join(explanation.flags) or "none")
    silent = "silent" if explanation.silent else "not silent"
    _row(table, "silence", f"{silent}: {explanation.silence_reason}")
    bant = explanation.bant
    if bant is None:
        _row(table, "BANT", "not qualified yet")
    else:
        given = [
            f"budget {bant.budget or bant.budget_amount or '—'}",
            f"authority {bant.authority or '—'}",
            f"need {bant.need or '—'}",
            f"timeline {bant.timeline or '—'}",
        ]
        _row(table, "BANT", "; ".join(given))
    if explanation.bant_missing:
        _row(table, "BANT missing", ", ".join(explanation.bant_missing))
    window = explanation.buying_window
    _row(
        table,
        "buying window",
        "not known"
        if window is None
        else f"{window.opens_on} – {window.closes_on} ({window.source}, "
        f"confidence {window.confidence:.0%}): {window.basis}",
    )
    return table


def _history(explanation: Explanation) -> Table:
    table = Table(title="Stage history")
    for heading in ("when", "move", "by", "reason"):
        table.add_column(heading)
    for record in explanation.stage_history:
        _row(
            table,
            _when(record.occurred_at),
            f"{record.from_stage} → {record.to_stage}",
            record.actor,
            record.reason,
        )
    if not explanation.stage_history:
        _row(table, "—", "no moves yet", "", "")
    return table


def _reality(check: RealityCheck) -> Panel:
    to = "SQL" if check.sql_at is not None else "now (not moved to SQL yet)"
    days = f"{check.days_to_sql:.1f} days" if check.days_to_sql is not None else "no events"
    uncosted = f"; no price for {', '.join(check.uncosted_types)}" if check.uncosted_types else ""
    lines = [
        f"Buying stage: {check.buying_stage_words}",
        f"First touch to {to}: {days}",
        f"Touches before SQL: {check.law_of_29}",
        f"Cost: {check.cost:,.2f} {check.currency} for {check.costed_events} priced events"
        f"{uncosted}",
        f"Similar leads (grade {check.similar.grade_band}, score {check.similar.score_band}): "
        f"{check.similar.words}",
    ]
    return Panel(Text("\n".join(lines)), title="Reality check", title_align="left")


def render_explanation(console: Console, explanation: Explanation) -> None:
    console.print(_headline(explanation))
    console.print(_grade_table(explanation))
    console.print(_score_table(explanation))
    if abs(explanation.score - explanation.engine_score) > 1e-6:
        console.print(
            f"[yellow]The engine's stored state gives {explanation.engine_score:.2f}: "
            "events after this moment, or a model activated without a recompute.[/]"
        )
    console.print(_thresholds_table(explanation))
    console.print(_facts(explanation))
    console.print(_history(explanation))
    if explanation.reality_check is not None:
        console.print(_reality(explanation.reality_check))
    console.print(Panel(Text(explanation.next_step), title="Next step", title_align="left"))
