"""Cells a spreadsheet shows as text: which are marked, that numbers stay numbers,
that reading takes exactly the mark off, and that no CSV file is written another way."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from silverplatter.domain.spreadsheet_cells import (
    SpreadsheetWriter,
    inert_cell,
    read_cell,
    read_row,
    runs_as_formula,
)

SRC = Path(__file__).parent.parent / "src" / "silverplatter"

HOSTILE = [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+1-2", "'+1-2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("-2+3", "'-2+3"),
    ("-", "'-"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("+44 20 7946 0000", "'+44 20 7946 0000"),
    ("-1e5-2", "'-1e5-2"),
    ("'=x", "''=x"),
    ("''@x", "'''@x"),
]
LEFT_ALONE = [
    "-3",
    "-12.5",
    "+3",
    "-1,234.50",
    "-1.234,50",
    "-.5",
    "1e-3",
    "-2E+10",
    "-5%",
    "'-3",
    "O'Brien",
    "'quoted'",
    "'",
    "",
    "plain text",
    "a=b",
    " =1",
]


@pytest.mark.parametrize(("value", "written"), HOSTILE)
def test_a_formula_is_marked_as_text(value: str, written: str) -> None:
    assert inert_cell(value) == written
    assert read_cell(written) == value


@pytest.mark.parametrize("value", LEFT_ALONE)
def test_numbers_and_ordinary_text_are_left_alone(value: str) -> None:
    assert inert_cell(value) == value
    assert read_cell(value) == value


def test_values_that_are_not_text() -> None:
    assert [inert_cell(v) for v in (None, -3, Decimal("-12.50"), -0.25, 7, True)] == [
        "",
        "-3",
        "-12.50",
        "-0.25",
        "7",
        "True",
    ]


def test_runs_as_formula() -> None:
    assert [runs_as_formula(v) for v in ("=1", "-3", "-x", "", "'=1", "@")] == [
        True,
        False,
        True,
        False,
        False,
        True,
    ]


def test_a_quote_typed_by_hand_before_a_formula_is_read_off() -> None:
    assert read_cell("'+44 20 7946 0000") == "+44 20 7946 0000"
    assert read_cell("'=1+1") == "=1+1"
    assert read_cell("'+4420794600") == "'+4420794600"  # a number: the quote was not ours


def test_a_row_without_a_marked_cell_is_read_as_it_is() -> None:
    plain = ["anna@nordtek.fi", "O'Brien", "", "-3"]
    assert read_row(plain) is plain
    assert read_row(["x", "'=1", "'-3", "y'"]) == ["x", "=1", "'-3", "y'"]


def test_the_writer_marks_every_cell_of_every_row() -> None:
    out = io.StringIO()
    writer = SpreadsheetWriter(out, lineterminator="\n")
    writer.writerow(["name", "=sum"])
    writer.writerows([['=HYPERLINK("http://x","y")', "+1-2"], [-3, "@SUM(A1)"], [None, "-12.5"]])
    assert out.getvalue().split("\n") == [
        "name,'=sum",
        '"\'=HYPERLINK(""http://x"",""y"")",\'+1-2',
        "-3,'@SUM(A1)",
        ",-12.5",
        "",
    ]
    semicolons = io.StringIO()
    SpreadsheetWriter(semicolons, delimiter=";").writerow(["=1;2", "-1,5"])
    assert semicolons.getvalue() == '"\'=1;2";-1,5\r\n'


def test_every_csv_file_is_written_through_the_spreadsheet_writer() -> None:
    """A plain ``csv.writer`` anywhere else would write formulas a spreadsheet runs."""
    pattern = re.compile(r"csv\.writer\(|DictWriter\(")
    offenders = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "spreadsheet_cells.py" and pattern.search(path.read_text("utf-8"))
    ]
    assert offenders == []
