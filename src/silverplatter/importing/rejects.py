"""The rejects file: every row an import turned down, with its row number and reason.

It holds the original columns followed by ``row_number`` and ``reason``, so a
marketer can fix the rows in a spreadsheet and import the same file again
(the two extra columns are left out on re-import).  It is written as UTF-8
with a byte-order mark, which spreadsheet programs open correctly, and only
when there is something to write.  Cells a spreadsheet would run as a formula
are marked as text (``domain/spreadsheet_cells.py``); the reader takes the
mark off again on re-import.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

from silverplatter.domain.spreadsheet_cells import SpreadsheetWriter
from silverplatter.importing.mapping import REJECT_COLUMNS
from silverplatter.importing.reader import printable


def default_rejects_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.rejects.csv")


class RejectsWriter:
    """Collects rejected rows into a CSV file opened on the first reject."""

    def __init__(self, path: Path, header: Sequence[str], delimiter: str) -> None:
        self.path = path
        self.count = 0
        self._header = [printable(label) for label in header]
        self._delimiter = delimiter
        self._handle: IO[str] | None = None
        self._writer: SpreadsheetWriter | None = None

    def add(self, row_number: int, values: Sequence[str], reason: str) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = SpreadsheetWriter(self._handle, delimiter=self._delimiter)
            self._writer.writerow([*self._header, *REJECT_COLUMNS])
        width = len(self._header)
        cells = [printable(value) for value in values[:width]]
        cells.extend([""] * (width - len(cells)))
        extra = [printable(value) for value in values[width:] if value.strip()]
        if extra:
            reason = f"{reason} (values beyond the last column: {' | '.join(extra)})"
        self._writer.writerow([*cells, row_number, reason])
        self.count += 1

    @property
    def written(self) -> bool:
        return self.count > 0

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
