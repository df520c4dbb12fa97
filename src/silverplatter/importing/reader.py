"""Reading a CSV export as a stream of records, whatever its encoding and delimiter.

Real exports arrive as UTF-8 with or without a byte-order mark, as Windows
"ANSI" (cp1252, a superset of Latin-1 for letters), or as Excel's UTF-16
"Unicode text"; with ``,``, ``;`` or tab between values; with line breaks
inside quoted values.  :func:`open_table` settles the format from a sample
(each choice can be given instead) and then reads one record at a time, so
memory does not grow with the file.

A cell the product marked with a leading quote so that a spreadsheet would not
run it as a formula (``domain/spreadsheet_cells.py``) is read without the
mark: exported and rejected rows import as the values they were written from.

Text is decoded with ``errors="surrogateescape"``: a few bytes that are not
valid in the file's encoding do not stop the import, they mark their record,
which :func:`bad_bytes_column` finds so the importer can reject it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from silverplatter.domain.spreadsheet_cells import read_cell, read_row
from silverplatter.importing import ImportFileError

DELIMITERS = ",;\t|"
CHUNK = 1 << 20
SNIFF_CHARS = 64 * 1024
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "cp1252": "Windows-1252",
    "utf-16": "UTF-16",
}

_HIGH = re.compile(rb"[\x80-\xff]")
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_ESCAPED = re.compile("[\udc80-\udcff]")
_SEP_HINT = re.compile(r"^sep=(.)\r?\n?$")

# Notes fields in CRM exports can be long; the default limit is 128 KiB.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class CsvFormat:
    """How a file is written: its text encoding and the character between values.

    ``sep_line`` is set when the file starts with Excel's ``sep=;`` hint line.
    """

    encoding: str
    delimiter: str
    sep_line: bool = False

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` or ``utf-16`` from a byte-order mark, else ``utf-8`` or ``cp1252``.

    Without a mark the decision is made on the evidence of bytes above 127:
    valid UTF-8 sequences speak for UTF-8, stray high bytes for cp1252.  A file
    that is mostly valid UTF-8 with a few bad bytes is UTF-8 (those rows are
    rejected); a file with high bytes but no UTF-8 sequence at all is cp1252.
    The scan stops as soon as there is enough evidence, so a large ASCII file
    is read once quickly and a typical file hardly at all.
    """
    valid = invalid = 0
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        chunk = head + handle.read(CHUNK)
        while chunk:
            if _HIGH.search(chunk):
                sequences = _UTF8_SEQUENCE.findall(chunk)
                high = len(_HIGH.findall(chunk))
                in_sequences = sum(len(sequence) for sequence in sequences)
                valid += len(sequences)
                invalid += high - in_sequences
                if valid + invalid >= 200:
                    break
            chunk = handle.read(CHUNK)
    if valid == 0 and invalid > 0:
        return "cp1252"
    return "utf-8" if valid >= invalid else "cp1252"


def _field_counts(sample: str, delimiter: str) -> list[int]:
    lines = sample.splitlines(keepends=True)[:-1] or sample.splitlines(keepends=True)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    counts = []
    try:
        for values in reader:
            if values:
                counts.append(len(values))
            if len(counts) >= 50:
                break
    except csv.Error:
        return []
    return counts


def _consistency(sample: str, delimiter: str) -> tuple[float, int]:
    counts = _field_counts(sample, delimiter)
    if not counts or counts[0] < 2:
        return (0.0, 0)
    return (sum(count == counts[0] for count in counts) / len(counts), counts[0])


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's records into equally many values.

    ``csv.Sniffer`` gives the first opinion; it is kept when its delimiter
    splits the header into several values and the records agree with it,
    otherwise each candidate is scored on that agreement.
    """
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    scores = {delimiter: _consistency(sample, delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: scores[delimiter])
    if sniffed in scores and scores[sniffed][1] >= 2 and scores[sniffed][0] >= scores[best][0]:
        return sniffed
    return best if scores[best][1] >= 2 else ","


def bad_bytes_column(values: list[str]) -> int | None:
    """Index of the first value holding bytes the file's encoding could not decode."""
    for index, value in enumerate(values):
        if _ESCAPED.search(value):
            return index
    return None


