"""Kano questionnaire answers as a CSV file (or JSON rows): the layout and its checks.

One row per respondent and feature, comma- or semicolon-separated, with a
header row naming the columns (any order, case ignored):

=================  ==========================================================
column             holds
=================  ==========================================================
``respondent``     who answered (required)
``feature``        the feature asked about (required); new ones are added
``functional``     the answer if the product has the feature
``dysfunctional``  the answer if it does not
``segment``        optional: the respondent's segment, to compare segments
=================  ==========================================================

A survey tool's export has the **wide layout** instead: one row per
respondent, a ``respondent`` column, optionally ``segment``, and two columns
per feature named ``<feature> (functional)`` and ``<feature> (dysfunctional)``
(``<feature>: functional`` and ``<feature> - functional`` work too), e.g.::

    respondent,segment,Offline mode (functional),Offline mode (dysfunctional)
    r1,SMB,like,dislike

A feature a respondent left blank on both questions is skipped; one answer of
the pair without the other is an error.

An answer is 1–5 or its word: like, expect, neutral, live with, dislike
(``domain/kano.answer`` also takes the usual questionnaire wordings).  A
respondent answering the same feature twice in one file is an error; one
already in the study is replaced.  Nothing is imported unless every row is
good; each error names its row (the header is row 1) and column.  Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from silverplatter.domain.kano import BadAnswer, answer
from silverplatter.domain.understanding_checks import (
    FieldError,
    UnderstandingInvalid,
    collect,
    csv_rows,
    invalid,
    text,
)

COLUMNS: Final = ("respondent", "feature", "functional", "dysfunctional", "segment")
REQUIRED: Final = ("respondent", "feature", "functional", "dysfunctional")
MAX_ROWS: Final = 100_000
MAX_ERRORS: Final = 50


@dataclass(frozen=True, slots=True)
class KanoAnswer:
    respondent: str
    feature: str
    functional: int
    dysfunctional: int
    segment: str | None


def parse_answers_csv(content: str) -> list[KanoAnswer]:
    """Every row of a CSV file as an answer; :class:`UnderstandingInvalid` naming row and column."""
    rows = csv_rows(content)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise invalid("file", "the file is empty; expected a header row and one row per answer")
    header = [" ".join(cell.strip().lower().split()) for cell in rows[0]]
    if "feature" not in header and any(_SIDE.match(name) for name in header):
        return _wide(rows)
    errors = [
        FieldError(f"row 1, column {index + 1} ({name!r})", f"expected one of {', '.join(COLUMNS)}")
        for index, name in enumerate(header)
        if name not in COLUMNS
    ]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        errors.append(FieldError("row 1", f"missing the column {', '.join(missing)}"))
    if errors:
        raise UnderstandingInvalid(errors)
    records: list[tuple[int, dict[str, Any]]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            records.append((number, {"__width__": len(row)}))
            continue
        records.append((number, dict(zip(header, row, strict=False))))
    return _checked(records, lambda number, column: f"row {number}, column {column!r}")


#: A column of the wide layout: the feature and which of its two questions.
_SIDE: Final = re.compile(
    r"^(?P<feature>.+?)\s*(?:[(\[]\s*(?P<a>functional|dysfunctional)\s*[)\]]"
    r"|[:–-]\s*(?P<b>functional|dysfunctional))$",
    re.IGNORECASE,
)
_OWN: Final = ("respondent", "segment")


def _wide_columns(header: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Feature → (its functional column, its dysfunctional column); errors name the column."""
    sides: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    errors: list[FieldError] = []
    for index, cell in enumerate(header):
        name = " ".join(cell.split())
        if name.lower() in _OWN:
            continue
        found = _SIDE.match(name)
        if found is None:
            errors.append(
                FieldError(
                    f"row 1, column {name!r}",
                    "expected respondent, segment or '<feature> (functional)' and "
                    "'<feature> (dysfunctional)'",
                )
            )
            continue
        feature = found["feature"].strip()
        side = (found["a"] or found["b"]).lower()
        key = feature.casefold()
        names.setdefault(key, feature)
        if side in sides.setdefault(key, {}):
            errors.append(FieldError(f"row 1, column {name!r}", f"{side} of {feature!r} twice"))
        sides[key][side] = index
    for key, pair in sides.items():
        for side in ("functional", "dysfunctional"):
            if side not in pair:
                errors.append(
                    FieldError(
                        "row 1", f"{names[key]!r} has no {side} column ('{names[key]} ({side})')"
                    )
                )
    if "respondent" not in [cell.strip().lower() for cell in header]:
        errors.append(FieldError("row 1", "missing the column respondent"))
    if errors:
        raise UnderstandingInvalid(errors)
    return {names[key]: (pair["functional"], pair["dysfunctional"]) for key, pair in sides.items()}


