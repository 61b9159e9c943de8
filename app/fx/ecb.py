"""The ECB's euro foreign exchange reference rates feed (XML), parsed into rate rows.

Format (`eurofxref-daily.xml`, `eurofxref-hist-90d.xml`, `eurofxref-hist.xml`)::

    <gesmes:Envelope xmlns:gesmes="..." xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
      <gesmes:subject>Reference rates</gesmes:subject>
      <Cube>
        <Cube time="2026-11-23">
          <Cube currency="USD" rate="1.0850"/> ...
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException, ElementTree

from app.fx.store import RateRow

log = logging.getLogger("netledger.fx")

DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
NINETY_DAY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"
_CURRENCY = re.compile(r"[A-Z]{3}")
_MAX_PER_EUR = Decimal("1e10")  # fx_rate.per_eur is NUMERIC(20, 10)


class FeedError(Exception):
    """The feed could not be fetched or read; nothing was written."""


@dataclass
class ParsedFeed:
    rows: list[RateRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why each bad entry was left out

    @property
    def days(self) -> list[date]:
        return sorted({day for day, _, _ in self.rows})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_feed(body: bytes) -> ParsedFeed:
    """Every valid (day, currency, per_eur) in an ECB feed.

    Raises `FeedError` when the body is not XML or holds no valid rate at all. A single
    bad entry (unknown date, currency or rate) is skipped and named in `skipped`, so
    one broken line does not cost the day's other rates.
    """
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise FeedError(f"the feed is not well-formed XML: {exc}") from exc
    parsed = ParsedFeed()
    for cube in root.iter():
        if _local(cube.tag) != "Cube" or "time" not in cube.attrib:
            continue
        try:
            day = date.fromisoformat(cube.attrib["time"])
        except ValueError:
            parsed.skipped.append(f"time={cube.attrib['time']!r}")
            continue
        for entry in cube:
            if _local(entry.tag) != "Cube":
                continue
            currency, raw = entry.get("currency", ""), entry.get("rate", "")
            problem = _check(currency, raw)
            if problem:
                parsed.skipped.append(f"{day} {currency!r} rate={raw!r}: {problem}")
            else:
                parsed.rows.append((day, currency, Decimal(raw)))
    if not parsed.rows:
        raise FeedError("the feed holds no valid reference rate")
    return parsed


def _check(currency: str, raw: str) -> str | None:
    if not _CURRENCY.fullmatch(currency) or currency == "EUR":
        return "not a currency code"
    try:
        rate = Decimal(raw)
    except InvalidOperation:
        return "not a number"
    if not rate.is_finite() or not 0 < rate < _MAX_PER_EUR:
        return "out of range"
    return None
