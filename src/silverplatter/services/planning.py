"""Marketing plans: a sales target planned backwards into marketing's service level.

A plan is computed (``domain/planning.py``) from the target, the deal size and
the funnel as the workspace's history measures it (``services/planning_history.py``),
with any rate or duration the user overrode.  ``inputs`` keeps both what was
measured and what was overridden, so a plan can always say where each number
came from; ``months`` keeps the result.  The one active plan is the service
level: ``sla_sqls_per_month`` and ``sla_mqls_per_month`` — the plan's SQL and
MQL needs spread evenly over its months — against which the dashboard sets the
actual arrivals per month and the run-rate projection of the current month and
quarter.  Plans are workspace figures: every role that reads them sees the same.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from sqlalchemy import Connection, Row

from silverplatter.domain.planning import (
    NEED_LABELS,
    NEEDS,
    STEP_LABELS,
    STEPS,
    FieldError,
    PlanInputs,
    PlanInvalid,
    Rate,
    add_months,
    compute_plan,
    plan_months_record,
)
from silverplatter.domain.spreadsheet_cells import SpreadsheetWriter
from silverplatter.services.audit import Actor, record
from silverplatter.services.planning_history import (
    DEFAULT_LOOKBACK_MONTHS,
    Measurement,
    measure,
)
from silverplatter.storage import marketing_plans as store

PERIODS: Final = ("month", "quarter")
#: The largest target or deal size taken: more is a typo (and overflows the columns).
MAX_AMOUNT: Final = 10**12
_MONTH: Final = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")
_CURRENCY: Final = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """A stored plan as the pages, the API and the command line show it."""

    id: int
    name: str
    starts_on: date
    months_count: int
    revenue_target: Decimal
    average_deal_size: Decimal
    currency: str
    inputs: dict[str, Any]
    months: list[dict[str, Any]]
    sla_sqls_per_month: int
    sla_mqls_per_month: int
    active: bool
    created_at: datetime
    updated_at: datetime

    @property
    def ends_before(self) -> date:
        return add_months(self.starts_on, self.months_count)


def _record(row: Row[Any]) -> PlanRecord:
    return PlanRecord(
        id=int(row.id),
        name=row.name,
        starts_on=row.starts_on,
        months_count=int(row.months_count),
        revenue_target=Decimal(row.revenue_target),
        average_deal_size=Decimal(row.average_deal_size),
        currency=row.currency,
        inputs=dict(row.inputs),
        months=list(row.months),
        sla_sqls_per_month=int(row.sla_sqls_per_month),
        sla_mqls_per_month=int(row.sla_mqls_per_month),
        active=bool(row.active),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# --- reading the fields -------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(
    fields: Mapping[str, Any], name: str, errors: list[FieldError], expected: str
) -> float | None:
    value = fields.get(name)
    if _blank(value):
        return None
    try:
        number = float(Decimal(str(value).strip().replace(" ", "").replace(",", ".")))
    except (InvalidOperation, ValueError):
        errors.append(FieldError(name, f"expected {expected}, not {str(value)[:40]!r}"))
        return None
    if not math.isfinite(number):
        errors.append(FieldError(name, f"expected {expected}"))
        return None
    return number


@dataclass(frozen=True, slots=True)
class _Fields:
    name: str
    starts_on: date
    period: str
    periods: int
    target: float
    average_deal_size: float | None
    currency: str
    lookback_months: int
    rates: dict[str, float]  # overrides, as shares 0..1
    durations: dict[str, float]  # overrides, in days


def _read(fields: Mapping[str, Any]) -> _Fields:
    """The plan's fields from a form, the API or the command line; errors name each field."""
    errors: list[FieldError] = []
    name = str(fields.get("name") or "").strip()
    if not name:
        errors.append(FieldError("name", "required: what the plan is called"))
    elif len(name) > 200:
        errors.append(FieldError("name", "expected at most 200 characters"))
    starts_on = date(1, 1, 1)
    raw_start = str(fields.get("starts_on") or "").strip()
    found = _MONTH.match(raw_start)
    if not raw_start:
        errors.append(FieldError("starts_on", "required: the plan's first month, as YYYY-MM"))
    elif found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        errors.append(FieldError("starts_on", f"expected a month as YYYY-MM, not {raw_start!r}"))
    else:
        starts_on = date(int(found.group(1)), int(found.group(2)), 1)
    period = str(fields.get("period") or "month").strip()
    if period not in PERIODS:
        errors.append(FieldError("period", "expected month or quarter"))
        period = "month"
    periods = _number(fields, "periods", errors, "a whole number of months or quarters")
    size = 3 if period == "quarter" else 1
    if periods is None and not any(e.field == "periods" for e in errors):
        errors.append(FieldError("periods", f"required: how many {period}s the plan covers"))
    elif periods is not None and (not periods.is_integer() or not 1 <= periods * size <= 36):
        errors.append(FieldError("periods", f"expected 1 to {36 // size} whole {period}s"))
    target = _number(fields, "target", errors, "an amount of revenue")
    if target is None and not any(e.field == "target" for e in errors):
        errors.append(FieldError("target", f"required: the revenue to close per {period}"))
    elif target is not None and not 0 < target <= MAX_AMOUNT:
        errors.append(FieldError("target", f"expected an amount above 0, at most {MAX_AMOUNT:,}"))
    deal = _number(fields, "average_deal_size", errors, "an amount")
    if deal is not None and not 0 < deal <= MAX_AMOUNT:
        errors.append(
            FieldError("average_deal_size", f"expected an amount above 0, at most {MAX_AMOUNT:,}")
        )
    currency = str(fields.get("currency") or "EUR").strip().upper()
    if not _CURRENCY.match(currency):
        errors.append(FieldError("currency", "expected a three-letter code such as EUR"))
    lookback = _number(fields, "lookback_months", errors, "a whole number of months")
    if lookback is not None and (not lookback.is_integer() or not 1 <= lookback <= 60):
        errors.append(FieldError("lookback_months", "expected 1 to 60 whole months"))
    rates: dict[str, float] = {}
    durations: dict[str, float] = {}
    for step in STEPS:
        percent = _number(fields, f"rates.{step}", errors, "a percentage")
        if percent is not None:
            if not 0.01 <= percent <= 100:
                errors.append(FieldError(f"rates.{step}", "expected a percentage from 0.01 to 100"))
            else:
                rates[step] = percent / 100
        days = _number(fields, f"durations.{step}", errors, "a number of days")
        if days is not None:
            if not 0 <= days <= 3650:
                errors.append(FieldError(f"durations.{step}", "expected 0 to 3650 days"))
            else:
                durations[step] = days
    if errors:
        raise PlanInvalid(errors)
    assert periods is not None and target is not None
    return _Fields(
        name=name,
        starts_on=starts_on,
        period=period,
        periods=int(periods),
        target=target,
        average_deal_size=deal,
        currency=currency,
        lookback_months=int(lookback) if lookback is not None else DEFAULT_LOOKBACK_MONTHS,
        rates=rates,
        durations=durations,
    )


