"""Reading spreadsheet cells: dates, date-times, numbers and yes/no."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from silverplatter.domain.identity import InvalidValue
from silverplatter.importing.values import (
    as_json_number,
    parse_boolean,
    parse_date,
    parse_datetime,
    parse_integer,
    parse_number,
    sniff_date_order,
    value_kind,
)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2024-03-05", "dmy", date(2024, 3, 5)),
        ("2024-03-05", "mdy", date(2024, 3, 5)),
        ("2024/3/5", "dmy", date(2024, 3, 5)),
        ("05.03.2024", "mdy", date(2024, 3, 5)),  # dots are always day first
        ("5.3.2024", "dmy", date(2024, 3, 5)),
        ("05/03/2024", "dmy", date(2024, 3, 5)),
        ("05/03/2024", "mdy", date(2024, 5, 3)),
        ("3/5/24", "mdy", date(2024, 3, 5)),
        ("05-03-1999", "dmy", date(1999, 3, 5)),
        ("5 Mar 2024", "mdy", date(2024, 3, 5)),
        ("05-Mar-2024", "dmy", date(2024, 3, 5)),
        ("March 5, 2024", "dmy", date(2024, 3, 5)),
        ("Sept 30th, 2024", "dmy", date(2024, 9, 30)),
        ("2024-03-05T09:12:44.000Z", "dmy", date(2024, 3, 5)),
        ("05.03.2024 14:30", "dmy", date(2024, 3, 5)),
    ],
)
def test_dates_in_iso_us_and_european_shapes(text: str, order: str, expected: date) -> None:
    assert parse_date(text, order) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "order", "message"),
    [
        ("31/02/2024", "dmy", "'31/02/2024' is not a date (expected day/month/year)"),
        ("13/25/2024", "mdy", "'13/25/2024' is not a date (expected month/day/year)"),
        ("05/03/2024", "ymd", "'05/03/2024' is not a date (expected year-month-day)"),
        ("soon", "dmy", "'soon' is not a date (expected day/month/year)"),
        ("2024-03-05 lunch", "dmy", "'2024-03-05 lunch' is not a date (expected day/month/year)"),
    ],
)
def test_impossible_dates_say_what_was_expected(text: str, order: str, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_date(text, order)  # type: ignore[arg-type]
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05T09:12:44.000Z", datetime(2024, 3, 5, 9, 12, 44, tzinfo=UTC)),
        ("2024-03-05T09:12:44.000+0000", datetime(2024, 3, 5, 9, 12, 44, tzinfo=UTC)),
        ("2024-03-05 09:12", datetime(2024, 3, 5, 9, 12, tzinfo=UTC)),
        ("2024-03-05T11:12:00+02:00", datetime(2024, 3, 5, 9, 12, tzinfo=UTC)),
        ("3/5/2024 9:12 PM", datetime(2024, 3, 5, 21, 12, tzinfo=UTC)),
        ("3/5/2024 12:05 am", datetime(2024, 3, 5, 0, 5, tzinfo=UTC)),
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
    ],
)
def test_datetimes_become_aware_utc(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text, "mdy")
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


def test_times_without_offset_are_read_in_the_files_zone() -> None:
    helsinki = ZoneInfo("Europe/Helsinki")
    assert parse_datetime("05.03.2024 09:00", "dmy", helsinki) == datetime(
        2024, 3, 5, 7, 0, tzinfo=UTC
    )
    assert parse_datetime("2024-07-05 09:00", "dmy", helsinki) == datetime(
        2024, 7, 5, 6, 0, tzinfo=UTC
    )
    plus_one = timezone(timedelta(hours=1))
    assert parse_datetime("2024-03-05T09:00:00Z", "dmy", plus_one).hour == 9


def test_bad_times_are_named() -> None:
    with pytest.raises(InvalidValue, match="not a time of day"):
        parse_datetime("2024-03-05 25:61", "dmy")
    with pytest.raises(InvalidValue, match="hour 14 with AM/PM"):
        parse_datetime("3/5/2024 14:00 PM", "mdy")


def test_date_order_is_sniffed_from_values_that_decide_it() -> None:
    assert sniff_date_order(["01/02/2024", "13/02/2024"]) == "dmy"
    assert sniff_date_order(["01/02/2024", "02/13/2024", "n/a"]) == "mdy"
    assert sniff_date_order(["05.03.2024"]) == "dmy"
    assert sniff_date_order(["01/02/2024", "2024-03-05"]) is None
    assert sniff_date_order(["13/02/2024", "02/13/2024"]) is None
    assert sniff_date_order([]) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234,567.89", Decimal("1234567.89")),
        ("1 234 567,89", Decimal("1234567.89")),
        ("1\u00a0234\u00a0567,89", Decimal("1234567.89")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("€ 12,5", Decimal("12.5")),
        ("12,50 €", Decimal("12.5")),
        ("EUR 1.234,50", Decimal("1234.5")),
        ("$1,234", Decimal("1234")),
        ("CHF 1'234.50", Decimal("1234.5")),
        ("1 234 kr", Decimal("1234")),
        ("(1,234)", Decimal("-1234")),
        ("-€12", Decimal("-12")),
        ("5-", Decimal("-5")),
        ("\u22127", Decimal("-7")),
        ("1.2E+06", Decimal("1200000")),
        ("12%", Decimal("0.12")),
        ("0,125", Decimal("0.125")),
        ("1,5", Decimal("1.5")),
        (".5", Decimal("0.5")),
        ("1234.5678", Decimal("1234.5678")),
        ("1,234", Decimal("1234")),
        ("42", Decimal("42")),
    ],
)
def test_excel_formatted_numbers(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected


def test_a_decimal_hint_settles_a_lone_separator() -> None:
    assert parse_number("1,234") == Decimal("1234")
    assert parse_number("1,234", decimal_hint=",") == Decimal("1.234")
    assert parse_number("1.234", decimal_hint=".") == Decimal("1.234")


@pytest.mark.parametrize(
    "text", ["", "abc", "N/A", "12,345,67", "1.2.3,4.5", "Teollisuuskatu 5", "12 EUR/month", "-"]
)
def test_non_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidValue, match="is not a number"):
        parse_number(text)


def test_whole_numbers() -> None:
    assert parse_integer("1.2E+06") == 1_200_000
    assert parse_integer("250.0") == 250
    assert parse_integer("1 200") == 1200
    with pytest.raises(InvalidValue, match=r"'12\.5' is not a whole number"):
        parse_integer("12.5")


def test_json_numbers() -> None:
    assert as_json_number(Decimal("12")) == 12
    assert isinstance(as_json_number(Decimal("12.0")), int)
    assert as_json_number(Decimal("0.12")) == 0.12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("No", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("x", True),
        ("X", True),
        ("y", True),
        ("n", False),
        ("kyllä", True),
        ("ei", False),
    ],
)
def test_yes_and_no(text: str, expected: bool) -> None:
    assert parse_boolean(text) is expected


def test_not_yes_or_no() -> None:
    with pytest.raises(InvalidValue, match="'maybe' is not yes/no"):
        parse_boolean("maybe")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("42", "number"),
        ("1 234,5", "number"),
        ("00100", "text"),
        ("yes", "boolean"),
        ("x", "boolean"),
        ("2024-03-05", "date"),
        ("05.03.2024 10:00", "date"),
        ("Tampere", "text"),
    ],
)
def test_what_a_cell_looks_like(text: str, kind: str) -> None:
    assert value_kind(text) == kind
