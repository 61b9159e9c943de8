"""Presentation rounding: an amount to its currency's ISO 4217 minor units."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

# ISO 4217 currencies whose minor unit is not 2 digits (the rest, and unknown codes, are 2).
_ZERO = ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI")
_ZERO_MORE = ("VND", "VUV", "XAF", "XOF", "XPF")
_THREE = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_ZERO + _ZERO_MORE, 0),
    **dict.fromkeys(_THREE, 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}


def minor_units(currency: str) -> int:
    """Digits after the decimal point in `currency`'s minor unit (JPY 0, USD 2, KWD 3)."""
    return _MINOR_UNITS.get(currency, 2)


@cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half-up to `currency`'s minor units, for display and totals.
    Convert and sum at full precision first; round once, here."""
    return amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)
