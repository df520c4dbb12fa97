"""Cells a spreadsheet shows as text and never runs as a formula (CSV injection).

A spreadsheet program opening a CSV file runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` (and, in some programs, a tab or a carriage return) as a
formula: a contact named ``=HYPERLINK("http://x","y")`` becomes a link, and
worse formulas can fetch or run things.  Every CSV file the product writes
therefore goes through :class:`SpreadsheetWriter`, which puts a single quote
in front of such a cell, as OWASP advises; the quote tells the spreadsheet
"this is text".  A genuine number (``-12.5``, ``+3``, ``-1,234.50``, ``1e-3``,
``-5%``) is left alone so that it stays a number.

The quote comes off again on import (:func:`read_cell`), so a file the product
wrote (an export, a rejects file) imports as the values it was written from.
To lose nothing, a value that already starts with quotes before a formula
character gets one quote more on the way out: ``'=x`` is written ``''=x`` and
read back as ``'=x``.  The one consequence for files from elsewhere: a cell
written by hand as ``'=x`` or ``'+44 20 7946 0000`` (a quote typed to keep a
spreadsheet from computing) imports as ``=x`` or ``+44 20 7946 0000``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Final

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS: Final = frozenset("=+-@\t\r")
#: The mark that makes a spreadsheet read a cell as text.
TEXT_MARK: Final = "'"

_WATCHED: Final = FORMULA_STARTS | {TEXT_MARK}
_MARKED_CELL: Final = "\x00" + TEXT_MARK
_NUMBER: Final = re.compile(
    r"[+-]?(?:[0-9]+(?:[.,][0-9]+)*\.?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?%?", re.ASCII
)


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula rather than show it."""
    return text[:1] in FORMULA_STARTS and _NUMBER.fullmatch(text) is None


def inert_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text (``None`` is empty)."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if text[:1] in _WATCHED and runs_as_formula(text.lstrip(TEXT_MARK)):
        return TEXT_MARK + text
    return text


def read_cell(cell: str) -> str:
    """The value :func:`inert_cell` wrote as ``cell``: its text mark taken off."""
    if cell[:1] == TEXT_MARK and runs_as_formula(cell.lstrip(TEXT_MARK)):
        return cell[1:]
    return cell


def read_row(cells: list[str]) -> list[str]:
    """:func:`read_cell` on every cell; the same list when no cell starts with a quote.

    The test for a quote is one substring search over the joined cells: an
    import reads a million records through here.
    """
    if _MARKED_CELL in "\x00".join(("", *cells)):
        return [read_cell(cell) for cell in cells]
    return cells


class SpreadsheetWriter:
    """A ``csv.writer`` whose every cell is made inert: the one way to write a CSV file."""

    def __init__(
        self, handle: IO[str], *, delimiter: str = ",", lineterminator: str = "\r\n"
    ) -> None:
        self._writer = csv.writer(handle, delimiter=delimiter, lineterminator=lineterminator)

    def writerow(self, row: Iterable[object]) -> None:
        # Most cells are text that starts harmlessly: they skip the call (an
        # export writes twenty cells a row, a million rows).
        self._writer.writerow(
            [
                value if type(value) is str and value[:1] not in _WATCHED else inert_cell(value)
                for value in row
            ]
        )

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


__all__ = [
    "FORMULA_STARTS",
    "TEXT_MARK",
    "SpreadsheetWriter",
    "inert_cell",
    "read_cell",
    "read_row",
    "runs_as_formula",
]