def any_bad_bytes(records: list[tuple[int, list[str]]]) -> bool:
    """Whether any record of a batch holds undecodable bytes (one scan for the batch)."""
    return bool(_ESCAPED.search("\x00".join("\x00".join(values) for _, values in records)))


def printable(value: str) -> str:
    """A value with undecodable bytes shown as U+FFFD, fit for writing out."""
    return _ESCAPED.sub("\ufffd", value)


class CsvTable:
    """An open CSV file: its header, then its records one at a time.

    Records come as ``(line_number, values)`` where ``line_number`` is the
    record's first physical line, counting the header as line 1, as a
    spreadsheet shows it.  Blank records are skipped.
    """

    def __init__(self, path: Path, csv_format: CsvFormat) -> None:
        self.path = path
        self.format = csv_format
        self.size = path.stat().st_size
        self._binary: BinaryIO = path.open("rb")
        self._text = io.TextIOWrapper(
            self._binary, encoding=csv_format.encoding, errors="surrogateescape", newline=""
        )
        self._reader = csv.reader(self._text, delimiter=csv_format.delimiter, strict=False)
        self.header: list[str] = []
        if csv_format.sep_line:
            self._text.readline()
        for values in self._reader:
            if any(value.strip() for value in values):
                self.header = [
                    read_cell(printable(value).strip().lstrip("\ufeff")) for value in values
                ]
                break
        self._line = self._reader.line_num + (1 if csv_format.sep_line else 0)

    @property
    def bytes_read(self) -> int:
        """Bytes consumed so far (read ahead by at most one buffer)."""
        return min(self._binary.tell(), self.size)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        offset = 1 if self.format.sep_line else 0
        line = self._line
        try:
            for values in reader:
                first = line + 1
                line = reader.line_num + offset
                if any(values):
                    yield first, read_row(values)
        except csv.Error as error:
            raise ImportFileError(
                f"{self.path.name} cannot be read from line {line + 1} on: {error} "
                "(is a quote left open?)"
            ) from None

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> CsvTable:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def sniff_format(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> CsvFormat:
    """The file's format: given choices win, the rest is detected from a sample."""
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise ImportFileError(
                f"unknown encoding {encoding!r} (try utf-8, cp1252 or latin-1)"
            ) from None
    chosen = encoding or detect_encoding(path)
    with path.open(encoding=chosen, errors="surrogateescape", newline="") as handle:
        sample = handle.read(SNIFF_CHARS)
    hint = _SEP_HINT.match(sample.lstrip("\ufeff").partition("\n")[0] + "\n")
    if hint is not None:
        sample = sample.partition("\n")[2]
    if delimiter is None:
        delimiter = hint[1] if hint is not None else detect_delimiter(sample)
    elif delimiter in ("tab", "\\t"):
        delimiter = "\t"
    if len(delimiter) != 1:
        raise ImportFileError(f"the delimiter must be one character, got {delimiter!r}")
    return CsvFormat(encoding=chosen, delimiter=delimiter, sep_line=hint is not None)


def open_table(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> CsvTable:
    """Open ``path`` for reading; :class:`ImportFileError` when it has no header."""
    if not path.is_file():
        raise ImportFileError(f"{path} does not exist or is not a file")
    if path.stat().st_size == 0:
        raise ImportFileError(f"{path.name} is empty: expected a header row and data rows")
    table = CsvTable(path, sniff_format(path, encoding=encoding, delimiter=delimiter))
    if not table.header:
        table.close()
        raise ImportFileError(f"{path.name} is empty: expected a header row and data rows")
    return table
