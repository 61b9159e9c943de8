"""CJ `PublisherCommission` records: the GraphQL schema the sandbox serves (`SCHEMA`), and
how an order's state becomes an original record plus correction records."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from app.sandbox.data import Item, OrderState, Txn, convert, stable_int
from app.sandbox.kit.graphql import build_schema

DATE_PAIRS = {
    "event": ("sinceEventDate", "beforeEventDate"),
    "posting": ("sincePostingDate", "beforePostingDate"),
    "locking": ("sinceLockingDate", "beforeLockingDate"),
}
ARGS = frozenset(
    {
        "forPublishers",
        "sinceCommissionId",
        "commissionIds",
        "advertiserIds",
        "adIds",
        "websiteIds",
        "actionStatuses",
        "actionTypes",
        "lockingMethods",
        "validationStatuses",
        *(name for pair in DATE_PAIRS.values() for name in pair),
    }
)
ITEM = {
    name: None
    for name in (
        "commissionItemId",
        "sku",
        "quantity",
        "itemListId",
        "perItemSaleAmountPubCurrency",
        "perItemSaleAmountUsd",
        "perItemSaleAmountAdvCurrency",
        "totalCommissionPubCurrency",
        "totalCommissionUsd",
        "totalCommissionAdvCurrency",
        "discountPubCurrency",
        "discountUsd",
        "discountAdvCurrency",
    )
}
RECORD: dict[str, Any] = {
    name: None
    for name in (
        "commissionId",
        "original",
        "originalActionId",
        "correctionReason",
        "advertiserId",
        "advertiserName",
        "publisherId",
        "publisherName",
        "websiteId",
        "websiteName",
        "actionTrackerId",
        "actionTrackerName",
        "actionType",
        "aid",
        "clickDate",
        "eventDate",
        "postingDate",
        "lockingDate",
        "lockingMethod",
        "actionStatus",
        "validationStatus",
        "reviewedStatus",
        "saleAmountPubCurrency",
        "saleAmountUsd",
        "saleAmountAdvCurrency",
        "pubCommissionAmountPubCurrency",
        "pubCommissionAmountUsd",
        "shopperId",
        "sid",
        "orderId",
        "country",
        "initiatingDeviceType",
        "concludingDeviceType",
        "initiatingBrowser",
        "concludingBrowser",
        "isCrossDevice",
        "coupon",
        "siteToStoreOffer",
        "source",
        "clickReferringURL",
        "orderDiscountPubCurrency",
        "orderDiscountUsd",
        "orderDiscountAdvCurrency",
    )
}
RECORD["items"] = ("CommissionItem", ITEM)
ENVELOPE = {
    "count": None,
    "limit": None,
    "payloadComplete": None,
    "maxCommissionId": None,
    "records": ("PublisherCommission", RECORD),
}
# Leaf types that are not String.
LEAF_TYPES = {
    "original": "Boolean",
    "isCrossDevice": "Boolean",
    "siteToStoreOffer": "Boolean",
    "quantity": "Int",
    "count": "Int",
    "limit": "Int",
    "payloadComplete": "Boolean",
}


def _type(name: str, fields: dict[str, Any]) -> str:
    lines = [
        f"  {key}: {LEAF_TYPES.get(key, 'String')}"
        if nested is None
        else f"  {key}: [{nested[0]}!]!"
        for key, nested in fields.items()
    ]
    return "type " + name + " {\n" + "\n".join(lines) + "\n}\n"


_DATES = [name for pair in DATE_PAIRS.values() for name in pair]
_ARGS_SDL = ", ".join(
    [
        "forPublishers: [String!]!",
        "sinceCommissionId: String",
        *(f"{name}: String" for name in _DATES),
        *(
            f"{name}: [String!]"
            for name in sorted(ARGS - {"forPublishers", "sinceCommissionId", *_DATES})
        ),
    ]
)
SCHEMA = build_schema(
    "type Query {\n  publisherCommissions("
    + _ARGS_SDL
    + "): PublisherCommissions!\n}\n"
    + _type("PublisherCommissions", ENVELOPE)
    + _type("PublisherCommission", RECORD)
    + _type("CommissionItem", ITEM)
)
# Our neutral status per CJ action status (validationStatus DECLINED and decline
# corrections read as declined).
STATUS = {"new": "pending", "extended": "pending", "locked": "approved", "closed": "paid"}
DECLINES = {
    "Order cancelled": "BOOKING_CANCELED",
    "Goods returned": "RETURNED_MERCHANDISE",
    "Duplicate order": "DUPLICATED_ORDER",
    "Payment failed": "INVALID_CREDIT_CARD",
}
DEVICES = {
    "Windows": ("Desktop", "Chrome"),
    "Macintosh": ("Desktop", "Safari"),
    "iPhone": ("Mobile", "Safari"),
    "Android Mobile": ("Mobile", "Chrome"),
    "iPad": ("Tablet", "Safari"),
    "Android Tablet": ("Tablet", "Chrome"),
    "desktop": ("Desktop", "Chrome"),  # a click on a sandbox link (`app.sandbox.clicks`)
}


def website_id(cid: str) -> str:
    """The PID of a company's one website: what its commissions report and its deep links
    carry (the sandbox derives it from the CID, so a click names its company)."""
    return str(100_000_000 + int(cid))


def company_of(pid: str) -> str | None:
    """The CID whose website `pid` is, or None."""
    return str(int(pid) - 100_000_000) if pid.isdigit() and int(pid) > 100_000_000 else None


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _str(value: Decimal) -> str:
    return f"{value:.2f}"


def _locking(event_at: datetime, extended: bool) -> datetime:
    """2am PST on the 11th of the month after the event (a month later when extended)."""
    months = event_at.year * 12 + event_at.month + (1 if extended else 0)
    return datetime(months // 12, months % 12 + 1, 11, 10, tzinfo=event_at.tzinfo)


def action_status(s: OrderState) -> str:
    o = s.order
    if s.status == "declined":
        old = s.validated_at is not None and o.now - s.validated_at > timedelta(days=30)
        return "locked" if old else "new"
    if s.status == "pending":
        return "extended" if o.key % 7 == 0 else "new"
    return "locked" if s.status == "approved" else "closed"


def render(s: OrderState, cid: str, pub: str) -> list[Txn]:
    """The original record of an order, then its correction records."""
    o, adv = s.order, s.order.advertiser
    acct = stable_int("cj-cid", cid) % 1000 * 1_000_000
    status = action_status(s)
    validates = adv.index % 2 == 1
    validation = (
        "DECLINED"
        if s.status == "declined"
        else ("PENDING" if s.status == "pending" else "ACCEPTED")
        if validates
        else "AUTOMATED"
    )
    device, browser = DEVICES[o.device]
    extended = status == "extended"

    def money(items: tuple[Item, ...], sign: int) -> dict[str, Any]:
        sale = sum((i.sale for i in items), Decimal(0)) * sign
        comm = sum((i.commission for i in items), Decimal(0)) * sign
        return {
            "saleAmountPubCurrency": _str(convert(sale, adv.currency, pub)),
            "saleAmountUsd": _str(convert(sale, adv.currency, "USD")),
            "saleAmountAdvCurrency": _str(sale),
            "pubCommissionAmountPubCurrency": _str(convert(comm, adv.currency, pub)),
            "pubCommissionAmountUsd": _str(convert(comm, adv.currency, "USD")),
            "orderDiscountPubCurrency": "0.00",
            "orderDiscountUsd": "0.00",
            "orderDiscountAdvCurrency": "0.00",
        }

    def items(rows: tuple[Item, ...], commission_id: int) -> list[dict[str, Any]]:
        return [
            {
                "commissionItemId": str(commission_id * 10 + n),
                "sku": i.sku,
                "quantity": i.quantity,
                "itemListId": None,
                "perItemSaleAmountPubCurrency": _str(convert(i.unit_price, adv.currency, pub)),
                "perItemSaleAmountUsd": _str(convert(i.unit_price, adv.currency, "USD")),
                "perItemSaleAmountAdvCurrency": _str(i.unit_price),
                "totalCommissionPubCurrency": _str(convert(i.commission, adv.currency, pub)),
                "totalCommissionUsd": _str(convert(i.commission, adv.currency, "USD")),
                "totalCommissionAdvCurrency": _str(i.commission),
                "discountPubCurrency": "0.00",
                "discountUsd": "0.00",
                "discountAdvCurrency": "0.00",
            }
            for n, i in enumerate(rows)
        ]

    base = {
        "originalActionId": str(2_000_000_000 + acct + o.seq),
        "advertiserId": str(adv.id),
        "advertiserName": adv.name,
        "publisherId": cid,
        "publisherName": f"Example Media {cid}",
        "websiteId": website_id(cid),
        "websiteName": "Example Reviews",
        "actionTrackerId": str(300000 + adv.id % 100000),
        "actionTrackerName": "Online Sale",
        "actionType": "item_sale" if len(o.items) > 1 else "sim_sale",
        "aid": str(10_000_000 + o.key % 9_000_000),
        "clickDate": _iso(o.click_at),
        "eventDate": _iso(o.event_at),
        "lockingDate": _iso(_locking(o.event_at, extended)),
        "lockingMethod": "FIXED_DURATION" if extended else "FIXED_DATE",
        "actionStatus": status,
        "validationStatus": validation,
        "reviewedStatus": None,
        "shopperId": o.click_refs[0] if o.click_refs else None,
        "sid": None,
        "orderId": o.order_id,
        "country": o.country,
        "initiatingDeviceType": device,
        "concludingDeviceType": device,
        "initiatingBrowser": browser,
        "concludingBrowser": browser,
        "isCrossDevice": False,
        "coupon": o.voucher,
        "siteToStoreOffer": False,
        "source": "Web",
        "clickReferringURL": f"https://www.example-reviews.example/p/{o.key % 500}",
    }
    neutral = "declined" if validation == "DECLINED" else STATUS[status]
    first = 3_000_000_000 + acct + o.seq * 4
    rows = [
        (
            {
                **base,
                "commissionId": str(first),
                "original": True,
                "correctionReason": None,
                "postingDate": _iso(o.posted_at),
                **money(o.items, 1),
                "items": items(o.items, first),
            },
            neutral,
        )
    ]
    for adj in s.adjustments:
        parts = (
            [(adj.before, -1, DECLINES[o.decline_reason or "Order cancelled"])]
            if adj.kind == "decline"
            else [(adj.before, -1, "RETURNED_MERCHANDISE"), (adj.after, 1, "RETURNED_MERCHANDISE")]
        )
        for rows_items, sign, why in parts:
            cid_n = first + len(rows)
            rows.append(
                (
                    {
                        **base,
                        "commissionId": str(cid_n),
                        "original": False,
                        "correctionReason": why,
                        "postingDate": _iso(adj.at),
                        **money(rows_items, sign),
                        "items": items(rows_items, cid_n) if sign > 0 else [],
                    },
                    "declined" if adj.kind == "decline" else neutral,
                )
            )
    return [
        Txn(
            r["commissionId"],
            st,
            r["actionStatus"],
            o.event_at,
            o.order_id,
            str(adv.id),
            pub,
            Decimal(r["saleAmountPubCurrency"]),
            Decimal(r["pubCommissionAmountPubCurrency"]),
            r["shopperId"],
            r,
        )
        for r, st in rows
    ]
