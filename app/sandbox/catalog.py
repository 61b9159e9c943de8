"""The fixed catalogue sandbox data is drawn from: brands, products, reference FX rates,
advertiser id ranges per network (a network module's `ID_RANGE`), and the stable hash
every seed goes through."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from app.sandbox import registry

DEFAULT_ORDERS = 600
DEFAULT_HISTORY_DAYS = 400
CENT = Decimal("0.01")

# name, domain, currency, country
BRANDS: tuple[tuple[str, str, str, str], ...] = (
    ("Northwind Outdoor", "northwind-outdoor.example", "GBP", "GB"),
    ("Maison Lumiere", "maison-lumiere.example", "EUR", "FR"),
    ("Brightside Electronics", "brightside-electronics.example", "USD", "US"),
    ("Kiefer Sport", "kiefer-sport.example", "EUR", "DE"),
    ("Harbour & Co", "harbour-and-co.example", "GBP", "GB"),
    ("Tallgrass Home", "tallgrass-home.example", "USD", "US"),
    ("Nordvik Design", "nordvik-design.example", "SEK", "SE"),
    ("Maple Leaf Outfitters", "mapleleaf-outfitters.example", "CAD", "CA"),
    ("Coral Coast Swim", "coralcoast-swim.example", "AUD", "AU"),
    ("Alpenglow Gear", "alpenglow-gear.example", "CHF", "CH"),
    ("Wisla Books", "wisla-books.example", "PLN", "PL"),
    ("Casa Verde", "casa-verde.example", "EUR", "ES"),
    ("Pemberton Tea", "pemberton-tea.example", "GBP", "GB"),
    ("Red Rock Cycles", "redrock-cycles.example", "USD", "US"),
    ("Van Dijk Fietsen", "vandijk-fietsen.example", "EUR", "NL"),
    ("Bluebird Beauty", "bluebird-beauty.example", "USD", "US"),
)
PRODUCTS = (
    "Tent",
    "Jacket",
    "Lamp",
    "Headphones",
    "Kettle",
    "Backpack",
    "Sneakers",
    "Novel",
    "Sunglasses",
    "Blender",
    "Helmet",
    "Candle",
    "Scarf",
    "Watch",
)
ADJECTIVES = ("Classic", "Ultralight", "Deluxe", "Compact", "Organic", "Pro", "Vintage")
DEVICES = ("Windows", "iPhone", "Android Mobile", "Macintosh", "iPad", "Android Tablet")
DECLINE_REASONS = ("Order cancelled", "Goods returned", "Duplicate order", "Payment failed")
# Fixed reference rates to USD, for networks that report in one account currency.
USD_RATES: Mapping[str, Decimal] = {
    "USD": Decimal("1"),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "CAD": Decimal("0.74"),
    "AUD": Decimal("0.66"),
    "SEK": Decimal("0.095"),
    "CHF": Decimal("1.13"),
    "PLN": Decimal("0.25"),
}
DEFAULT_ID_RANGE = (100000, 999999)


def id_range(network: str) -> tuple[int, int]:
    """The advertiser ids of a network (an advertiser keeps its id across accounts): its
    sandbox module's `ID_RANGE`, else `DEFAULT_ID_RANGE`."""
    return registry.id_range(network) or DEFAULT_ID_RANGE


def stable_int(*parts: object) -> int:
    """A process-independent 64-bit hash (Python's `hash` is salted per process)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def convert(amount: Decimal, source: str, target: str) -> Decimal:
    return money(amount * USD_RATES[source] / USD_RATES[target])
