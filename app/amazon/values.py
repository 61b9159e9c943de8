"""Cell values to exact Python values: text, counts, money (Decimal, never float), dates.

XLSX cells arrive from calamine as str, int, float, bool or date/datetime; CSV cells as str.
Numbers in a workbook are IEEE doubles, so 49.99 comes back as the float nearest to it. Its
`repr` is the shortest decimal that round-trips (`'49.99'`), so `Decimal(repr(x))` recovers
what Amazon wrote; rounding to the currency's minor unit then removes any binary noise
a computed cell carries (0.30000000000000004 -> 0.30). Text amounts are rounded the same
way, so an XLSX and a CSV of one download give identical values (and identical ids).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Cell = str | int | float | bool | date | datetime | time | timedelta | None

_EXCEL_EPOCH = datetime(1899, 12, 30)
_NUMBER_NOISE = re.compile(r"[^\d,.\-]")  # currency symbols, spaces, NBSPs, percent signs
_MONTH_FIRST = ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m-%d-%Y")
_DAY_FIRST = ("%d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y")
_OTHER_DATES = (
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M:%S",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
)


class CellError(ValueError):
    """A cell that does not hold what its column promises; the message quotes it."""


def to_text(value: Cell) -> str:
    """A cell as text: '' for empty, integral floats without '.0' (ids, counts)."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def to_decimal(value: Cell, *, decimal_comma: bool = False) -> Decimal:
    """An exact Decimal from a number or a localised number text ("1,234.50", "16,39")."""
    if type(value) is float and value - value == 0:  # finite: the common XLSX case
        return Decimal(repr(value))
    if isinstance(value, bool) or value is None:
        raise CellError(f"{value!r} is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(f"{value!r} is not a number")
        return Decimal(repr(value))
    if not isinstance(value, str):
        raise CellError(f"{to_text(value)!r} is not a number")
    text = value.strip()
    negative = text.startswith("(") and text.endswith(")")  # accounting style (12.00)
    cleaned = _NUMBER_NOISE.sub("", text)
    if "," in cleaned and "." in cleaned:
        # Both separators: the right-most one is the decimal point.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        if decimal_comma and cleaned.count(",") == 1:
            cleaned = cleaned.replace(",", ".")
        elif decimal_comma:
            raise CellError(f"{text[:40]!r} is not a number")
        else:
            cleaned = cleaned.replace(",", "")  # "1,234" groups thousands
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(f"{text[:40]!r} is not a number") from None
    if not number.is_finite():
        raise CellError(f"{text[:40]!r} is not a number")
    return -number if negative else number


def to_money(value: Cell, quantum: Decimal, *, decimal_comma: bool = False) -> Decimal:
    """Money rounded half-up to the currency's minor unit (`quantum`, e.g. Decimal('0.01'))."""
    return to_decimal(value, decimal_comma=decimal_comma).quantize(quantum, ROUND_HALF_UP)


def to_count(value: Cell) -> int:
    """A whole number of items/clicks; "1.0" and 1.0 are 1, 1.5 is an error."""
    if type(value) is float and value.is_integer():  # XLSX numbers are all floats
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = to_decimal(value)
    if number != number.to_integral_value():
        raise CellError(f"{to_text(value)!r} is not a whole number")
    return int(number)


def to_datetime(value: Cell, *, day_first: bool) -> datetime:
    """A naive local date/time from a date cell, an Excel serial number or a date text."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An unformatted date cell: days since 1899-12-30 (the 1900 date system).
        if not 1 <= value < 2958466:
            raise CellError(f"{value!r} is not a date")
        return _EXCEL_EPOCH + timedelta(days=float(value))
    text = to_text(value)
    if not text:
        raise CellError("is empty")
    try:
        parsed = datetime.fromisoformat(text)
        return parsed.replace(tzinfo=None) if parsed.tzinfo else parsed
    except ValueError:
        pass
    formats = (_DAY_FIRST + _MONTH_FIRST) if day_first else (_MONTH_FIRST + _DAY_FIRST)
    for fmt in formats + _OTHER_DATES:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise CellError(f"{text[:40]!r} is not a date")


def parse_title_date(text: str, *, day_first: bool) -> date | None:
    """A date from a title row ("12-01-2020"): month first in the US, else the locale's."""
    parts = re.split(r"[-/.]", text.strip())
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    a, b, c = (int(p) for p in parts)
    try:
        if len(parts[0]) == 4:
            return date(a, b, c)
        if a > 12 or (day_first and b <= 12):
            return date(c, b, a)
        return date(c, a, b)
    except ValueError:
        return None
