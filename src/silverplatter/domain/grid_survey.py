"""Survey answers for a needs grid as a CSV file: the layout and its checks.

One row per respondent (a customer, or an internal rater when imported as
internal), comma- or semicolon-separated, the first row naming the columns:

==========================  ===============================================
column                      holds
==========================  ===============================================
``respondent``              who answered (required, once per file); a
                            respondent already in the grid is replaced
``department``              optional: the respondent's department
``points: <need>``          the points given to the need; a respondent's
                            points add up to 100 (a blank is 0)
``<competitor>: <need>``    the 0–10 score of a competitor (or us) on the
                            need; blank when not scored
==========================  ===============================================

Names of needs and competitors are the grid's, case and spaces around the
colon ignored, e.g.::

    respondent,points: Price,points: Service,Us: Price,Us: Service,Rival: Price
    Customer 1,60,40,7,8,6

Nothing is imported unless every row is good; each error names its row (the
header is row 1, as a spreadsheet numbers them) and column.  Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from silverplatter.domain.need_grid import MAX_SCORE, POINTS, Cell, check_weights
from silverplatter.domain.understanding_checks import (
    FieldError,
    UnderstandingInvalid,
    csv_rows,
    invalid,
    text,
)
from silverplatter.domain.understanding_checks import number as to_number

MAX_ROWS: Final = 10_000
MAX_ERRORS: Final = 50
POINTS_PREFIX: Final = "points"


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    respondent: str
    department: str | None
    weights: dict[str, float]
    scores: dict[Cell, float]


def _columns(
    header: Sequence[str], needs: Sequence[str], competitors: Sequence[str]
) -> list[tuple[str, str | None, str | None]]:
    """Per column: its role (respondent, department, points, score), the need, the competitor."""
    by_need = {need.casefold(): need for need in needs}
    by_rival = {rival.casefold(): rival for rival in competitors}
    found: list[tuple[str, str | None, str | None]] = []
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, raw in enumerate(header):
        label = raw.strip()
        key = " ".join(label.casefold().split())
        where = f"row 1, column {index + 1} ({label!r})"
        if key in seen and key:
            errors.append(FieldError(where, "the column is named twice"))
            continue
        seen.add(key)
        if key in ("respondent", "department"):
            found.append((key, None, None))
            continue
        left, colon, right = label.partition(":")
        left_key, right_key = left.strip().casefold(), right.strip().casefold()
        if not colon or not right_key:
            errors.append(
                FieldError(
                    where,
                    "expected respondent, department, 'points: <need>' or '<competitor>: <need>'",
                )
            )
            continue
        need = by_need.get(right_key)
        if need is None:
            message = f"{right.strip()!r} is not a need of this grid ({', '.join(needs)})"
            errors.append(FieldError(where, message))
            continue
        if left_key == POINTS_PREFIX:
            found.append(("points", need, None))
            continue
        rival = by_rival.get(left_key)
        if rival is None:
            errors.append(
                FieldError(
                    where,
                    f"{left.strip()!r} is not a competitor of this grid "
                    f"({', '.join(competitors)}) nor 'points'",
                )
            )
            continue
        found.append(("score", need, rival))
    if errors:
        raise UnderstandingInvalid(errors)
    if not any(role == "respondent" for role, _n, _c in found):
        raise invalid("row 1", "expected a respondent column")
    return found


def parse_survey(
    content: str, needs: Sequence[str], competitors: Sequence[str]
) -> list[SurveyAnswer]:
    """Every respondent's answers; :class:`UnderstandingInvalid` naming each bad row and column."""
    rows = csv_rows(content)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise invalid("file", "the file is empty; expected a header row and one row per respondent")
    columns = _columns(rows[0], needs, competitors)
    body = [
        (number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)
    ]
    if not body:
        raise invalid("file", "no answers under the header")
    if len(body) > MAX_ROWS:
        raise invalid("file", f"at most {MAX_ROWS:,} respondents in one file, got {len(body):,}")
    answers: list[SurveyAnswer] = []
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for number, row in body:
        if len(errors) >= MAX_ERRORS:
            break
        found = _answer(number, row, rows[0], columns, needs, errors)
        if found is None:
            continue
        earlier = seen.get(found.respondent.casefold())
        if earlier is not None:
            errors.append(
                FieldError(
                    f"row {number}, column 'respondent'",
                    f"{found.respondent!r} already answered in row {earlier}",
                )
            )
            continue
        seen[found.respondent.casefold()] = number
        answers.append(found)
    if errors:
        raise UnderstandingInvalid(errors[:MAX_ERRORS])
    return answers


def _answer(
    number: int,
    row: Sequence[str],
    header: Sequence[str],
    columns: Sequence[tuple[str, str | None, str | None]],
    needs: Sequence[str],
    errors: list[FieldError],
) -> SurveyAnswer | None:
    if len(row) > len(columns):
        errors.append(FieldError(f"row {number}", f"{len(row)} values for {len(columns)} columns"))
        return None
    respondent: str | None = None
    department: str | None = None
    weights: dict[str, float] = {}
    scores: dict[Cell, float] = {}
    before = len(errors)
    for index, (role, need, rival) in enumerate(columns):
        value = row[index] if index < len(row) else ""
        where = f"row {number}, column {header[index].strip()!r}"
        try:
            if role == "respondent":
                respondent = text(value, where, most=200)
            elif role == "department":
                department = text(value, where, most=100, required=False)
            elif not value.strip():
                continue
            elif role == "points" and need is not None:
                weights[need] = to_number(value, where, low=0, high=POINTS)
            elif need is not None and rival is not None:
                scores[(need, rival)] = to_number(value, where, low=0, high=MAX_SCORE)
        except UnderstandingInvalid as bad:
            errors.extend(bad.errors)
    if len(errors) > before or respondent is None:
        return None
    try:
        checked = check_weights(weights, needs, field=f"row {number}")
    except UnderstandingInvalid as bad:
        errors.extend(bad.errors)
        return None
    return SurveyAnswer(respondent, department, checked, scores)


__all__ = ["MAX_ROWS", "SurveyAnswer", "parse_survey"]
