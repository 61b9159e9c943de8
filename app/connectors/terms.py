"""Commission terms a network states as text ("5% per sale", "$20.00 per lead", "4% - 8%")."""

from __future__ import annotations

import re
from decimal import Decimal

from app.ledger.records import CommissionTerm

# Each number with its sign is one rate: a trailing '%' a percentage, a leading '$' an amount.
RATE = re.compile(r"(\$)?\s*(\d[\d,]*(?:\.\d+)?)\s*(%)?")


def terms_in_text(text: str | None, currency: str) -> tuple[CommissionTerm, ...]:
    """The rates in `text`: percentages of the sale, and dollar amounts in `currency` (the
    network's or the platform's); a bare number is not a rate."""
    out = []
    for dollar, number, percent in RATE.findall(text or ""):
        value = Decimal(number.replace(",", ""))
        if percent:
            out.append(CommissionTerm("percent", value))
        elif dollar:
            out.append(CommissionTerm("flat", value, currency))
    return tuple(out)
