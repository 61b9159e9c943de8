"""Values every connector reads — money, times, currencies — parsed in one place.

Pure functions: no I/O, no network knowledge. Each raises `ValueError` with a short
message quoting the value; `Mapper` turns that into a `BadPayload` naming the field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry

_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
_SIGN = r"[+\-\u2212]"
# Marks that only ever group thousands: spaces (normalised above) and apostrophes.
_GROUP_MARKS = " '\u2019"
_SYMBOLS = "$€£¥₹₩₽₺₴₪₫฿₱₦₡₲₵₸₭₮¢"
# A currency mark: a symbol with an optional letter prefix (R$, US$, CA$) or up to three
# letters with an optional dot (USD, kr, kr., zł, Kč, Fr.).
_CURRENCY = rf"(?:[^\W\d_]{{0,3}}[{_SYMBOLS}]|[^\W\d_]{{1,3}}\.?)"
_AMOUNT = re.compile(
    rf"""^
    (?P<s1>{_SIGN})?\s*(?P<c1>{_CURRENCY})?\s*(?P<s2>{_SIGN})?\s*
    (?P<open>\()?\s*(?P<number>(?:\d|[.,]\d)[\d.,{_GROUP_MARKS}]*?)\s*(?P<close>\))?
    \s*(?P<s3>{_SIGN})?\s*(?P<c2>{_CURRENCY})?\s*(?P<s4>{_SIGN})?
    $""",
    re.VERBOSE,
)
_GROUPS = re.compile(r"\d{1,3}(?:,\d{3})*")


def parse_money(value: object, *, decimal_comma: bool | None = None) -> Decimal:
    """An exact amount from a str, int or Decimal; floats and bools are refused.

    Text may carry a currency symbol or code before or after the number ("€12,50",
    "12.50 USD", "kr 100"), a sign before or after it ("-12.50", "12.50-", "+3"), or
    accounting parentheses for a negative ("(12.50)"). Thousands may be grouped by
    spaces (normal, non-breaking or thin), apostrophes, or the separator that is not
    the decimal one; groups after the first must have three digits.

    Which of `.` and `,` is the decimal separator:
    - both present: the right-most one ("1.234,56", "1,234.56");
    - grouping by spaces or apostrophes: the one left ("1 234,56");
    - `decimal_comma=True` / `False` forces `,` / `.` as the decimal separator, the other
      one grouping thousands;
    - otherwise (None, inferred from one kind of separator alone): a separator that
      appears more than once groups thousands ("1,234,567"); a lone `.` is a decimal
      point ("1.234" is 1.234, as machine formats write it); a lone `,` groups thousands
      when exactly three digits follow it and one to three digits (not a lone 0) precede
      it ("12,345" is 12345), and is a decimal comma otherwise ("1234,5", "0,125").
    Pass `decimal_comma` when the network's convention is known: it removes the guess.
    """
    if isinstance(value, (bool, float)):
        raise ValueError(f"{value!r} is a {type(value).__name__}; money must parse exactly")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} is not a finite amount")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{type(value).__name__} is not an amount")
    text = _SPACES.sub(" ", value.strip())
    wrapped = text.startswith("(") and text.endswith(")")
    match = _AMOUNT.match(text[1:-1].strip() if wrapped else text)
    if (
        match is None
        or (match["c1"] and match["c2"])
        or bool(match["open"]) != bool(match["close"])
    ):
        raise ValueError(f"{value[:40]!r} is not an amount")
    signs = [match[s] for s in ("s1", "s2", "s3", "s4") if match[s]]
    negatives = [s for s in signs if s != "+"]
    if len(signs) > 1 or (negatives and (wrapped or match["open"])) or (wrapped and match["open"]):
        raise ValueError(f"{value[:40]!r} has more than one sign")
    digits = _canonical(match["number"], decimal_comma)
    if digits is None:
        raise ValueError(f"{value[:40]!r} has misplaced separators")
    amount = Decimal(digits)
    return -amount if negatives or wrapped or match["open"] else amount


def _canonical(number: str, decimal_comma: bool | None) -> str | None:
    """`number` as Decimal text ("1234.56"), or None when its separators make no sense."""
    if any(c in number for c in _GROUP_MARKS):
        # Spaces or apostrophes group thousands; a `.` or `,` left is the decimal mark.
        marks = [c for c in number if c in ".,"]
        forced = decimal_comma is not None and marks and (marks[0] == ",") != decimal_comma
        if len(marks) > 1 or forced:
            return None
        plain = re.sub(f"[{_GROUP_MARKS}]", ",", number)
        if not marks:
            return _join(plain, None)
        point = number.index(marks[0])
        return _join(plain[:point], number[point + 1 :])
    at = _decimal_point(number, decimal_comma)
    if at is None:
        return _join(number.replace(".", ","), None)
    whole, fraction = number[:at], number[at + 1 :]
    group = "," if number[at] == "." else "."
    if any(c not in "0123456789" + group for c in whole):
        return None
    return _join(whole.replace(group, ","), fraction)


def _decimal_point(number: str, decimal_comma: bool | None) -> int | None:
    """The index of the decimal separator in `number`, or None when it has none."""
    if decimal_comma is not None:
        forced = "," if decimal_comma else "."
        return number.rfind(forced) if forced in number else None
    if "." in number and "," in number:
        return max(number.rfind("."), number.rfind(","))
    mark = "." if "." in number else "," if "," in number else None
    if mark is None or number.count(mark) > 1:
        return None
    whole, _, fraction = number.partition(mark)
    if mark == "," and len(fraction) == 3 and 1 <= len(whole) <= 3 and whole != "0":
        return None
    return len(whole)


def _join(whole: str, fraction: str | None) -> str | None:
    if whole == "" and fraction:
        whole = "0"
    if "," in whole and not _GROUPS.fullmatch(whole):
        return None
    if not whole.replace(",", "").isdigit():
        return None
    if fraction is not None and not fraction.isdigit():
        return None
    whole = whole.replace(",", "")
    return f"{whole}.{fraction}" if fraction is not None else whole


_ZONE_NAME = re.compile(r"\s*\((?P<name>[A-Za-z][A-Za-z0-9 _/+\-]*)\)$")
_EPOCH_TEXT = re.compile(r"-?\d{9,}(?:\.\d+)?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECONDS_ABOVE = 10**11


def parse_time(value: object, zone: str = "UTC", *, formats: tuple[str, ...] = ()) -> datetime:
    """An aware UTC datetime from what a network sends for a moment in time.

    Accepted: ISO 8601 with an offset or Z; ISO 8601 without one (read in `zone`); a
    date alone (midnight in `zone`); one of `formats` (strptime, tried in order after
    ISO); epoch seconds as an int, a Decimal or a numeric string of nine or more digits
    (shorter digit strings are dates such as "20260329"), read as milliseconds when above
    10^11; a datetime or date object. A trailing zone name in parentheses after an offset
    ("... GMT+0000 (UTC)") is ignored; after a time without an offset it must be UTC/GMT
    or an IANA zone name, which is then used.

    Naive times are read in `zone` with fold=0: a time the clocks pass twice (the autumn
    fold, 2026-10-25 02:30 in Europe/Amsterdam) is the first occurrence, still on summer
    time; a time the clocks skip (the spring gap, 2026-03-29 02:30 there) is moved
    forward by the gap (to 03:30 summer time).
    """
    tz = ZoneInfo(zone)
    if isinstance(value, (bool, float)):
        raise ValueError(f"{value!r} is a {type(value).__name__}, not a time")
    if isinstance(value, (int, Decimal)):
        return _from_epoch(Decimal(value))
    if isinstance(value, datetime):
        return _aware(value, tz)
    if isinstance(value, date):
        return _aware(datetime(value.year, value.month, value.day), tz)
    if not isinstance(value, str):
        raise ValueError(f"{type(value).__name__} is not a time")
    text = value.strip()
    if _EPOCH_TEXT.fullmatch(text):
        return _from_epoch(Decimal(text))
    named = _ZONE_NAME.search(text)
    if named:
        text = text[: named.start()]
    parsed = _parse_text(text, formats)
    if parsed is None:
        raise ValueError(f"{value[:40]!r} is not a date/time")
    if named and parsed.tzinfo is None:
        tz = _named_zone(named["name"], value)
    return _aware(parsed, tz)


def _parse_text(text: str, formats: tuple[str, ...]) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _named_zone(name: str, value: str) -> ZoneInfo:
    if name.upper() in ("UTC", "GMT", "Z"):
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value[:40]!r} names a zone without an offset") from None


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz, fold=0)
    return moment.astimezone(UTC)


def _from_epoch(number: Decimal) -> datetime:
    if not number.is_finite():
        raise ValueError(f"{number!r} is not a time")
    if abs(number) > _MILLISECONDS_ABOVE:
        number = number / 1000
    try:
        return _EPOCH + timedelta(microseconds=int((number * 1_000_000).to_integral_value()))
    except OverflowError:
        raise ValueError(f"{str(number)[:40]!r} is out of range for a time") from None


# Symbols that name one currency; "$", "¥" and "kr" name several and need a default.
_CURRENCY_SYMBOLS = {
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₴": "UAH",
    "₪": "ILS",
    "₫": "VND",
    "฿": "THB",
    "₱": "PHP",
    "₦": "NGN",
    "ZŁ": "PLN",
    "KČ": "CZK",
    "US$": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "AU$": "AUD",
    "A$": "AUD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "R$": "BRL",
}
_AMBIGUOUS = frozenset({"$", "¥", "KR", "KR."})


def parse_currency(value: object, default: str | None = None) -> str:
    """An ISO 4217 code, upper case, from a code ("eur") or an unambiguous symbol ("€").

    An ambiguous symbol ("$", "¥", "kr") or an empty value gives `default` (itself
    validated) when one is given, else a ValueError.
    """
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{type(value).__name__} is not a currency")
    raw = (value or "").strip()
    text = raw.upper()
    if not text or text in _AMBIGUOUS:
        if default is None:
            raise ValueError(f"{raw!r} is ambiguous as a currency" if raw else "no currency given")
        return parse_currency(default)
    code = _CURRENCY_SYMBOLS.get(text, text)
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"{raw[:40]!r} is not an ISO 4217 currency")
    return code
