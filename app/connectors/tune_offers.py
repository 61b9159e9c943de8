"""Reading Tune (HasOffers) offers as programs: `Affiliate_Offer::findAll` rows, each an
`Offer` with the calling affiliate's `approval_status`, and its `TrackingLink` when asked
for with `contain[]=TrackingLink` (shared/networks/tune.md; developers.tune.com Offer,
AffiliateOffer and TrackingLink models)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.connectors.mapping import Mapper
from app.ledger.records import CommissionTerm

# AffiliateOffer `approval_status`, and the offer-access words of the Network API.
RELATIONSHIPS = {
    "approved": "joined",
    "pending": "pending",
    "rejected": "declined",
    "blocked": "declined",
    "unapproved": "not_joined",
}
# Which of `percent_payout` (a percentage) and `default_payout` (a flat amount) each
# `payout_type` pays.
PAYOUTS = {
    "cpa_percentage": ("percent",),
    "cpa_flat": ("flat",),
    "cpa_both": ("percent", "flat"),
    "cpc": ("flat",),
    "cpm": ("flat",),
}
# Flat amounts paid per click or per thousand views, not per sale: the type names them.
PER_VIEW_OR_CLICK = ("cpc", "cpm")


def flag(value: Any) -> bool | None:
    """Tune's booleans: "1"/"0", 1/0 or true/false; None when absent."""
    if value is None or value == "":
        return None
    return str(value).strip().lower() in ("1", "true")


def approval(m: Mapper) -> tuple[str | None, str | None]:
    """(the network's word, ours) for the calling affiliate. No `approval_status` means no
    application: an offer that needs approval is not joined, an open one is runnable —
    Tune itself answers "approved" for it (Offer::getAffiliateApprovalStatus)."""
    word = m.text("approval_status")
    if word is not None:
        return word, RELATIONSHIPS.get(word.lower())
    if flag(m.get("require_approval")) or flag(m.get("is_private")):
        return None, "not_joined"
    return "approved", "joined"


def terms(m: Mapper, network_currency: str) -> tuple[CommissionTerm, ...]:
    """The offer's default payout: a percentage, a flat amount in the offer's currency (the
    network's when the offer names none), or both; goal and tier payouts are not listed."""
    kind = (m.text("payout_type") or "").lower()
    out = []
    for part in PAYOUTS.get(kind, ()):
        if part == "percent":
            value = m.money("percent_payout")
            if value:
                out.append(CommissionTerm("percent", value))
        else:
            amount: Decimal | None = m.money("default_payout")
            if amount:
                currency = m.currency("currency", network_currency)
                per = kind if kind in PER_VIEW_OR_CLICK else None
                out.append(CommissionTerm("flat", amount, currency, per))
    return tuple(out)