# --- computing a plan ---------------------------------------------------------------


def _inputs(read: _Fields, measured: Measurement) -> tuple[PlanInputs, dict[str, Any]]:
    """The domain inputs, and the record of what was measured and what was overridden."""
    errors: list[FieldError] = []
    rates: dict[str, Rate] = {}
    durations: dict[str, float] = {}
    for step in STEPS:
        found = measured.steps[step]
        label = STEP_LABELS[step]
        if step in read.rates:
            rates[step] = Rate(read.rates[step])
        elif found.successes == 0:
            errors.append(
                FieldError(
                    f"rates.{step}",
                    f"{label}: the history shows {found.successes} of {found.trials}, "
                    "too little to plan with; enter a rate",
                )
            )
        else:
            rates[step] = found.as_rate()
        if step in read.durations:
            durations[step] = read.durations[step]
        elif found.median_days is None:
            errors.append(
                FieldError(
                    f"durations.{step}",
                    f"{label}: no conversions in the history to measure; enter the median days",
                )
            )
        else:
            durations[step] = found.median_days
    deal = read.average_deal_size or measured.average_won_amount
    if deal is None:
        errors.append(
            FieldError("average_deal_size", "no won deals in the history; enter the deal size")
        )
    if errors:
        raise PlanInvalid(errors)
    assert deal is not None
    per_month = read.target / 3 if read.period == "quarter" else read.target
    months_count = read.periods * (3 if read.period == "quarter" else 1)
    inputs = PlanInputs(
        starts_on=read.starts_on,
        revenue_targets=tuple([per_month] * months_count),
        average_deal_size=deal,
        rates=rates,
        durations=durations,
        confidence=measured.confidence,
    )
    used_rates = {step: rates[step].value for step in STEPS}
    ranges = {step: list(rates[step].interval(measured.confidence)) for step in STEPS}
    note = {
        "period": read.period,
        "periods": read.periods,
        "target_per_period": read.target,
        "revenue_targets": list(inputs.revenue_targets),
        "lookback_months": read.lookback_months,
        "measured": measured.as_record(),
        "overridden": {
            "rates": dict(read.rates),
            "durations": dict(read.durations),
            "average_deal_size": read.average_deal_size is not None,
        },
        "used": {
            "rates": used_rates,
            "rate_ranges": ranges,
            "durations": durations,
            "average_deal_size": deal,
        },
    }
    return inputs, note


