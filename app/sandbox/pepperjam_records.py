"""Pepperjam rows for the sandbox: transaction-details rows and joined advertisers, as the
fact sheet names and types them (ids as numbers or strings, money as two-decimal strings,
times naive in US Eastern time)."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.data import Account, OrderState, Txn, convert, stable_int

EASTERN = ZoneInfo("America/New_York")
FORMAT = "%Y-%m-%d %H:%M:%S"
CREATIVES = (("text", "Text Link"), ("generic", "Generic"), ("product", "Product"))
# Our relationship -> Pepperjam's word on the advertiser resource.
RELATIONSHIPS = {
    "joined": "joined",
    "suspended": "revoked_advertiser",
    "pending": "applied",
    "rejected": "declined_advertiser",
    "notjoined": "no_relationship",
}


def word(s: OrderState) -> str:
    """The locking-cycle word: a reversed order locks at nothing; approved orders are
    locked, some held (`delayed`) for the advertiser's invoice; some pending ones are not
    yet confirmed by the advertiser."""
    key = s.order.key
    if s.status == "pending":
        return "unconfirmed" if key % 7 == 0 else "pending"
    if s.status == "approved":
        return "delayed" if key % 5 == 0 else "locked"
    return "paid" if s.status == "paid" else "locked"


def row(s: OrderState, publisher: str, currency: str) -> Txn:
    o, adv = s.order, s.order.advertiser
    reversed_ = s.status == "declined"
    zero = Decimal("0.00")
    sale = zero if reversed_ else convert(s.sale_amount, adv.currency, currency)
    commission = zero if reversed_ else convert(s.commission_amount, adv.currency, currency)
    local = o.event_at.astimezone(EASTERN).replace(tzinfo=None)
    creative, link_type = CREATIVES[o.key % len(CREATIVES)]
    sid = o.click_refs[0] if o.click_refs else ""
    tid = (stable_int("pepperjam-publisher", publisher) % 900 + 100) * 10**6 + o.seq
    record: dict[str, Any] = {
        "transaction_id": tid,
        "order_id": o.order_id,
        "sid": sid,
        "creative_type": creative,
        "sub_type": "",
        "commission": f"{commission:.2f}",
        "sale_amount": f"{sale:.2f}",
        "type": "sale",
        "date": local.strftime(FORMAT),
        "status": word(s),
        "link_type": link_type,
        "new_to_file": "",
        "program_name": adv.name,
        "program_id": str(adv.id),
    }
    # Nothing left of the order, and not paid: a reversal (see the connector).
    status = "declined" if s.status != "paid" and commission <= 0 and sale <= 0 else s.status
    read_as = local.replace(tzinfo=EASTERN, fold=0).astimezone(UTC)
    return Txn(
        str(tid),
        status,
        record["status"],
        read_as,
        o.order_id,
        str(adv.id),
        currency,
        sale,
        commission,
        sid or None,
        record,
    )


def advertisers(account: Account) -> list[dict[str, Any]]:
    """Every advertiser the publisher has a relationship with, in Pepperjam's words."""
    out = []
    for adv in account.advertisers:
        status = RELATIONSHIPS[adv.relationship]
        out.append(
            {
                "id": str(adv.id),
                "name": adv.name,
                "description": f"{adv.name}: shop online at {adv.domain}",
                "logo": f"https://www.pepperjamnetwork.com/images/logos/{adv.id}.png",
                "website": f"https://www.{adv.domain}",
                "status": status,
                "join_date": "2024-03-01 10:00:00" if status == "joined" else "",
            }
        )
    return out
