"""How an Awin transaction looks: one per order, money as `{amount, currency}` numbers,
dates in the requested zone without offset, commission-group parts and basket products."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.data import OrderState, stable_int

FORMAT = "%Y-%m-%dT%H:%M:%S"
GROUP_NAMES = {
    "DEFAULT": "Default Commission",
    "NEWCUSTOMER": "New Customer",
    "ZERO": "No Commission",
}


def group_id(advertiser_id: int, code: str) -> int:
    return 100000 + stable_int("awin-group", advertiser_id, code) % 900000


def transaction_id(publisher_id: int | str, seq: int) -> int:
    return 100_000_000 + (stable_int("awin-tx", publisher_id) % 800) * 1_000_000 + seq


def word(s: OrderState) -> str:
    if s.status == "declined" and s.order.key % 5 == 0:
        return "deleted"
    return "approved" if s.status == "paid" else s.status


def _money(value: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": float(value), "currency": currency}


def render(s: OrderState, publisher_id: int, zone: ZoneInfo, basket: bool) -> dict[str, Any]:
    o, adv = s.order, s.order.advertiser
    cur = adv.currency

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).strftime(FORMAT) if moment else None

    parts: dict[str, list[Decimal]] = {}
    for item in s.items:
        sums = parts.setdefault(item.group, [Decimal(0), Decimal(0)])
        sums[0] += item.sale
        sums[1] += item.commission
    record: dict[str, Any] = {
        "id": transaction_id(publisher_id, o.seq),
        "url": f"https://www.site{publisher_id}.example",
        "advertiserId": adv.id,
        "publisherId": publisher_id,
        "commissionSharingPublisherId": None,
        "commissionSharingSelectedRatePublisherId": None,
        "siteName": f"Site {publisher_id}",
        "commissionStatus": word(s),
        "commissionAmount": _money(s.commission_amount, cur),
        "saleAmount": _money(s.sale_amount, cur),
        "ipHash": str(o.key * 2_147_483_647 - 2**62),
        "customerCountry": o.country,
        "clickRefs": dict(zip(("clickRef", "clickRef2", "clickRef3"), o.click_refs, strict=False)),
        "clickDate": local(o.click_at),
        "transactionDate": local(o.event_at),
        "validationDate": local(s.validated_at),
        "type": "Commission group transaction",
        "declineReason": o.decline_reason if s.status == "declined" else None,
        "voucherCodeUsed": o.voucher is not None,
        "voucherCode": o.voucher,
        "lapseTime": int((o.event_at - o.click_at).total_seconds()),
        "amended": s.amended_at is not None,
        "amendReason": "Partial return" if s.amended_at else None,
        "oldSaleAmount": _money(s.original_sale, cur) if s.amended_at else None,
        "oldCommissionAmount": _money(s.original_commission, cur) if s.amended_at else None,
        "clickDevice": o.device,
        "transactionDevice": o.device,
        "publisherUrl": f"https://www.site{publisher_id}.example/reviews/{o.key % 500}",
        "advertiserCountry": adv.country,
        "orderRef": o.order_id,
        "customParameters": (
            [{"key": "1", "value": "newcustomer"}] if "NEWCUSTOMER" in parts else []
        ),
        "transactionParts": [
            {
                "commissionGroupId": group_id(adv.id, code),
                "amount": float(sale),
                "commissionAmount": float(comm),
                "commissionGroupCode": code,
                "commissionGroupName": GROUP_NAMES[code],
            }
            for code, (sale, comm) in parts.items()
        ],
        "paidToPublisher": s.status == "paid",
        "paymentId": 5_000_000 + o.key % 1_000_000 if s.status == "paid" else 0,
        "transactionQueryId": 0,
        "originalSaleAmount": None,
    }
    if basket:
        record["basketProducts"] = [
            {
                "productId": i.sku,
                "productName": i.name,
                "unitPrice": float(i.unit_price),
                "quantity": i.quantity,
                "skuCode": i.sku,
                "commission": float(i.commission),
                "commissionGroupCode": i.group,
            }
            for i in s.items
        ]
    return record
