"""Reading the values people put in spreadsheets: dates, numbers and yes/no.

Pure functions, no I/O.  Each parser takes the text of one cell and returns a
Python value or raises :class:`InvalidValue` with a message saying what was
expected; the importer puts the column name in front of it.

Dates come in ISO (``2024-03-05``), US (``3/5/2024``) and European
(``05.03.2024``, ``5/3/2024``) shapes.  Whether ``04/03/2024`` is the 4th of
March or the 3rd of April is a per-file choice (:data:`DateOrder`) that
:func:`sniff_date_order` guesses from a sample.  Numbers may carry Excel's
formatting: thousands separators, a decimal comma, currency signs,
accounting parentheses, exponents and percentages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from silverplatter.domain.identity import InvalidValue

DateOrder = Literal["dmy", "mdy", "ymd"]
DATE_ORDERS: tuple[DateOrder, ...] = ("dmy", "mdy", "ymd")
ORDER_WORDS: dict[DateOrder, str] = {
    "dmy": "day/month/year",
    "mdy": "month/day/year",
    "ymd": "year-month-day",
}

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_YMD = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)")
_NUMERIC = re.compile(r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?!\d)")
_DAY_NAME = re.compile(r"(?P<d>\d{1,2})\.?[ -](?P<mon>[A-Za-z]{3,9})\.?[-, ]+(?P<y>\d{4})(?!\d)")
_NAME_DAY = re.compile(
    r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)"
)
_TIME = re.compile(
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
    r"\s*(?P<tz>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
)


def _year(text: str) -> int:
    """A four-digit year; two digits pivot like ``%y`` (69–99 → 1900s, else 2000s)."""
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 69 else 2000
    return year


def _month_name_match(text: str) -> re.Match[str] | None:
    for pattern in (_DAY_NAME, _NAME_DAY):
        match = pattern.match(text)
        if match is not None and match["mon"].lower() in _MONTHS:
            return match
    return None


def _split_date(text: str, order: DateOrder) -> tuple[date, str]:
    """The date at the start of ``text`` and whatever follows it."""
    candidate = text.strip()
    if match := _YMD.match(candidate):
        parts = int(match["y"]), int(match["m"]), int(match["d"])
    elif match := _NUMERIC.match(candidate):
        first, second, year = int(match["a"]), int(match["b"]), _year(match["y"])
        if match["sep"] == "." or order == "dmy":
            parts = year, second, first
        elif order == "mdy":
            parts = year, first, second
        else:
            raise InvalidValue(f"{text!r} is not a date (expected {ORDER_WORDS[order]})")
    elif match := _month_name_match(candidate):
        parts = int(match["y"]), _MONTHS[match["mon"].lower()], int(match["d"])
    else:
        raise InvalidValue(f"{text!r} is not a date (expected {ORDER_WORDS[order]})")
    try:
        found = date(*parts)
    except ValueError:
        raise InvalidValue(f"{text!r} is not a date (expected {ORDER_WORDS[order]})") from None
    return found, candidate[match.end() :]


def parse_date(text: str, order: DateOrder = "dmy") -> date:
    """A calendar date; a time after it is allowed and ignored."""
    found, rest = _split_date(text, order)
    rest = rest.lstrip(" T,")
    if rest and not _TIME.fullmatch(rest):
        raise InvalidValue(f"{text!r} is not a date (expected {ORDER_WORDS[order]})")
    return found


def _zone(text: str | None, default: tzinfo) -> tzinfo:
    if text is None:
        return default
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return timezone(sign * timedelta(minutes=minutes))


def _time(text: str, whole: str) -> tuple[time, str | None]:
    match = _TIME.fullmatch(text)
    if match is None:
        raise InvalidValue(f"{whole!r} is not a date and time")
    hour, minute = int(match["h"]), int(match["mi"])
    second = int(match["s"] or 0)
    micro = int((match["f"] or "0")[:6].ljust(6, "0"))
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise InvalidValue(f"{whole!r} is not a time (hour {hour} with AM/PM)")
        hour = hour % 12 + (12 if match["ampm"][0] in "Pp" else 0)
    try:
        return time(hour, minute, second, micro), match["tz"]
    except ValueError:
        raise InvalidValue(f"{whole!r} is not a time of day") from None


def parse_datetime(text: str, order: DateOrder = "dmy", zone: tzinfo = UTC) -> datetime:
    """An instant in UTC.  A time without an offset is read in ``zone``; a bare date is
    midnight there."""
    return _parse_datetime(text.strip(), order, zone)


@lru_cache(maxsize=4096)
def _parse_datetime(text: str, order: DateOrder, zone: tzinfo) -> datetime:
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=zone)
            return instant.astimezone(UTC)
    found, rest = _split_date(text, order)
    rest = rest.lstrip(" T,")
    moment, offset = _time(rest, text) if rest else (time(), None)
    local = datetime.combine(found, moment, tzinfo=_zone(offset, zone))
    return local.astimezone(UTC)


def sniff_date_order(values: Iterable[str]) -> DateOrder | None:
    """``dmy`` or ``mdy`` when the sample decides it, else ``None``.

    ``13/02/2024`` can only be day first and ``02/13/2024`` only month first;
    a sample with both, or with neither, does not decide.
    """
    day_first = month_first = False
    for value in values:
        match = _NUMERIC.match(value.strip())
        if match is None:
            continue
        first, second = int(match["a"]), int(match["b"])
        if match["sep"] == "." or (first > 12 >= second):
            day_first = True
        elif second > 12 >= first:
            month_first = True
    if day_first and not month_first:
        return "dmy"
    if month_first and not day_first:
        return "mdy"
    return None


# --- numbers ---------------------------------------------------------------

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})
_CURRENCY = r"(?:[€$£¥₹¤]|[A-Z]{3}|kr\.?|Fr\.?)"
_CURRENCY_EDGE = re.compile(rf"^{_CURRENCY}\s*|\s*(?:{_CURRENCY}|:-|,-)$")
_EXPONENT = re.compile(r"^(?:\d+(?:[.,]\d*)?|[.,]\d+)[eE][+-]?\d+$")
_DIGITS = re.compile(r"[0-9]*")


def _grouped(integer: str, separator: str) -> bool:
    groups = integer.split(separator)
    return 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def _unsigned(body: str, text: str, decimal_hint: str | None) -> Decimal:
    if _EXPONENT.match(body):
        return Decimal(body.replace(",", "."))
    spaced = " " in body or "'" in body
    if spaced:
        integer, _, fraction = body.replace("'", " ").partition(",")
        if "." in integer:
            integer, _, fraction = integer.partition(".")
        if not _grouped(integer, " ") or not _DIGITS.fullmatch(fraction):
            raise InvalidValue(f"{text!r} is not a number")
        return Decimal(f"{integer.replace(' ', '')}.{fraction or '0'}")
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
    elif commas > 1 or dots > 1:
        decimal = None
    elif commas or dots:
        mark = "," if commas else "."
        integer, _, fraction = body.partition(mark)
        thousands = len(fraction) == 3 and integer not in ("", "0") and len(integer) <= 3
        if decimal_hint is not None:
            thousands = decimal_hint != mark and thousands
        decimal = None if thousands else mark
    else:
        decimal = None
    if decimal is not None:
        thousands_mark = "." if decimal == "," else ","
    else:
        thousands_mark = "," if commas else "."
    integer, _, fraction = body.partition(decimal) if decimal else (body, "", "")
    if thousands_mark in integer and not _grouped(integer, thousands_mark):
        raise InvalidValue(f"{text!r} is not a number")
    digits = integer.replace(thousands_mark, "")
    if not _DIGITS.fullmatch(digits) or not _DIGITS.fullmatch(fraction) or not digits + fraction:
        raise InvalidValue(f"{text!r} is not a number")
    return Decimal(f"{digits or '0'}.{fraction or '0'}")


def parse_number(text: str, decimal_hint: str | None = None) -> Decimal:
    """A number as Excel may have formatted it.

    ``1,234,567.89``, ``1 234 567,89``, ``1.234.567,89``, ``€ 12,5``,
    ``(1,234)`` (negative), ``1.2E+06``, ``12%`` (0.12), ``-5``, ``5-``.
    A lone separator followed by exactly three digits (``1,234``) is a
    thousands separator unless ``decimal_hint`` names it as the decimal mark.
    """
    body = text.translate(_SPACES).strip()
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    percent = body.endswith("%")
    if percent:
        body = body[:-1].strip()
    if body.endswith("-"):
        negative, body = not negative, body[:-1].strip()
    for _ in range(2):
        if body and body[0] in "+-":
            negative ^= body[0] == "-"
            body = body[1:].strip()
        body = _CURRENCY_EDGE.sub("", body).strip()
    if not body:
        raise InvalidValue(f"{text!r} is not a number")
    try:
        number = _unsigned(body, text, decimal_hint)
    except InvalidOperation:
        raise InvalidValue(f"{text!r} is not a number") from None
    if percent:
        number = number / 100
    return -number if negative else number


def parse_integer(text: str, decimal_hint: str | None = None) -> int:
    """A whole number (``1.2E+06`` and ``250.0`` are whole; ``12.5`` is not)."""
    number = parse_number(text, decimal_hint)
    if number != number.to_integral_value():
        raise InvalidValue(f"{text!r} is not a whole number")
    return int(number)


def as_json_number(number: Decimal) -> int | float:
    """The JSON form of a parsed number: an int when whole, else a float."""
    if number == number.to_integral_value() and abs(number) < 2**53:
        return int(number)
    return float(number)


# --- yes / no --------------------------------------------------------------

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "x", "on", "✓", "kyllä", "ja"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "off", "-", "ei", "nein"})


def parse_boolean(text: str) -> bool:
    """``yes/no``, ``true/false``, ``1/0``, ``x`` (ticked)."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidValue(f"{text!r} is not yes/no (expected yes, no, true, false, 1, 0 or x)")


def value_kind(text: str, order: DateOrder = "dmy") -> str:
    """What a non-empty cell looks like: ``boolean``, ``number``, ``date`` or ``text``."""
    stripped = text.strip()
    if len(stripped) > 1 and stripped[0] == "0" and stripped.isdigit():
        return "text"  # a code with a leading zero (postal code, id), not a quantity
    try:
        parse_number(text)
    except InvalidValue:
        pass
    else:
        return "number"
    if text.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return "boolean"
    try:
        parse_date(text, order)
    except InvalidValue:
        return "text"
    return "date"
