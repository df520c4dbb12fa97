"""The analytics PDF and the CSV tables behind it, on empty and on small reports."""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal

from silverplatter.domain.channel_costs import cost_per_lead
from silverplatter.domain.funnel import GroupTally, funnel_row
from silverplatter.domain.journeys import journeys
from silverplatter.services.channel_costs import CostReport
from silverplatter.services.funnel import FunnelReport, JourneyReport, Period
from silverplatter.web import analytics_tables as tables
from silverplatter.web.analytics_pdf import analytics_pdf


def _reports(tally: GroupTally) -> tuple[FunnelReport, JourneyReport, CostReport]:
    row = funnel_row("=HYPERLINK(1)", tally)
    funnel = FunnelReport("source", Period(), (row,), funnel_row("All", tally))
    paths: dict[tuple[str, ...], int] = {("subscriber", "lead", "mql"): 2} if tally.contacts else {}
    months, channels = cost_per_lead({("email", "2026-01"): Decimal("10.00")}, {}, {})
    costs = CostReport(Period(), "EUR", months, channels, ())
    return funnel, JourneyReport(Period(), journeys(paths)), costs


def test_an_empty_workspace_still_prints() -> None:
    body = analytics_pdf(*_reports(GroupTally()), workspace="Empty")
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")


def test_a_small_report_prints_and_its_csv_is_inert() -> None:
    tally = GroupTally(contacts=3, furthest=Counter({"mql": 2, "customer": 1}))
    tally.stays["lead"].update({2: 2, 5: 1})
    funnel, paths, costs = _reports(tally)
    assert analytics_pdf(funnel, paths, costs).startswith(b"%PDF-")
    header, rows = tables.conversion_table(funnel)
    assert rows[-1][:6] == ["All", "3", "3", "100.0%", "3", "33.3%"]
    answer = tables.csv_response("x.csv", (header, rows))
    written = list(csv.reader(io.StringIO(bytes(answer.body).decode("utf-8"))))
    assert written[1][0] == "'=HYPERLINK(1)"
    assert tables.time_table(funnel)[1][-1] == ["All", "Lead", "3", "2", "5"]
    assert tables.paths_table(paths)[1] == [["Subscriber → Lead → MQL", "2", "2", "100.0%"]]
    assert tables.cost_table(costs, by_month=False)[1] == [["email", "10.00", "0", "0", "—", "—"]]


def test_the_csv_marks_formulas_and_keeps_negative_figures_as_numbers() -> None:
    header = ["Source", "Cost", "Note"]
    rows = [
        ['=HYPERLINK("http://x","y")', "-12.50", "+1-2"],
        ["@SUM(A1)", "-1,234.50", "-3"],
    ]
    answer = tables.csv_response("x.csv", (header, rows))
    assert bytes(answer.body).decode("utf-8") == (
        "Source,Cost,Note\r\n"
        '"\'=HYPERLINK(""http://x"",""y"")",-12.50,\'+1-2\r\n'
        '\'@SUM(A1),"-1,234.50",-3\r\n'
    )
