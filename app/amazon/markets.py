"""Facts per Amazon marketplace that parsing depends on: timezone, tag suffix, number style.

Sources: `shared/networks/amazon.md` (tag suffixes, Italian number format). The reporting
timezones are inferred (Amazon does not print one in the files): each store reports in its
home market's local time, North America in Pacific time like the rest of Amazon's US
tooling. A connection may override the timezone if a publisher knows better.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Marketplace:
    code: str
    domain: str
    country: str  # ISO 3166-1 alpha-2 (the UK store is GB)
    timezone: str  # IANA zone the report dates are in
    tag_suffix: str  # tracking ids end in this, e.g. "-20"
    day_first: bool  # how to read an ambiguous 03/04/2024 in text cells
    decimal_comma: bool  # "16,39" means 16.39 in text cells

    @property
    def advertiser_name(self) -> str:
        return "A" + self.domain[1:]  # "Amazon.co.uk"


_M = Marketplace
MARKETPLACES: dict[str, Marketplace] = {
    m.code: m
    for m in (
        _M("US", "amazon.com", "US", "America/Los_Angeles", "-20", False, False),
        _M("CA", "amazon.ca", "CA", "America/Los_Angeles", "-20", False, False),
        _M("MX", "amazon.com.mx", "MX", "America/Mexico_City", "-20", True, False),
        _M("BR", "amazon.com.br", "BR", "America/Sao_Paulo", "-20", True, True),
        _M("UK", "amazon.co.uk", "GB", "Europe/London", "-21", True, False),
        _M("DE", "amazon.de", "DE", "Europe/Berlin", "-21", True, True),
        _M("FR", "amazon.fr", "FR", "Europe/Paris", "-21", True, True),
        _M("IT", "amazon.it", "IT", "Europe/Rome", "-21", True, True),
        _M("ES", "amazon.es", "ES", "Europe/Madrid", "-21", True, True),
        _M("NL", "amazon.nl", "NL", "Europe/Amsterdam", "-21", True, True),
        _M("SE", "amazon.se", "SE", "Europe/Stockholm", "-21", True, True),
        _M("PL", "amazon.pl", "PL", "Europe/Warsaw", "-21", True, True),
        _M("IN", "amazon.in", "IN", "Asia/Kolkata", "-21", True, False),
        _M("JP", "amazon.co.jp", "JP", "Asia/Tokyo", "-22", False, False),
        _M("AU", "amazon.com.au", "AU", "Australia/Sydney", "-22", True, False),
    )
}

# Header suffixes such as "Price($)" / "Prezzo (€)": which ISO currencies each symbol allows.
CURRENCY_SYMBOLS: dict[str, frozenset[str]] = {
    "$": frozenset({"USD", "CAD", "MXN", "AUD", "BRL", "NZD", "SGD"}),
    "us$": frozenset({"USD"}),
    "cdn$": frozenset({"CAD"}),
    "c$": frozenset({"CAD"}),
    "a$": frozenset({"AUD"}),
    "r$": frozenset({"BRL"}),
    "£": frozenset({"GBP"}),
    "€": frozenset({"EUR"}),
    "eur": frozenset({"EUR"}),
    "¥": frozenset({"JPY", "CNY"}),
    "￥": frozenset({"JPY", "CNY"}),
    "₹": frozenset({"INR"}),
    "rs": frozenset({"INR"}),
    "zł": frozenset({"PLN"}),
    "kr": frozenset({"SEK", "NOK", "DKK"}),
}

# ISO 4217 minor units where they are not 2 (amounts are rounded to these).
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency.upper(), 2)


def get_marketplace(code: str) -> Marketplace:
    """The marketplace for a connection's `marketplace` setting (e.g. "US", "UK"; "GB" too)."""
    key = code.strip().upper()
    key = "UK" if key == "GB" else key
    try:
        return MARKETPLACES[key]
    except KeyError:
        raise ValueError(f"unknown Amazon marketplace {code!r}") from None
