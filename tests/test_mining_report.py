"""The report runs the ten sections in order by module name; CSV per section and whole."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import Engine

from mining_world import NOW, account, at, contact, deal
from silverplatter.domain.mining import SECTION_KEYS, Candidate, Section
from silverplatter.services.mining.report import (
    CSV_COLUMNS,
    UnknownSection,
    build_report,
    csv_text,
    one_section,
    report_side_by_side,
    section_function,
)
from web_world import seed_users

MINE = ("cross_sell", "closed_lost", "barren_programmes", "met_decision_makers")


def test_the_sections_are_found_by_key_and_an_unknown_key_is_refused() -> None:
    for key in MINE:
        assert section_function(key) is not None
    with pytest.raises(UnknownSection, match="section: no section 'everything'"):
        section_function("everything")


def test_the_report_keeps_the_order_of_the_ten(engine: Engine) -> None:
    ids = dict(seed_users(engine))
    with engine.begin() as c:
        nu = account(c, "Nu", owner_id=ids["sales"])
        deal(c, nu, "Nu pilot", status="lost", closed_at=at(2025, 6, 10), lost_reason="No decision")
    seen: list[str] = []
    with engine.connect() as connection:
        report = build_report(connection, now=NOW, timer=lambda key, _seconds: seen.append(key))
        lost = one_section(connection, "closed_lost", now=NOW)
    assert seen == list(SECTION_KEYS)
    assert [s.key for s in report.sections] == list(SECTION_KEYS)
    assert report.missing == []
    assert lost is not None and [c.account_name for c in lost.candidates] == ["Nu"]
    assert report.total >= 1
    assert report_side_by_side(engine, now=NOW, workers=3) == report
    with engine.connect() as connection:
        sales_own = build_report(connection, now=NOW, owner_id=ids["sales"])
    assert report_side_by_side(engine, now=NOW, owner_id=ids["sales"]) == sales_own
    assert [s.key for s in sales_own.sections] == list(SECTION_KEYS)


def test_csv_has_one_row_per_candidate_with_the_figures_as_json() -> None:
    sections = [
        Section(
            key="closed_lost",
            title="Closed-lost",
            explanation="",
            total=1,
            candidates=[
                Candidate(
                    reason="Lost 'X', reopen now",
                    account_id=3,
                    account_name="Nu, Oy",
                    contact_id=4,
                    contact_name="Ann Nu",
                    contact_email="ann@nu.example",
                    owner_id=2,
                    owner_name="Sam",
                    suggested_on=date(2026, 3, 2),
                    figures={"kind": "timing", "amount": 5},
                )
            ],
        ),
        Section(key="nps", title="NPS", explanation="", total=0, candidates=[]),
    ]
    rows = list(csv.reader(io.StringIO(csv_text(sections))))
    assert rows == [
        list(CSV_COLUMNS),
        [
            "closed_lost",
            "Lost 'X', reopen now",
            "2026-03-02",
            "4",
            "Ann Nu",
            "ann@nu.example",
            "3",
            "Nu, Oy",
            "2",
            "Sam",
            '{"amount":5,"kind":"timing"}',
        ],
    ]
    assert json.loads(rows[1][-1]) == {"amount": 5, "kind": "timing"}


def test_the_report_for_one_owner_passes_the_owner_to_every_section(engine: Engine) -> None:
    ids = dict(seed_users(engine))
    with engine.begin() as c:
        theirs = account(c, "Theirs")
        deal(c, theirs, "Lost one", status="lost", closed_at=at(2025, 6, 10), lost_reason="Price")
        mine = account(c, "Mine", owner_id=ids["sales"])
        ann = contact(c, "Ann", "Mine", account_id=mine)
        deal(c, mine, "Lost two", status="lost", closed_at=at(2025, 7, 1), contact_id=ann)
    with engine.connect() as connection:
        report = build_report(connection, now=NOW, owner_id=ids["sales"], keys=MINE)
    lost = {s.key: s for s in report.sections}["closed_lost"]
    assert [c.account_name for c in lost.candidates] == ["Mine"] and report.missing == []


def test_csv_cells_a_spreadsheet_would_run_are_written_as_text() -> None:
    hostile = Candidate(
        reason="@SUM(A1)",
        account_id=3,
        account_name="+1-2",
        contact_id=4,
        contact_name='=HYPERLINK("http://x","y")',
        contact_email="ann@nu.example",
        owner_id=2,
        owner_name="-Sam",
        suggested_on=None,
        figures={"amount": -3},
    )
    section = Section(key="closed_lost", title="", explanation="", total=1, candidates=[hostile])
    assert csv_text([section]).splitlines()[1] == (
        'closed_lost,\'@SUM(A1),,4,"\'=HYPERLINK(""http://x"",""y"")",'
        'ann@nu.example,3,\'+1-2,2,\'-Sam,"{""amount"":-3}"'
    )
