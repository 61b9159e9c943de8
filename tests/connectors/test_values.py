"""Money, times and currencies as every connector reads them, and the Mapper on top."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.connectors.errors import BadPayload
from app.connectors.mapping import Mapper
from app.connectors.values import parse_currency, parse_money, parse_time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", "12.50"),
        (12, "12"),
        (Decimal("55.96"), "55.96"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),  # non-breaking space
        ("1\u202f234,56", "1234.56"),  # narrow no-break space (French)
        ("1\u2009234,56", "1234.56"),  # thin space
        ("12 345 678,9", "12345678.9"),
        ("1'234.50", "1234.50"),
        ("1234,5", "1234.5"),
        ("12,345", "12345"),  # a comma before exactly three digits groups thousands
        ("1.234", "1.234"),  # a lone dot is a decimal point
        ("0,125", "0.125"),  # "0," never starts a thousands group
        ("12,34", "12.34"),
        ("1,234,567", "1234567"),
        ("1.234.567", "1234567"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        (".5", "0.5"),
        ("€12,50", "12.50"),
        ("$1,234.56", "1234.56"),
        ("12.50 USD", "12.50"),
        ("GBP 3.00", "3.00"),
        ("kr 100", "100"),
        ("12,50 €", "12.50"),
        ("R$ 10,00", "10.00"),
        ("zł 5", "5"),
        ("(12.50)", "-12.50"),
        ("(€1.234,56)", "-1234.56"),
        ("€(12.50)", "-12.50"),
        ("12.50-", "-12.50"),
        ("-12.50", "-12.50"),
        ("\u221212.50", "-12.50"),  # the minus sign
        ("-€5", "-5"),
        ("€-5", "-5"),
        ("+3", "3"),
        ("  7.00  ", "7.00"),
    ],
)
def test_money_parses(value: object, expected: str) -> None:
    parsed = parse_money(value)
    assert parsed == Decimal(expected)
    assert str(parsed) == expected  # exponent kept: "12.50" stays two places


@pytest.mark.parametrize(
    ("value", "decimal_comma", "expected"),
    [
        ("12,345", True, "12.345"),
        ("12,345", False, "12345"),
        ("1.234", True, "1234"),
        ("1.234", False, "1.234"),
        ("1.234,5", True, "1234.5"),
        ("1,234.5", False, "1234.5"),
        ("1 234,5", True, "1234.5"),
    ],
)
def test_decimal_comma_removes_the_guess(value: str, decimal_comma: bool, expected: str) -> None:
    assert parse_money(value, decimal_comma=decimal_comma) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "money must parse exactly"),
        (True, "money must parse exactly"),
        (Decimal("NaN"), "not a finite amount"),
        (None, "not an amount"),
        ("", "not an amount"),
        ("abc", "not an amount"),
        ("1e5", "not an amount"),
        ("€12 USD", "not an amount"),
        ("12.", "misplaced separators"),
        ("1,2,3", "misplaced separators"),
        ("1.234.56", "misplaced separators"),
        ("1 234.567,8", "misplaced separators"),
        ("1234,567.00", "misplaced separators"),
        ("--1", "more than one sign"),
        ("-(1)", "more than one sign"),
        ("-1-", "more than one sign"),
    ],
)
def test_money_refuses(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_money(value)


@pytest.mark.parametrize(
    ("value", "decimal_comma"),
    [("1,234,567", True), ("1.234.567", False), ("1 234,5", False), ("1 234.5", True)],
)
def test_forced_convention_refuses_the_other(value: str, decimal_comma: bool) -> None:
    with pytest.raises(ValueError, match="misplaced separators"):
        parse_money(value, decimal_comma=decimal_comma)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type,misc]


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        ("2024-03-02T10:31:44Z", "UTC", utc(2024, 3, 2, 10, 31, 44)),
        ("2024-03-02T10:31:44+02:00", "America/New_York", utc(2024, 3, 2, 8, 31, 44)),
        ("2024-03-02T10:31:44.250-05:00", "UTC", utc(2024, 3, 2, 15, 31, 44, 250000)),
        ("2024-03-02T10:31:44", "Europe/London", utc(2024, 3, 2, 10, 31, 44)),
        ("2024-03-02 10:31:44", "US/Pacific", utc(2024, 3, 2, 18, 31, 44)),
        ("2026-03-29", "Europe/Amsterdam", utc(2026, 3, 28, 23)),  # local midnight
        ("20260329", "UTC", utc(2026, 3, 29)),  # eight digits: a date, not an epoch
        (1711670400, "Europe/Amsterdam", utc(2024, 3, 29)),  # epochs ignore the zone
        ("1711670400", "UTC", utc(2024, 3, 29)),
        (Decimal("1711670400.5"), "UTC", utc(2024, 3, 29, 0, 0, 0, 500000)),
        (1711670400123, "UTC", utc(2024, 3, 29, 0, 0, 0, 123000)),  # milliseconds
        ("1711670400123", "UTC", utc(2024, 3, 29, 0, 0, 0, 123000)),
        ("2014-04-30T03:07:13+00:00 (UTC)", "Asia/Tokyo", utc(2014, 4, 30, 3, 7, 13)),
        ("2024-03-02 10:31:44 (UTC)", "Asia/Tokyo", utc(2024, 3, 2, 10, 31, 44)),
        ("2024-03-02 10:31:44 (Europe/Paris)", "UTC", utc(2024, 3, 2, 9, 31, 44)),
        (datetime(2024, 3, 2, 10), "Europe/Amsterdam", utc(2024, 3, 2, 9)),
        (date(2024, 3, 2), "Europe/Amsterdam", utc(2024, 3, 1, 23)),
        # The autumn fold: 02:30 happens twice; the first (summer time) is taken.
        ("2026-10-25 02:30", "Europe/Amsterdam", utc(2026, 10, 25, 0, 30)),
        ("2026-11-01 01:30", "America/Los_Angeles", utc(2026, 11, 1, 8, 30)),
        # The spring gap: 02:30 never happens; it moves forward by the hour to 03:30.
        ("2026-03-29 02:30", "Europe/Amsterdam", utc(2026, 3, 29, 1, 30)),
        ("2026-03-08 02:30", "America/Los_Angeles", utc(2026, 3, 8, 10, 30)),
        # Either side of the changes, for comparison.
        ("2026-03-29 03:30", "Europe/Amsterdam", utc(2026, 3, 29, 1, 30)),
        ("2026-10-25 03:30", "Europe/Amsterdam", utc(2026, 10, 25, 2, 30)),
    ],
)
def test_time_parses(value: object, zone: str, expected: datetime) -> None:
    parsed = parse_time(value, zone)
    assert parsed == expected
    assert parsed.utcoffset() is not None
    assert parsed.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_time_tries_formats_after_iso() -> None:
    formats = ("%d/%m/%Y %H:%M", "%a %b %d %Y %H:%M:%S GMT%z")
    assert parse_time("31/03/2026 14:00", "Europe/Amsterdam", formats=formats) == utc(
        2026, 3, 31, 12
    )
    rakuten = "Wed Apr 30 2014 03:07:13 GMT+0000 (UTC)"
    assert parse_time(rakuten, formats=formats) == utc(2014, 4, 30, 3, 7, 13)


@pytest.mark.parametrize(
    "value",
    ["yesterday", "", "31/03/2026", 1.5, True, None, "2024-03-02 10:00 (CEST)", {"a": 1}],
)
def test_time_refuses(value: object) -> None:
    with pytest.raises(ValueError, match=r"time|zone"):
        parse_time(value)


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        ("EUR", None, "EUR"),
        ("usd", None, "USD"),
        (" gbp ", None, "GBP"),
        ("€", None, "EUR"),
        ("£", None, "GBP"),
        ("zł", None, "PLN"),
        ("US$", None, "USD"),
        ("$", "usd", "USD"),
        ("¥", "JPY", "JPY"),
        ("kr", "SEK", "SEK"),
        ("", "EUR", "EUR"),
        (None, "EUR", "EUR"),
    ],
)
def test_currency_parses(value: str | None, default: str | None, expected: str) -> None:
    assert parse_currency(value, default) == expected


@pytest.mark.parametrize(
    ("value", "default", "message"),
    [
        ("$", None, "ambiguous"),
        ("kr", None, "ambiguous"),
        ("", None, "no currency"),
        (None, None, "no currency"),
        ("XYZ", None, "not an ISO 4217"),
        ("euro", "EUR", "not an ISO 4217"),
        ("$", "dollars", "not an ISO 4217"),  # the default is checked too
        (12, None, "not a currency"),
    ],
)
def test_currency_refuses(value: object, default: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_currency(value, default)


def test_mapper_reads_through_values() -> None:
    m = Mapper(
        "tradetracker",
        {"a": "€1.234,56", "b": "12,345", "t": 1711670400, "c": "€", "d": "$", "e": ""},
    )
    assert m.money("a") == Decimal("1234.56")
    assert m.money("b") == Decimal("12345")
    assert m.money("b", decimal_comma=True) == Decimal("12.345")
    assert m.time("t") == utc(2024, 3, 29)
    assert m.currency("c") == "EUR"
    assert m.currency("d", "USD") == "USD"
    assert m.currency("e", "EUR") == "EUR"
    assert m.currency("missing", "EUR") == "EUR"


def test_mapper_failures_name_the_field() -> None:
    m = Mapper("tradetracker", {"a": "1,2,3", "f": True, "c": "$", "x": "XYZ", "t": {"d": 1}})
    with pytest.raises(BadPayload, match="'a' is not a number: '1,2,3'"):
        m.money("a")
    with pytest.raises(BadPayload, match="'f' is a bool; money must parse exactly"):
        m.money("f")
    with pytest.raises(BadPayload, match="'c' is not a currency: '\\$'"):
        m.currency("c")
    with pytest.raises(BadPayload, match="'x' is not a currency"):
        m.currency("x", "EUR")
    with pytest.raises(BadPayload, match="'missing' is missing"):
        m.currency("missing")
    with pytest.raises(BadPayload, match="'t' is not a date/time"):
        m.time("t")
    with pytest.raises(BadPayload, match="'missing' is missing"):
        m.required_time("missing")
