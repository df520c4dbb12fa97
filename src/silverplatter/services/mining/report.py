"""The lost-lead mining report: the ten sections in the order of domain §11, and CSV.

Each section is its own module, ``silverplatter.services.mining.<key>``,
found by name with ``importlib`` so the report needs no list of imports to
keep in step: a section module that does not exist (yet) is reported as
missing instead of failing the whole report.  ``owner_id`` is passed to
every section: a sales user sees only candidates on what they own.

The CSV holds one row per candidate: the section, the reason, who, the
suggested date and the figures as one JSON object — UTF-8 with a header,
ISO dates, cells a spreadsheet would run as a formula marked as text, as
``services/exporting.py`` writes its files.
"""

from __future__ import annotations

import importlib
import io
import json
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol, TextIO, cast

from sqlalchemy import Connection, Engine

from silverplatter.domain.mining import SECTION_KEYS, Candidate, Section
from silverplatter.domain.spreadsheet_cells import SpreadsheetWriter

PACKAGE: Final = "silverplatter.services.mining"
#: Candidates per section on the page and in the API unless asked otherwise.
DEFAULT_LIMIT: Final = 50
#: Sections read at once by :func:`report_side_by_side`.  Four, even on 2 cores: a
#: section waits on the database part of its time (1M contacts, SQLite: 8.0 s one
#: after the other, 5.6 s two at a time, 4.7 s four at a time; docs/benchmarks.md).
SIDE_BY_SIDE: Final = 4
#: Candidates per section in a CSV export.
EXPORT_LIMIT: Final = 100_000
CSV_COLUMNS: Final = (
    "section",
    "reason",
    "suggested_on",
    "contact_id",
    "contact_name",
    "contact_email",
    "account_id",
    "account_name",
    "owner_id",
    "owner_name",
    "figures",
)


class SectionFunction(Protocol):
    def __call__(
        self, connection: Connection, *, now: datetime, limit: int, owner_id: int | None = None
    ) -> Section: ...


class UnknownSection(LookupError):
    """A section key that is not one of the ten."""

    def __init__(self, key: str) -> None:
        super().__init__(f"section: no section {key!r}; expected one of {', '.join(SECTION_KEYS)}")
        self.field = "section"
        self.key = key


@dataclass(frozen=True, slots=True)
class Report:
    sections: list[Section]
    #: Section keys whose module does not exist yet.
    missing: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(section.total for section in self.sections)


def section_function(key: str) -> SectionFunction | None:
    """The ``section`` function of ``key``'s module, or None when it is not written yet."""
    if key not in SECTION_KEYS:
        raise UnknownSection(key)
    name = f"{PACKAGE}.{key}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return None
        raise
    return cast(SectionFunction, module.section)


def one_section(
    connection: Connection,
    key: str,
    *,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    owner_id: int | None = None,
) -> Section | None:
    """One section, or None when its module does not exist yet."""
    function = section_function(key)
    if function is None:
        return None
    return function(connection, now=now, limit=limit, owner_id=owner_id)


def build_report(
    connection: Connection,
    *,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    owner_id: int | None = None,
    keys: Sequence[str] = SECTION_KEYS,
    timer: Callable[[str, float], None] | None = None,
) -> Report:
    """Every section in ``SECTION_KEYS`` order; ``timer`` hears each section's seconds."""
    sections: list[Section] = []
    missing: list[str] = []
    for key in keys:
        started = time.perf_counter()
        found = one_section(connection, key, now=now, limit=limit, owner_id=owner_id)
        if timer is not None:
            timer(key, time.perf_counter() - started)
        if found is None:
            missing.append(key)
        else:
            sections.append(found)
    return Report(sections, missing)


def report_side_by_side(
    engine: Engine,
    *,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    owner_id: int | None = None,
    workers: int = SIDE_BY_SIDE,
) -> Report:
    """The same report as :func:`build_report`, its sections read ``workers`` at a time.

    The sections are independent reads, each in a connection of its own, so
    the page waits for the slowest of them rather than for their sum: at a
    million contacts the ten take about 9 s one after the other (docs/
    benchmarks.md).  SQLite and the PostgreSQL driver let other threads run
    while a statement executes.
    """

    def read(key: str) -> Section | None:
        with engine.connect() as connection:
            return one_section(connection, key, now=now, limit=limit, owner_id=owner_id)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lost-leads") as pool:
        found = list(pool.map(read, SECTION_KEYS))
    sections = [section for section in found if section is not None]
    missing = [key for key, section in zip(SECTION_KEYS, found, strict=True) if section is None]
    return Report(sections, missing)


def _row(key: str, candidate: Candidate) -> list[str]:
    def cell(value: object) -> str:
        return "" if value is None else str(value)

    return [
        key,
        candidate.reason,
        candidate.suggested_on.isoformat() if candidate.suggested_on else "",
        cell(candidate.contact_id),
        cell(candidate.contact_name),
        cell(candidate.contact_email),
        cell(candidate.account_id),
        cell(candidate.account_name),
        cell(candidate.owner_id),
        cell(candidate.owner_name),
        json.dumps(candidate.figures, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
    ]


def write_csv(sections: Iterable[Section], handle: TextIO) -> int:
    """Write the candidates of ``sections`` as CSV to ``handle``; how many rows."""
    writer = SpreadsheetWriter(handle)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for section in sections:
        for candidate in section.candidates:
            writer.writerow(_row(section.key, candidate))
            rows += 1
    return rows


def csv_text(sections: Iterable[Section]) -> str:
    """The CSV of ``sections`` as one string."""
    buffer = io.StringIO()
    write_csv(sections, buffer)
    return buffer.getvalue()