def _values(read: _Fields, measured: Measurement) -> dict[str, Any]:
    inputs, note = _inputs(read, measured)
    try:
        plan = compute_plan(inputs)
    except PlanInvalid as invalid:
        renamed = {"revenue_targets": "target"}
        raise PlanInvalid(
            [FieldError(renamed.get(e.field, e.field), e.message) for e in invalid.errors]
        ) from None
    note["lead_months"] = dict(plan.lead_months)
    note["totals"] = {need: plan.totals[need].as_record() for need in NEEDS}
    note["notes"] = list(plan.notes)
    return {
        "name": read.name,
        "starts_on": read.starts_on,
        "months_count": plan.months_count,
        "revenue_target": Decimal(str(round(sum(inputs.revenue_targets), 2))),
        "average_deal_size": Decimal(str(round(inputs.average_deal_size, 2))),
        "currency": read.currency,
        "inputs": note,
        "months": plan_months_record(plan),
        "sla_sqls_per_month": plan.sla_sqls_per_month,
        "sla_mqls_per_month": plan.sla_mqls_per_month,
    }


def preview_plan(
    connection: Connection, fields: Mapping[str, Any], *, now: datetime
) -> dict[str, Any]:
    """What ``create_plan`` would store, without storing it."""
    read = _read(fields)
    return _values(read, measure(connection, now=now, lookback_months=read.lookback_months))


def create_plan(
    connection: Connection, fields: Mapping[str, Any], *, actor: Actor, now: datetime
) -> PlanRecord:
    """Measure the history, compute the plan and store it (inactive)."""
    values = preview_plan(connection, fields, now=now)
    plan_id = store.insert_plan(
        connection,
        {
            **values,
            "active": False,
            "created_by": actor.user_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    record(
        connection,
        "plan.created",
        f"plan {plan_id}",
        actor=actor,
        now=now,
        details={"name": values["name"], "sla_sqls_per_month": values["sla_sqls_per_month"]},
    )
    return get_plan(connection, plan_id)


def update_plan(
    connection: Connection,
    plan_id: int,
    fields: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> PlanRecord:
    """Recompute a plan from new fields and today's history; it stays active if it was."""
    get_plan(connection, plan_id)
    values = preview_plan(connection, fields, now=now)
    store.update_plan(connection, plan_id, {**values, "updated_at": now})
    record(
        connection,
        "plan.changed",
        f"plan {plan_id}",
        actor=actor,
        now=now,
        details={"name": values["name"], "sla_sqls_per_month": values["sla_sqls_per_month"]},
    )
    return get_plan(connection, plan_id)


def get_plan(connection: Connection, plan_id: int) -> PlanRecord:
    row = store.plan(connection, plan_id)
    if row is None:
        raise LookupError(f"there is no plan {plan_id}")
    return _record(row)


def list_plans(connection: Connection) -> list[PlanRecord]:
    return [_record(row) for row in store.plans(connection)]


def active_plan(connection: Connection) -> PlanRecord | None:
    row = store.active_plan(connection)
    return None if row is None else _record(row)


def activate_plan(
    connection: Connection, plan_id: int, *, actor: Actor, now: datetime
) -> PlanRecord:
    """Make the plan marketing's service level; the plan active before stops being it."""
    found = get_plan(connection, plan_id)
    store.activate(connection, plan_id, now)
    record(
        connection,
        "plan.activated",
        f"plan {plan_id}",
        actor=actor,
        now=now,
        details={
            "name": found.name,
            "sla_sqls_per_month": found.sla_sqls_per_month,
            "sla_mqls_per_month": found.sla_mqls_per_month,
        },
    )
    return get_plan(connection, plan_id)


def delete_plan(connection: Connection, plan_id: int, *, actor: Actor, now: datetime) -> None:
    found = get_plan(connection, plan_id)
    store.delete_plan(connection, plan_id)
    record(
        connection,
        "plan.deleted",
        f"plan {plan_id}",
        actor=actor,
        now=now,
        details={"name": found.name, "was_active": found.active},
    )


# --- the plan as CSV ----------------------------------------------------------------


def plan_csv(found: PlanRecord) -> str:
    """One row per month: revenue, then each need's expected, low and high arrivals."""
    out = io.StringIO()
    writer = SpreadsheetWriter(out, lineterminator="\n")
    header = ["month", "lead_in", "revenue"]
    for need in NEEDS:
        header += [need, f"{need}_low", f"{need}_high"]
    writer.writerow(header)
    for month in found.months:
        row: list[object] = [month["month"][:7], "yes" if month["lead_in"] else "no"]
        row.append(f"{month['revenue']:.2f}")
        for need in NEEDS:
            cell = month[need]
            high = cell["high"]
            row += [cell["expected"], cell["low"], "" if high is None else high]
        writer.writerow(row)
    return out.getvalue()


__all__ = [
    "NEED_LABELS",
    "PERIODS",
    "PlanInvalid",
    "PlanRecord",
    "activate_plan",
    "active_plan",
    "create_plan",
    "delete_plan",
    "get_plan",
    "list_plans",
    "plan_csv",
    "preview_plan",
    "update_plan",
]
