"""Marketing's service level against actuals: the MQLs and SQLs that arrived each month
(contacts that first reached MQL or SQL then, as Analytics counts them,
``storage/marketing_plans.py``)
set against the active plan's ``sla_mqls_per_month`` and ``sla_sqls_per_month``,
with the run-rate projection of the current month and quarter.

The comparison is with the flat service level, not the plan's month-by-month
needs: the service level is what marketing promised every month; the plan's
months (shown beside it) say when the first months' leads were due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Final

from sqlalchemy import Connection

from silverplatter.domain.planning import (
    Projection,
    add_months,
    month_start,
    project,
    quarter_start,
)
from silverplatter.services.planning import PlanRecord, active_plan
from silverplatter.storage import marketing_plans as store

DASHBOARD_MONTHS: Final = 12


@dataclass(frozen=True, slots=True)
class SlaMonth:
    month: date
    mqls: int
    sqls: int
    current: bool


@dataclass(frozen=True, slots=True)
class SlaDashboard:
    """Actual MQL and SQL arrivals per month against the active plan's service level."""

    plan: PlanRecord | None
    months: tuple[SlaMonth, ...]
    #: Run-rate projections of the current month and quarter, per "mqls" / "sqls";
    #: empty without an active plan.
    month_projection: dict[str, Projection]
    quarter_projection: dict[str, Projection]


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def sla_dashboard(
    connection: Connection, *, now: datetime, months: int = DASHBOARD_MONTHS
) -> SlaDashboard:
    """The last ``months`` months up to the current one, and the projections."""
    current = month_start(now)
    firsts = [add_months(current, offset) for offset in range(1 - months, 1)]
    ranges = [(_moment(first), _moment(add_months(first, 1))) for first in firsts]
    found = store.arrivals_by_month(connection, ranges)
    rows = tuple(
        SlaMonth(first, *found.get(number, (0, 0)), first == current)
        for number, first in enumerate(firsts)
    )
    plan = active_plan(connection)
    month_projection: dict[str, Projection] = {}
    quarter_projection: dict[str, Projection] = {}
    if plan is not None:
        quarter = quarter_start(current)
        in_quarter = [row for row in rows if row.month >= quarter]
        for key, sla in (("mqls", plan.sla_mqls_per_month), ("sqls", plan.sla_sqls_per_month)):
            this = rows[-1].mqls if key == "mqls" else rows[-1].sqls
            month_projection[key] = project(
                this, sla, period_start=current, period_end=add_months(current, 1), now=now
            )
            so_far = sum(row.mqls if key == "mqls" else row.sqls for row in in_quarter)
            quarter_projection[key] = project(
                so_far, 3 * sla, period_start=quarter, period_end=add_months(quarter, 3), now=now
            )
    return SlaDashboard(plan, rows, month_projection, quarter_projection)


__all__ = ["DASHBOARD_MONTHS", "SlaDashboard", "SlaMonth", "sla_dashboard"]
