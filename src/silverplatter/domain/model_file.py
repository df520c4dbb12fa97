"""Reading a scoring model file: TOML text → :class:`ScoringModel`, or errors with lines.

TOML parsers report the line of a syntax error but not where a key that
fails validation was written, so :func:`locate` finds it: it follows the
error's path (``engagement.rules.3.points``) through the text's table headers
(``[engagement]``, the fourth ``[[engagement.rules]]``) to the key's line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from pydantic import ValidationError

from silverplatter.domain.scoring_model import ScoringModel

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")
_TOML_LINE = re.compile(r"at line (\d+), column (\d+)")


@dataclass(frozen=True)
class ModelError:
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {self.field}: {self.message}"


class ModelInvalid(ValueError):
    """The file is not a valid scoring model; ``errors`` says where and why."""

    def __init__(self, errors: list[ModelError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def default_model_text() -> str:
    """The model every new workspace starts with."""
    return (resources.files("silverplatter.domain") / "default_model.toml").read_text("utf-8")


def parse_model(text: str) -> ScoringModel:
    """Parse and validate a model file; raise :class:`ModelInvalid` naming line and field."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        line = int(found.group(1)) if found else None
        raise ModelInvalid([ModelError(line, "syntax", str(error))]) from None
    try:
        return ScoringModel.model_validate(document)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            path = [str(part) for part in item["loc"]]
            if path and path[-1] in ("str", "int", "float", "list[...]"):
                path = path[:-1]  # the branch of a union the value failed
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                message = f"unknown key {path[-1]!r}"
            elif item["type"] == "missing":
                message = "missing; this key is required"
            problems.append(ModelError(locate(text, path), ".".join(path) or "model", message))
        raise ModelInvalid(_first_per_field(problems)) from None


def _first_per_field(problems: list[ModelError]) -> list[ModelError]:
    seen: set[str] = set()
    kept = []
    for problem in problems:
        if problem.field not in seen:
            seen.add(problem.field)
            kept.append(problem)
    return kept


def _headers(lines: list[str]) -> list[tuple[int, str, int]]:
    """(line number, table path, occurrence index for arrays of tables)."""
    found = []
    counts: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        match = _HEADER.match(line)
        if not match:
            continue
        path = ".".join(part.strip().strip("\"'") for part in match.group(2).split("."))
        if match.group(1) == "[[":
            index = counts.get(path, 0)
            counts[path] = index + 1
            found.append((number, path, index))
        else:
            found.append((number, path, -1))
    return found


def locate(text: str, path: list[str]) -> int | None:
    """The line where the value at ``path`` was written, or its nearest enclosing table."""
    lines = text.splitlines()
    headers = _headers(lines)
    # The table path in TOML form: numeric parts select the n-th [[array]] entry.
    best_line: int | None = None
    best_depth = -1
    best_end = len(lines) + 1
    for position, (number, table, index) in enumerate(headers):
        parts = table.split(".")
        depth = _matches(parts, index, path)
        if depth > best_depth:
            best_depth, best_line = depth, number
            best_end = headers[position + 1][0] if position + 1 < len(headers) else len(lines) + 1
    consumed = best_depth if best_depth > 0 else 0
    remaining = [part for part in path[consumed:] if not part.isdigit()]
    start = best_line or 0
    if remaining:
        wanted = remaining[0].rstrip("_")
        for number in range(start + 1, best_end):
            match = _KEY.match(lines[number - 1])
            if match and match.group(1).split(".")[0].strip("\"'") == wanted:
                return number
        if best_line is None:
            for number, line in enumerate(lines, start=1):
                match = _KEY.match(line)
                if match and match.group(1).split(".")[0].strip("\"'") == wanted:
                    return number
    return best_line


def _matches(parts: list[str], index: int, path: list[str]) -> int:
    """How many elements of ``path`` a table header covers (-1 if it is elsewhere)."""
    position = 0
    for part in parts:
        if position >= len(path):
            return position  # a sub-table of the value the path names: [thresholds.gold]
        if path[position].rstrip("_") != part:
            return -1
        position += 1
    if index >= 0:
        if position >= len(path) or not path[position].isdigit():
            return -1
        if int(path[position]) != index:
            return -1
        position += 1
    return position
