"""The scoring model compiled to SQL expressions, for the set-based recompute.

Each function mirrors a Python rule in ``domain/`` and must give the same
answer on SQLite and PostgreSQL (``tests/test_recompute.py`` holds them
equal): JSON values compare only when they have the type the Python rule
expects, text compares case-insensitively on ASCII letters only, globs are
case-sensitive for URLs.  Every constant goes in as a bound parameter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.sql.elements import KeyedColumnElement

from silverplatter.domain.grades import level_of
from silverplatter.domain.grading import glob_regex
from silverplatter.domain.scoring_model import GRADING_FIELDS, Criterion, EngagementRule, Grading

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"

Expr = ColumnElement[Any]


def epoch_seconds(column: Expr, dialect: str) -> Expr:
    """A stored UTC time as seconds since the epoch (microseconds kept)."""
    if dialect == "postgresql":
        # ``date_part`` divides the whole microseconds once, in double precision:
        # the value ``datetime.timestamp()`` gives.  ``EXTRACT`` returns ``numeric``
        # since PostgreSQL 14, whose cast back costs 0.18 µs a value (3.3 s over a
        # million-contact workspace's 18.5M events) for the same doubles.
        return func.date_part("epoch", column, type_=Float(precision=53))
    # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" text.  Whole microseconds divided
    # once give the correctly rounded value Python's ``datetime.timestamp()`` gives.
    # ``unixepoch`` (SQLite 3.38), cheaper than ``strftime('%s', …)``, is given the
    # whole seconds alone: given the fraction too it rounds the time to milliseconds
    # first, so that ``12:00:59.9995`` and later read as 12:01:00, a second late.
    whole = func.unixepoch(func.substr(column, 1, 19))
    micros = whole * 1_000_000 + cast(func.substr(column, 21), Integer)
    return micros / literal(1_000_000.0, Float)


def as_micros(seconds: Expr, dialect: str) -> Expr:
    """Seconds as whole microseconds (how times are kept inside JSON documents)."""
    whole = BigInteger() if dialect == "postgresql" else Integer()
    return cast(func.round(seconds * 1_000_000.0), whole)


def power2(exponent: Expr) -> Expr:
    return func.power(literal(2.0, Float), exponent)


def floor_to(value: Expr, step: float, offset: float, dialect: str) -> Expr:
    """``((value + offset) // step) * step - offset`` for non-negative values."""
    shifted = (value + offset) / step
    whole = func.floor(shifted) if dialect == "postgresql" else cast(shifted, Integer)
    return whole * step - offset


def clamp(value: Expr, low: float, high: float, dialect: str) -> Expr:
    if dialect == "postgresql":
        return func.greatest(low, func.least(high, value))
    return func.max(literal(low), func.min(literal(high), value))


def ascii_lower(value: Expr, dialect: str) -> Expr:
    """``value`` with the ASCII letters A–Z folded to lower case, nothing else (as the domain's).

    SQLite's ``lower()`` folds ASCII letters only.  PostgreSQL's does the same
    under the "C" collation, and is then a byte loop: 0.05 s per million values
    against 1.3 s for ``translate`` over the alphabet, which made grading a
    million contacts take seconds there.  (Grouped first, so that the
    collation applies to the whole of a compound value.)
    """
    if dialect == "postgresql":
        return func.lower(value.self_group().collate("C"))
    return func.lower(value)


def json_text(document: Expr, key: str, dialect: str) -> Expr:
    """The value at ``key`` when it is a JSON string, else NULL."""
    if dialect == "postgresql":
        node = document.op("->")(literal(key, String))
        text_value = type_coerce(document.op("->>")(literal(key, String)), String)
        return case((func.jsonb_typeof(node) == "string", text_value))
    path = f'$."{key}"'
    text_value = type_coerce(func.json_extract(document, path), String)
    return case((func.json_type(document, path) == "text", text_value))


def json_number(document: Expr, key: str, dialect: str) -> Expr:
    """The value at ``key`` when it is a JSON number (not a boolean), else NULL."""
    if dialect == "postgresql":
        node = document.op("->")(literal(key, String))
        text_value = type_coerce(document.op("->>")(literal(key, String)), String)
        return case(
            (func.jsonb_typeof(node) == "number", cast(text_value, Float(precision=53))),
        )
    path = f'$."{key}"'
    return case(
        (
            func.json_type(document, path).in_(["integer", "real"]),
            cast(func.json_extract(document, path), Float),
        )
    )


def json_present(document: Expr, key: str, dialect: str) -> Expr:
    """The value at ``key`` exists, is not null and is not the empty string."""
    if dialect == "postgresql":
        node = document.op("->")(literal(key, String))
        kind = func.jsonb_typeof(node)
        return and_(
            kind.is_not(None),
            kind != "null",
            json_text(document, key, dialect).is_distinct_from(""),
        )
    path = f'$."{key}"'
    kind = func.json_type(document, path)
    return and_(
        kind.is_not(None),
        kind != "null",
        func.coalesce(json_text(document, key, dialect), "x") != "",
    )


def glob_match(value: Expr, pattern: str, dialect: str) -> Expr:
    """``*`` and ``?`` globs over the whole value, case-sensitive, like ``grading.glob_regex``."""
    if dialect == "postgresql":
        escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = escaped.replace("*", "%").replace("?", "_")
        return value.like(like, escape="\\")
    return value.op("GLOB")(literal(pattern.replace("[", "[[]"), String))


def address_path(value: Expr, dialect: str) -> Expr:
    """``web_address.address_path`` step by step: the path of an http(s) address with a
    host (``/`` when it has none), else NULL."""
    position = func.strpos if dialect == "postgresql" else func.instr
    scheme = ascii_lower(func.substr(value, 1, 8), dialect)
    rest = case(
        (scheme == "https://", func.substr(value, 9)),
        (func.substr(scheme, 1, 7) == "http://", func.substr(value, 8)),
    )
    host_end = position(func.replace(func.replace(rest, "?", "/"), "#", "/"), "/")
    tail = func.substr(rest, host_end)
    path_end = position(func.replace(tail, "#", "?"), "?")
    path = case((path_end == 0, tail), else_=func.substr(tail, 1, path_end - 1))
    # Most values are paths: one look at the first four letters keeps them cheap.
    maybe = ascii_lower(func.substr(value, 1, 4), dialect) == "http"
    return case(
        (not_(maybe), literal(None, String)),
        (or_(rest.is_(None), rest == ""), literal(None, String)),
        (host_end == 0, literal("/", String)),
        (host_end == 1, literal(None, String)),
        (path == "", literal("/", String)),
        else_=path,
    )


_REGEX_SPECIAL = frozenset("\\^$.|?*+()[]{}")
_WEB_ADDRESS_HOST = "[Hh][Tt][Tt][Pp][Ss]?://[^/?#]+"


def _glob_as_regex(pattern: str, any_character: str) -> str:
    return "".join(
        f"{any_character}*"
        if c == "*"
        else any_character
        if c == "?"
        else f"\\{c}"
        if c in _REGEX_SPECIAL
        else c
        for c in pattern
    )


def url_match(value: Expr, pattern: str, dialect: str) -> Expr:
    """A URL pattern over the value or, for a full web address, its path (like
    ``web_address.url_forms``).

    On PostgreSQL one regular expression says both, so that the value is taken out
    of the JSON document once: the pattern over the whole value; or an address whose
    path (``/`` onwards, up to ``?`` or ``#``) the pattern meets, its ``*`` and ``?``
    then standing for characters other than ``?`` and ``#``; or, when the pattern
    meets ``/``, an address with no path.  SQLite cuts the path out step by step.
    """
    if dialect != "postgresql":
        return or_(
            glob_match(value, pattern, dialect),
            glob_match(address_path(value, dialect), pattern, dialect),
        )
    forms = [_glob_as_regex(pattern, ".")]
    if "#" not in pattern:  # a path never holds "#"
        path = _glob_as_regex(pattern, "[^?#]")
        forms.append(f"{_WEB_ADDRESS_HOST}(?=/){path}(?:[?#].*)?")
    if glob_regex(pattern).fullmatch("/"):
        forms.append(f"{_WEB_ADDRESS_HOST}(?:[?#].*)?")
    return value.op("~")(literal(f"^(?:{'|'.join(forms)})$", String))


def json_has_tag(document: Expr, tag: str, dialect: str) -> Expr:
    if dialect == "postgresql":
        node = document.op("->")(literal("tags", String))
        return and_(func.jsonb_typeof(node) == "array", node.op("?")(literal(tag, String)))
    tags = func.json_each(document, "$.tags").table_valued("value", "type")
    return and_(
        func.json_type(document, "$.tags") == "array",
        exists(
            select(literal(1)).select_from(tags).where(tags.c.value == tag, tags.c.type == "text")
        ),
    )


def rule_condition(
    rule: EngagementRule, properties: Expr, channel: Expr, dialect: str, url: Expr | None = None
) -> Expr:
    """Whether an event (its properties document and channel) meets ``rule``'s conditions;
    ``url`` is the document's ``url`` when the caller took it out already."""
    parts: list[Expr] = []
    if rule.channel is not None:
        parts.append(channel == rule.channel)
    for key, expected in (
        ("cta", rule.cta),
        ("content_id", rule.content),
        ("form", rule.form),
        *rule.properties.items(),
    ):
        if expected is not None:
            parts.append(json_text(properties, key, dialect) == expected)
    if rule.url_matches is not None:
        address = json_text(properties, "url", dialect) if url is None else url
        parts.append(url_match(address, rule.url_matches, dialect))
    if rule.tag is not None:
        parts.append(json_has_tag(properties, rule.tag, dialect))
    return and_(true(), *parts)


# ---- grading ----------------------------------------------------------------


def _profile_value(
    field: str, columns: dict[str, KeyedColumnElement[Any]], dialect: str, want: str
) -> Expr:
    if ".custom." in field:
        owner, _custom, name = field.split(".", 2)
        document = columns[f"{owner}.custom"]
        if want == "number":
            return json_number(document, name, dialect)
        if want == "present":
            return json_present(document, name, dialect)
        return json_text(document, name, dialect)
    column = columns[field]
    if want == "present":
        return and_(column.is_not(None), cast(column, String) != "")
    kind = GRADING_FIELDS[field]
    if want == "number":
        return cast(column, Float(precision=53)) if kind == "number" else literal(None, Float)
    if kind == "number":
        return cast(column, String)
    return column


def criterion_thirds(
    criterion: Criterion, columns: dict[str, KeyedColumnElement[Any]], dialect: str
) -> Expr:
    """The step in thirds this criterion gives a profile row (match, mismatch or unknown)."""
    kind, expected = criterion.condition
    match_step, mismatch_step, unknown_step = criterion.thirds()
    if kind == "is_set":
        present = _profile_value(criterion.field, columns, dialect, "present")
        held = present if expected else not_(present)
        return case((held, match_step), else_=mismatch_step)
    if kind in ("in", "not_in", "matches"):
        value = _profile_value(criterion.field, columns, dialect, "text")
        unknown = or_(value.is_(None), value == "")
        lowered = ascii_lower(value, dialect)
        if kind == "matches":
            pattern = _ascii_lower_text(str(expected))
            held = glob_match(lowered, pattern, dialect)
        else:
            options = sorted({_ascii_lower_text(str(option)) for option in expected})
            inside = lowered.in_(options)
            held = inside if kind == "in" else not_(inside)
    else:
        value = _profile_value(criterion.field, columns, dialect, "number")
        unknown = value.is_(None)
        if kind == "at_least":
            held = value >= expected
        elif kind == "at_most":
            held = value <= expected
        else:
            held = value.between(expected[0], expected[1])
    return case((unknown, unknown_step), (held, match_step), else_=mismatch_step)


def _ascii_lower_text(text: str) -> str:
    return text.translate(str.maketrans(_UPPER, _LOWER))


def grade_level(
    grading: Grading, columns: dict[str, KeyedColumnElement[Any]], dialect: str
) -> Expr:
    total: Expr = literal(level_of(grading.start), Integer)
    for criterion in grading.criteria:
        total = total + criterion_thirds(criterion, columns, dialect)
    return clamp(total, 0, 12, dialect)
