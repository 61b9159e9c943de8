"""Tradedoubler's records as the API renders them: transactions (one per order, times naive
in Europe/Stockholm with a `.0`, amounts as JSON numbers in the report currency), sources
(sites) per login and programs per source."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.data import Advertiser, OrderState, Txn, convert, stable_int

ZONE = ZoneInfo("Europe/Stockholm")
LETTERS = {"pending": "P", "approved": "A", "paid": "A", "declined": "D"}
# Program `statusId` for each neutral relationship.
PROGRAM_STATUS = {"joined": 3, "suspended": 6, "pending": 1, "notjoined": 0, "rejected": 5}
SITE_NAMES = ("Deals blog", "Coupon app", "Travel guide")


def local(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S.0")


def read_back(text: str | None) -> datetime | None:
    """A rendered time as a client reads it: naive Stockholm time, the first of a fold."""
    if text is None:
        return None
    naive = datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")
    return naive.replace(tzinfo=ZONE, fold=0).astimezone(UTC)


def sources(username: str) -> list[dict[str, Any]]:
    """The login's sites: two per login, ids of seven digits."""
    return [
        {
            "id": 1000000 + stable_int("tradedoubler-source", username, n) % 9000000,
            "name": f"{SITE_NAMES[n]} {stable_int('tradedoubler-name', username) % 100}",
            "url": f"https://site{n + 1}.example.com",
            "countryCode": "SE",
            "promotionTypeId": 1 + n,
            "description": f"Sandbox site {n + 1}",
            "sourceStatus": "ACTIVE",
        }
        for n in range(2)
    ]


def modified_at(s: OrderState) -> datetime | None:
    """When the row last changed after it was recorded (null until a change)."""
    if s.changed_at != s.order.posted_at:
        return s.changed_at
    return s.validated_at


def transaction(s: OrderState, source: str, source_name: str, currency: str) -> Txn:
    o, adv = s.order, s.order.advertiser
    lead = o.key % 6 == 0
    sale = convert(s.sale_amount, adv.currency, currency)
    commission = convert(s.commission_amount, adv.currency, currency)
    refs = [*o.click_refs, None, None]
    first = o.items[0]
    declined = s.status == "declined"
    record: dict[str, Any] = {
        "transactionId": int(source) * 100000 + o.seq,
        "programId": adv.id,
        "programName": adv.name,
        "sourceName": source_name,
        "sourceId": int(source),
        "eventId": 200000 + adv.id % 1000 * 10 + (4 if lead else 5),
        "eventName": "Lead" if lead else "Sale",
        "eventTypeId": 4 if lead else 5,
        "timeOfLastClick": local(o.click_at),
        "timeOfCreate": local(o.posted_at),
        "timeOfTransaction": local(o.event_at),
        "timeOfLastModified": local(modified_at(s)),
        "epi": refs[0],
        "epi2": refs[1],
        "leadNumber": o.order_id if lead else None,
        "orderNumber": None if lead else o.order_id,
        "orderValue": None if lead else float(sale),
        "commission": float(commission),
        "paid": s.status == "paid",
        "status": LETTERS[s.status],
        "productInfo": {
            "productID": first.sku,
            "productName": first.name,
            "quantity": first.quantity,
            "productValue": float(first.unit_price),
            "productGroup": None,
        },
        "voucherCode": o.voucher,
        "productsApi": {"productId": None, "productName": None},
        "crossDevice": None,
        "pendingRule": None,
        "deviceObject": {"deviceType": o.device, "operatingSystem": None, "browser": None},
        "paymentId": 5000000 + o.seq if s.status == "paid" else None,
        "reasonId": (7 if declined else None if s.status == "pending" else 1),
        "reasonName": (
            o.decline_reason if declined else None if s.status == "pending" else "Accepted"
        ),
    }
    event_at = read_back(record["timeOfTransaction"])
    assert event_at is not None
    no_sale: Any = None  # a lead has no order value
    return Txn(
        str(record["transactionId"]),
        s.status,
        record["status"],
        event_at,
        o.order_id,
        str(adv.id),
        currency,
        no_sale if lead else sale,
        commission,
        refs[0],
        record,
    )


def program(adv: Advertiser) -> dict[str, Any]:
    return {
        "id": adv.id,
        "name": adv.name,
        "countryCode": adv.country,
        "closedProgram": False,
        "paused": adv.relationship == "suspended",
        "categoryIds": [16],
        "logoUrl": f"https://hst.example.com/logo/{adv.id}.png",
        "statusId": PROGRAM_STATUS.get(adv.relationship, 0),
        "avgPaymentDays": 30,
        "currencyCode": adv.currency,
        "homePage": f"https://www.{adv.domain}",
        "deepLinking": adv.deeplinks,
    }
