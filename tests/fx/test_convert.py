from __future__ import annotations

from datetime import date
from decimal import Context, Decimal
from fractions import Fraction

import pytest

from app.fx.convert import RateTable, load_rates
from app.fx.money import minor_units, round_money
from app.runtime import Runtime

pytestmark = pytest.mark.usefixtures("seeded")

USD_0302, GBP_0302, JPY_0302 = Decimal("1.1122"), Decimal("0.87113"), Decimal("119.82")
EXACT = Context(prec=34)


async def _table(runtime: Runtime, start: date, end: date, *currencies: str) -> RateTable:
    async with runtime.sessions() as session:
        return await load_rates(session, currencies, start, end)


async def test_cross_rate_through_eur_is_exact(runtime: Runtime) -> None:
    day = date(2020, 3, 2)
    table = await _table(runtime, day, day, "GBP", "USD")
    converted = table.convert(Decimal("250.00"), "GBP", "USD", day)
    assert converted is not None
    assert converted.amount == EXACT.divide(Decimal("250.00") * USD_0302, GBP_0302)
    assert converted.rate == EXACT.divide(USD_0302, GBP_0302)
    assert converted.rate_date == day
    # Within half a unit of the 34th significant digit of the true quotient.
    exact = Fraction(Decimal("250.00") * USD_0302) / Fraction(GBP_0302)
    assert abs(Fraction(converted.amount) - exact) <= Fraction(1, 2 * 10**31)
    assert round_money(converted.amount, "USD") == Decimal("319.18")


async def test_to_and_from_eur(runtime: Runtime) -> None:
    day = date(2020, 3, 2)
    table = await _table(runtime, day, day, "USD", "JPY", "EUR")
    to_jpy = table.convert(Decimal("10"), "EUR", "JPY", day)
    assert to_jpy is not None
    assert (to_jpy.amount, to_jpy.rate) == (Decimal("1198.20"), JPY_0302)
    to_eur = table.convert(Decimal("1.1122"), "USD", "EUR", day)
    assert to_eur is not None
    assert to_eur.amount == 1


@pytest.mark.parametrize(
    ("day", "published"),
    [
        (date(2020, 3, 7), date(2020, 3, 6)),  # Saturday
        (date(2020, 3, 8), date(2020, 3, 6)),  # Sunday
        (date(2020, 4, 10), date(2020, 4, 9)),  # Good Friday (TARGET holiday)
        (date(2020, 4, 13), date(2020, 4, 9)),  # Easter Monday
        (date(2020, 1, 1), date(2019, 12, 31)),  # New Year's Day
        (date(2020, 4, 14), date(2020, 4, 14)),  # a publication day is its own
    ],
)
async def test_weekends_and_holidays_use_the_previous_publication(
    runtime: Runtime, day: date, published: date
) -> None:
    # Loading from `day` itself: the publication before `start` must be found too.
    table = await _table(runtime, day, day, "USD")
    converted = table.convert(Decimal("100"), "EUR", "USD", day)
    assert converted is not None
    assert converted.rate_date == published
    assert table.rate_date(day) == published
    wide = await _table(runtime, date(2019, 12, 1), date(2020, 4, 30), "USD")
    assert wide.convert(Decimal("100"), "EUR", "USD", day) == converted


async def test_no_rate_is_none_never_zero(runtime: Runtime) -> None:
    table = await _table(runtime, date(2015, 6, 1), date(2024, 1, 2), "XYZ", "ISK", "RUB", "USD")
    # A code the ECB never published.
    assert table.convert(Decimal("5"), "XYZ", "USD", date(2020, 3, 2)) is None
    assert table.convert(Decimal("5"), "USD", "XYZ", date(2020, 3, 2)) is None
    # Suspended by the ECB: no stale rate is carried across days the ECB did publish.
    assert table.convert(Decimal("5"), "ISK", "USD", date(2015, 6, 1)) is None
    assert table.convert(Decimal("5"), "RUB", "EUR", date(2024, 1, 2)) is None
    assert table.per_eur("RUB", date(2024, 1, 2)) is None
    # Same currency needs no rate, whatever the currency.
    same = table.convert(Decimal("5"), "XYZ", "XYZ", date(2020, 3, 2))
    assert same is not None
    assert (same.amount, same.rate, same.rate_date) == (Decimal("5"), 1, date(2020, 3, 2))


async def test_before_the_first_publication_there_is_no_rate(runtime: Runtime) -> None:
    table = await _table(runtime, date(1998, 12, 30), date(1999, 1, 4), "USD")
    assert table.rate_date(date(1999, 1, 3)) is None
    assert table.convert(Decimal(1), "EUR", "USD", date(1999, 1, 3)) is None
    first = table.convert(Decimal(1), "EUR", "USD", date(1999, 1, 4))
    assert first is not None
    assert first.amount == Decimal("1.1789")


async def test_misuse_is_an_error_not_a_silent_none(runtime: Runtime) -> None:
    table = await _table(runtime, date(2020, 3, 2), date(2020, 3, 6), "USD")
    with pytest.raises(ValueError, match="GBP was not loaded"):
        table.convert(Decimal(1), "USD", "GBP", date(2020, 3, 2))
    with pytest.raises(ValueError, match="outside the loaded range"):
        table.convert(Decimal(1), "USD", "EUR", date(2020, 3, 9))


def test_round_money_uses_minor_units() -> None:
    assert [minor_units(c) for c in ("USD", "JPY", "KRW", "KWD", "XYZ")] == [2, 0, 0, 3, 2]
    assert round_money(Decimal("319.18317587"), "USD") == Decimal("319.18")
    assert round_money(Decimal("2.5"), "JPY") == Decimal("3")
    assert round_money(Decimal("1.0005"), "KWD") == Decimal("1.001")
    assert str(round_money(Decimal("7"), "EUR")) == "7.00"