def _wide(rows: Sequence[Sequence[str]]) -> list[KanoAnswer]:
    """The answers of a file in the wide layout (one row per respondent)."""
    header = list(rows[0])
    features = _wide_columns(header)
    lowered = [cell.strip().lower() for cell in header]
    own = {name: lowered.index(name) for name in _OWN if name in lowered}
    found: list[KanoAnswer] = []
    errors: list[FieldError] = []
    seen: dict[str, int] = {}

    def cell(row: Sequence[str], index: int) -> str:
        return row[index].strip() if index < len(row) else ""

    for number, row in enumerate(rows[1:], start=2):
        if len(errors) >= MAX_ERRORS:
            break
        if not any(value.strip() for value in row):
            continue
        if len(row) > len(header):
            errors.append(FieldError(f"row {number}", "more values than columns"))
            continue
        before = len(errors)
        where = f"row {number}, column {header[own['respondent']].strip()!r}"
        respondent = collect(errors, text, cell(row, own["respondent"]), where, most=200)
        segment = None
        if "segment" in own:
            place = f"row {number}, column {header[own['segment']].strip()!r}"
            segment = collect(
                errors, text, cell(row, own["segment"]), place, most=100, required=False
            )
        if respondent is not None:
            if respondent.casefold() in seen:
                errors.append(
                    FieldError(
                        where,
                        f"{respondent!r} answered already (at row {seen[respondent.casefold()]})",
                    )
                )
            seen.setdefault(respondent.casefold(), number)
        pairs: list[tuple[str, int, int]] = []
        for feature, columns in features.items():
            raw = [cell(row, index) for index in columns]
            if not any(raw):
                continue
            got: list[int] = []
            for index, value in zip(columns, raw, strict=True):
                place = f"row {number}, column {' '.join(header[index].split())!r}"
                if not value:
                    errors.append(
                        FieldError(place, f"answer both questions about {feature!r} or neither")
                    )
                    continue
                try:
                    got.append(answer(value))
                except BadAnswer as bad:
                    errors.append(FieldError(place, str(bad)))
            if len(got) == 2:
                pairs.append((feature, got[0], got[1]))
        if len(errors) > before or respondent is None:
            continue
        found += [KanoAnswer(respondent, f, fn, dys, segment) for f, fn, dys in pairs]
    if errors:
        raise UnderstandingInvalid(errors[:MAX_ERRORS])
    if not found:
        raise invalid("file", "no answers")
    if len(found) > MAX_ROWS:
        raise invalid("file", f"at most {MAX_ROWS:,} answers at once, got {len(found):,}")
    return found


def parse_answers(items: Sequence[Mapping[str, Any]]) -> list[KanoAnswer]:
    """JSON rows with the same fields; errors name ``answers[i].field``."""
    records = [(index, dict(item)) for index, item in enumerate(items)]
    return _checked(records, lambda index, column: f"answers[{index}].{column}")


def _checked(records: Sequence[tuple[int, dict[str, Any]]], where: Any) -> list[KanoAnswer]:
    if not records:
        raise invalid("file", "no answers")
    if len(records) > MAX_ROWS:
        raise invalid("file", f"at most {MAX_ROWS:,} answers at once, got {len(records):,}")
    found: list[KanoAnswer] = []
    errors: list[FieldError] = []
    seen: dict[tuple[str, str], int] = {}
    for number, record in records:
        if len(errors) >= MAX_ERRORS:
            break
        if "__width__" in record:
            errors.append(FieldError(f"row {number}", "more values than columns"))
            continue
        before = len(errors)
        values: dict[str, Any] = {}
        for column in COLUMNS:
            raw = record.get(column)
            try:
                if column in ("functional", "dysfunctional"):
                    values[column] = answer(raw.strip() if isinstance(raw, str) else raw)
                elif column == "segment":
                    values[column] = text(raw, where(number, column), most=100, required=False)
                else:
                    values[column] = text(raw, where(number, column), most=200)
            except BadAnswer as bad:
                errors.append(FieldError(where(number, column), str(bad)))
            except UnderstandingInvalid as bad:
                errors.extend(bad.errors)
        if len(errors) > before:
            continue
        key = (values["respondent"].casefold(), values["feature"].casefold())
        if key in seen:
            errors.append(
                FieldError(
                    where(number, "respondent"),
                    f"{values['respondent']!r} already answered {values['feature']!r} "
                    f"(at {seen[key]})",
                )
            )
            continue
        seen[key] = number
        found.append(KanoAnswer(**values))
    if errors:
        raise UnderstandingInvalid(errors[:MAX_ERRORS])
    return found


__all__ = ["COLUMNS", "KanoAnswer", "parse_answers", "parse_answers_csv"]
