"""Pepperjam rows for the sandbox: transaction-details rows, advertisers and their generic
creatives, as the fact sheet and Pepperjam's resource pages name and type them (ids as
numbers or strings, money as two-decimal strings, times naive in US Eastern time).

A generic creative's token is ours: the publisher's login and the program id, base64 (no
padding), so a click names both; real tokens are opaque too."""

from __future__ import annotations

import base64
import binascii
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
    # Not joined, and listed without the whole directory: an invitation not taken up.
    "notjoined": "invited",
}
CLICK = "https://www.pjtra.com/t"


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


def creative_token(login: str, program_id: int) -> str:
    return base64.urlsafe_b64encode(f"{login}|{program_id}".encode()).decode().rstrip("=")


def read_creative_token(token: str) -> tuple[str, int] | None:
    """The (login, program id) a creative token of ours names."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        login, _, program = text.rpartition("|")
        return login, int(program)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def generic_creatives(account: Account, login: str) -> list[dict[str, Any]]:
    """The one generic link of each program the publisher has joined."""
    return [
        {
            "id": 40000 + adv.id % 10000,
            "program_id": adv.id,
            "program_name": adv.name,
            "allow_deep_link": adv.deeplinks,
            "code": f"{CLICK}/{creative_token(login, adv.id)}",
        }
        for adv in account.advertisers
        if adv.relationship == "joined"
    ]
