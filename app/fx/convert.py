"""Convert amounts between currencies at the ECB reference rate of a day.

Rules (DESIGN.md, issue 5):
- The rate of a day is the ECB publication of that day or, on weekends and TARGET
  holidays, of the latest publication day before it; `Converted.rate_date` says which.
- A currency the ECB did not publish on that publication day has no rate that day
  (e.g. ISK 2008-12 to 2018-01, RUB after 2022-03-01): a stale rate is never carried
  across days the ECB did publish. Days after the newest stored publication carry it
  forward, visibly so through `rate_date`.
- Crosses go through EUR: `amount * per_eur[to] / per_eur[from]`. EUR is not stored;
  it is 1 per euro on every day.
- No rate gives `None`, never 0: callers report the amount as unconverted.
- Decimal only, full precision: one multiplication and one division, each correctly
  rounded to 34 significant digits (IEEE decimal128), whatever the caller's decimal
  context. Round once, at presentation, with `app.fx.money.round_money`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

EUR = "EUR"
ONE = Decimal(1)
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)

_FIRST_PUBLICATION = text("SELECT max(day) FROM fx_rate WHERE day <= :start")
_PUBLICATION_DAYS = text(
    "SELECT DISTINCT day FROM fx_rate WHERE day BETWEEN :first AND :end ORDER BY day"
)
_RATES = text(
    "SELECT day, currency, per_eur FROM fx_rate "
    "WHERE day BETWEEN :first AND :end AND currency = ANY(:currencies)"
)


@dataclass(frozen=True, slots=True)
class Converted:
    """An amount in the target currency, the rate applied (target units per source unit)
    and the ECB publication day that rate comes from."""

    amount: Decimal
    rate: Decimal
    rate_date: date


class RateTable:
    """Rates for a set of currencies over `[start, end]`, loaded once by `load_rates`."""

    def __init__(
        self,
        start: date,
        end: date,
        currencies: Iterable[str],
        publication_days: Sequence[date],
        per_eur: Mapping[tuple[date, str], Decimal],
    ) -> None:
        self.start, self.end = start, end
        self.currencies = frozenset(currencies) | {EUR}
        self._per_eur = dict(per_eur)
        days = sorted(publication_days)
        self._publication: dict[date, date | None] = {}
        day = start
        while day <= end:
            index = bisect.bisect_right(days, day)
            self._publication[day] = days[index - 1] if index else None
            day += timedelta(days=1)

    def rate_date(self, day: date) -> date | None:
        """The ECB publication day whose rates apply on `day` (None: before any data)."""
        self._check_day(day)
        return self._publication[day]

    def per_eur(self, currency: str, day: date) -> Decimal | None:
        """Units of `currency` per euro on `day`, or None when it has no rate that day."""
        self._check_currency(currency)
        published = self.rate_date(day)
        if published is None:
            return None
        if currency == EUR:
            return ONE
        return self._per_eur.get((published, currency))

    def convert(self, amount: Decimal, from_ccy: str, to_ccy: str, day: date) -> Converted | None:
        """`amount` of `from_ccy` in `to_ccy` at `day`'s rate; None when either currency
        has no rate that day. A same-currency conversion needs no rate: it returns the
        amount unchanged at rate 1 with `rate_date == day`, for any currency."""
        if from_ccy == to_ccy:
            return Converted(amount, ONE, day)
        source, target = self.per_eur(from_ccy, day), self.per_eur(to_ccy, day)
        if source is None or target is None:
            return None
        published = self._publication[day]
        assert published is not None
        return Converted(
            amount=_CONTEXT.divide(_CONTEXT.multiply(amount, target), source),
            rate=_CONTEXT.divide(target, source),
            rate_date=published,
        )

    def _check_day(self, day: date) -> None:
        if not self.start <= day <= self.end:
            raise ValueError(f"{day} is outside the loaded range {self.start}..{self.end}")

    def _check_currency(self, currency: str) -> None:
        if currency not in self.currencies:
            raise ValueError(f"{currency} was not loaded; pass it to load_rates")


async def load_rates(
    session: AsyncSession, currencies: Iterable[str], start: date, end: date
) -> RateTable:
    """Load what converting between `currencies` on any day of `[start, end]` needs, in
    three small indexed queries; include the target currency in `currencies`."""
    if end < start:
        raise ValueError("end is before start")
    wanted = sorted(set(currencies) - {EUR})
    first = await session.scalar(_FIRST_PUBLICATION, {"start": start}) or start
    bounds = {"first": first, "end": end}
    days = list(await session.scalars(_PUBLICATION_DAYS, bounds))
    rows = await session.execute(_RATES, {**bounds, "currencies": wanted})
    per_eur = {(day, currency): rate for day, currency, rate in rows}
    return RateTable(start, end, wanted, days, per_eur)
