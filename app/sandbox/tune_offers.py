"""Tune (HasOffers) offers and tracking links for the sandbox (shared/networks/tune.md
sections 2 and 6; developers.tune.com Offer, AffiliateOffer and TrackingLink models).

An affiliate sees every advertiser of its account as an offer: the joined ones approved
(or open: no approval asked, `approval_status` null), the pending one `pending`, the
suspended one `rejected`, the not-joined one needing approval with no application.
Payouts are mostly a percentage, some flat, one both; strings, five decimals. Links are
`https://<network>.go2cloud.org/aff_c?offer_id=..&aff_id=..`, with generateTrackingLink's
`params[...]` appended as `&key=value` in the order given."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from app.sandbox.data import Account, Advertiser

APPROVAL = {"joined": "approved", "pending": "pending", "suspended": "rejected"}


def click_url(network: str, offer_id: int, affiliate: str, params: dict[str, str]) -> str:
    query = f"offer_id={offer_id}&aff_id={affiliate}"
    extra = "".join(f"&{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items())
    return f"https://{network}.go2cloud.org/aff_c?{query}{extra}"


def tracking_link(
    network: str, adv: Advertiser, affiliate: str, params: dict[str, str] | None = None
) -> dict[str, Any]:
    """The TrackingLink model: the click URL and its impression pixel."""
    pixel = f"https://{network}.go2cloud.org/aff_i?offer_id={adv.id}&aff_id={affiliate}"
    return {
        "affiliate_id": affiliate,
        "offer_id": str(adv.id),
        "click_url": click_url(network, adv.id, affiliate, params or {}),
        "impression_pixel": f'<img src="{pixel}" width="1" height="1" />',
    }


def runnable(adv: Advertiser) -> bool:
    return adv.relationship == "joined"


def offer(adv: Advertiser) -> dict[str, Any]:
    open_offer = runnable(adv) and adv.index % 3 == 1  # no approval asked
    kind = ("cpa_flat", "cpa_both", "cpa_percentage", "cpa_percentage")[adv.index % 4]
    percent = f"{adv.rate * 100:.5f}" if kind != "cpa_flat" else None
    flat = f"{adv.rate * 50:.5f}" if kind != "cpa_percentage" else "0.00000"
    return {
        "id": str(adv.id),
        "name": f"{adv.name} - CPS",
        "description": None,
        "require_approval": "0" if open_offer else "1",
        "require_terms_and_conditions": 0,
        "preview_url": f"https://www.{adv.domain}/",
        "currency": adv.currency if adv.index % 2 else None,
        "default_payout": flat,
        "percent_payout": percent,
        "payout_type": kind,
        "status": "active",
        "expiration_date": "2030-12-31 23:59:59",
        "is_private": "0",
        "allow_website_links": "1" if adv.deeplinks else "0",
        "allow_direct_links": "0",
        "approval_status": None if open_offer else APPROVAL.get(adv.relationship),
    }


def offers(account: Account, network: str, affiliate: str, joined_only: bool, links: bool) -> Any:
    """(id, row) for `findAll` (every offer) or `findMyApprovedOffers` (the joined ones);
    with `contain[]=TrackingLink`, each runnable offer's link beside it."""
    out = []
    for adv in account.advertisers:
        if joined_only and not runnable(adv):
            continue
        row: dict[str, Any] = {"Offer": offer(adv)}
        if links:
            row["TrackingLink"] = tracking_link(network, adv, affiliate) if runnable(adv) else []
        out.append((str(adv.id), row))
    return out
