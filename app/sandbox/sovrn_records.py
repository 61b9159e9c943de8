"""Sovrn report lines from the neutral orders: the flat record the spec declares, and the
nested shape of the docs page's example (`nest`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from app.sandbox.data import Item, Order, OrderState, convert, stable_int

FORMAT = "%Y-%m-%dT%H:%M:%SZ"
NETWORKS = ("CJ", "Impact", "Rakuten", "Awin", "Partnerize")
# The generated orders' devices, and "desktop" for a click on a sandbox link.
DEVICES = {
    "Windows": "DSK",
    "Macintosh": "DSK",
    "desktop": "DSK",
    "iPhone": "MBL",
    "Android Mobile": "MBL",
}
NESTED_COMMISSION = ("revenueId", "commissionId", "commissionDate", "updateDate", "orderValue")


def _usd(amount: Decimal, order: Order) -> Decimal:
    """Sovrn converts every amount to US dollars before it reports it."""
    return convert(amount, order.advertiser.currency, "USD")


def _total(items: tuple[Item, ...], attr: str) -> Decimal:
    return sum((getattr(i, attr) for i in items), Decimal("0.00"))


def render(
    o: Order, cid: int, n: int, at: datetime, sale: Decimal, comm: Decimal
) -> dict[str, Any]:
    """Line `n` of an order (0: the sale; then its corrections), changed at `at`."""
    adv, network = o.advertiser, NETWORKS[o.key % len(NETWORKS)]
    # cuids are alphanumeric: the neutral click refs lose their punctuation.
    cuid = o.click_refs[0].replace("_", "").replace("-", "") if o.click_refs else None
    return {
        "revenueId": 4_000_000_000 + (cid % 1000) * 1_000_000 + o.seq * 10 + n,
        "clickSid": f"{stable_int('sovrn-click', cid, o.seq):012x}",
        "accountId": 700000 + cid % 100000,
        "commissionId": f"{network[:3].upper()}-{stable_int('sovrn-c', cid, o.seq) % 10**8}",
        "merchantGroupId": adv.id,
        "merchantGroupName": adv.name,
        "campaignId": cid,
        "campaignName": f"site-{cid}.example",
        "clickDate": o.click_at.strftime(FORMAT),
        "commissionDate": (o.event_at if n == 0 else at).strftime(FORMAT),
        "updateDate": at.strftime(FORMAT),
        "publisherRevenue": float(comm),  # JSON numbers, as the spec declares them
        "orderValue": float(sale),
        "cuid": cuid,
        "destinationUrl": f"https://{adv.domain}/p/{o.items[0].sku}",
        "pageUrl": f"https://site-{cid}.example/post-{o.key % 500}",
        "affProduct": "WRA",
        "programType": "CPA",
        "networkName": network,
        "country": o.country,
        "deviceType": DEVICES.get(o.device, "TBL"),
        "merchandise": [
            {"productId": i.sku, "productName": i.name, "price": float(_usd(i.unit_price, o))}
            | {"quantity": i.quantity}
            for i in o.items
        ],
    }


def lines(s: OrderState, cid: int) -> list[dict[str, Any]]:
    """The sale's line, then one line per correction (a decline or an amended item) with
    the difference, negative, dated when Sovrn learns of it."""
    o = s.order
    out = [render(o, cid, 0, o.posted_at, _usd(s.original_sale, o), _usd(s.original_commission, o))]
    for n, adj in enumerate(s.adjustments, start=1):
        sale = _total(adj.after, "sale") - _total(adj.before, "sale")
        comm = _total(adj.after, "commission") - _total(adj.before, "commission")
        out.append(render(o, cid, n, adj.at, _usd(sale, o), _usd(comm, o)))
    return out


def nest(r: dict[str, Any]) -> dict[str, Any]:
    """A flat line in the docs page's nested shape (`publisherNetRevenue` for the revenue)."""
    return {
        "account": {k: r[k] for k in ("accountId", "campaignId", "campaignName")},
        "commission": {k: r[k] for k in NESTED_COMMISSION}
        | {"publisherNetRevenue": r["publisherRevenue"], "programType": r["programType"]},
        "click": {
            "clickId": r["clickSid"],
            "clickDate": r["clickDate"],
            "cuid": r["cuid"],
            "pageUrl": r["pageUrl"],
            "linkUrl": r["destinationUrl"],
            "sovrnProduct": r["affProduct"],
            "country": r["country"],
            "device": r["deviceType"],
        },
        "merchant": {
            "merchantGroupId": r["merchantGroupId"],
            "merchantGroupName": r["merchantGroupName"],
            "network": r["networkName"],
        },
        "product": r["merchandise"],
    }
