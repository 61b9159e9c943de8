"""Partnerize conversions and campaigns as the v1 API renders them (shared/networks/
partnerize.md section 4): one basket per order under `conversion_data`, its items with their
own status, amounts as JSON numbers, times naive in the report's timezone, ids with an `l`.

An item the advertiser took back (an amendment to nothing) is a `rejected` item: the basket
turns `mixed` and its totals still count the rejected item, as Partnerize's do. An item
halved is an item whose value was amended. Paid items carry a `publisher_self_bill_id`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.base import bounds
from app.sandbox.data import Advertiser, DataSpec, OrderState, Txn, account, stable_int, state

NETWORK = "partnerize"
PREFIX = "1011"
FORMAT = "%Y-%m-%d %H:%M:%S"
ZONES = ("Europe/London", "America/New_York", "Europe/Paris", "Australia/Sydney")
WORDS = {"pending": "pending", "approved": "approved", "paid": "approved", "declined": "rejected"}
STATUS_IDS = {"pending": 1, "approved": 2, "rejected": 3}
DEVICES = {"iPhone": "Mobile", "Android Mobile": "Mobile", "iPad": "Tablet"}
DATE_TYPES = {None: "conversion", "last_updated": "modified", "last_modified": "modified"}
DATE_TYPES |= {"approved_at": "approved"}
# The publisher's status on a campaign (the campaign lists' `{status}`), by our relationship;
# Partnerize lists no campaign the publisher has no standing on.
STANDINGS = {"joined": "a", "pending": "p", "suspended": "r", "rejected": "r"}
CLICK = "https://prf.hn/click"


def publisher_ids(user_api_key: str, count: int = 2) -> list[str]:
    """The publisher accounts a user reaches (what `/user/account.json` lists)."""
    return [f"1100l{100000 + stable_int(NETWORK, user_api_key, n) % 900000}" for n in range(count)]


def reporting_timezone(publisher_id: str) -> str:
    return ZONES[stable_int(NETWORK, "zone", publisher_id) % len(ZONES)]


def campaign_id(adv: Advertiser) -> str:
    return f"{PREFIX}l{adv.id}"


def local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return None if moment is None else moment.astimezone(zone).strftime(FORMAT)


def as_read(moment: datetime, zone: ZoneInfo) -> datetime:
    """The instant a client reads from an offset-less local time (the earlier in a fold)."""
    naive = moment.astimezone(zone).replace(tzinfo=None, fold=0)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _number(value: Decimal) -> float | int:
    """An amount as Partnerize writes it: a JSON number, `90` or `4.5`."""
    return int(value) if value == value.to_integral_value() else float(value)


def _items(s: OrderState, pid: str, zone: ZoneInfo) -> list[dict[str, Any]]:
    o = s.order
    taken_back = o.amend_item if s.amended_at and o.amend_factor == 0 else None
    word = WORDS[s.status]
    out = []
    for n, (original, current) in enumerate(zip(o.items, s.items, strict=True)):
        rejected = n == taken_back or word == "rejected"
        status = "rejected" if rejected else word
        item = original if n == taken_back else current
        self_bill = stable_int(NETWORK, "selfbill", pid, o.seq // 40) % 90000 + 10000
        billed = self_bill if s.status == "paid" and not rejected else None
        out.append(
            {
                "conversion_item_id": f"{PREFIX}l{stable_int(NETWORK, pid, o.seq, n) % 10**9}",
                "sku": item.sku,
                "category": item.name.split()[-1],
                "item_value": _number(item.sale),
                "item_publisher_commission": _number(item.commission),
                "item_status": status,
                "last_update": local(s.amended_at if n == taken_back else s.changed_at, zone),
                "publisher_self_bill_id": billed,
                "approved_at": local(s.validated_at, zone) if status == "approved" else None,
                "item_status_id": STATUS_IDS[status],
                "reject_reason": o.decline_reason if rejected else None,
                "voucher_codes": [o.voucher] if o.voucher else [],
                "meta_data": [],
                "payable": status == "approved",
            }
        )
    return out


def modified_at(s: OrderState) -> datetime:
    return max(t for t in (s.changed_at, s.validated_at, s.amended_at) if t is not None)


def render(s: OrderState, pid: str, zone: ZoneInfo) -> Txn:
    o, adv = s.order, s.order.advertiser
    items = _items(s, pid, zone)
    words = {i["item_status"] for i in items}
    word = words.pop() if len(words) == 1 else "mixed"
    value = sum((Decimal(str(i["item_value"])) for i in items), Decimal(0))
    commission = sum((Decimal(str(i["item_publisher_commission"])) for i in items), Decimal(0))
    ref = o.click_refs[0] if o.click_refs else ""
    clickref = f"{PREFIX}l{stable_int(NETWORK, 'click', pid, o.seq) % 10**8:x}"
    record: dict[str, Any] = {
        "conversion_id": f"{PREFIX}l{stable_int(NETWORK, pid, o.seq) % 10**10}",
        "campaign_id": campaign_id(adv),
        "campaign_title": adv.name,
        "publisher_id": pid,
        "publisher_name": f"Example Media {pid}",
        "conversion_time": local(o.event_at, zone),
        "last_modified": local(modified_at(s), zone),
        "currency": adv.currency,
        "publisher_reference": ref,
        "advertiser_reference": "",
        "conversion_reference": o.order_id,
        "customer_type": "new" if o.key % 3 else "existing",
        "country": o.country,
        "conversion_type": 1,
        "ref_device": DEVICES.get(o.device, "Desktop"),
        "ref_traffic_source": "Affiliate",
        "click": {
            "campaign_id": campaign_id(adv),
            "publisher_id": pid,
            "set_time": local(o.click_at, zone),
            "publisher_reference": ref,
            "clickref": clickref,
        },
        "conversion_value": {
            "conversion_status": word,
            "value": _number(value),
            "publisher_commission": _number(commission),
        },
        "conversion_items": items,
        "was_disputed": False,
        "conversion_lag": int((o.event_at - o.click_at).total_seconds()),
        "clickref": clickref,
    }
    status, sale, earned = s.status, value, commission
    if word == "rejected":
        status = "declined"
    elif word == "mixed":
        live = [i for i in items if i["item_status"] != "rejected"]
        sale = sum((Decimal(str(i["item_value"])) for i in live), Decimal(0))
        earned = sum((Decimal(str(i["item_publisher_commission"])) for i in live), Decimal(0))
    return Txn(
        record["conversion_id"],
        status,
        word,
        as_read(o.event_at, zone),
        o.order_id,
        campaign_id(adv),
        adv.currency,
        sale,
        earned,
        ref or None,
        record,
    )


def conversions(
    publisher_id: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    timezone: str = "UTC",
    date_type: str | None = None,
) -> list[Txn]:
    """What the conversion report serves for [start, end) (dates: whole days in `timezone`)
    by conversion time, or by last change / approval with `date_type`."""
    acct = account(NETWORK, publisher_id, spec)
    zone = ZoneInfo(timezone)
    lo, hi = bounds(start, end, timezone)
    by = DATE_TYPES[date_type]
    states: Iterable[OrderState]
    if by == "conversion":
        states = (state(o, epoch) for o in acct.between(lo, hi))
    else:
        states = (
            s
            for s in (state(o, epoch) for o in acct.orders)
            if (t := modified_at(s) if by == "modified" else s.validated_at) and lo <= t < hi
        )
    return [render(s, publisher_id, zone) for s in states]


def camref(adv: Advertiser, publisher_id: str) -> str:
    """The campaign reference of one publisher on one campaign. Ours: the campaign id and
    the publisher's number in hex, split by a `z`, so a click names both."""
    return f"{PREFIX}l{adv.id:x}z{int(publisher_id.split('l', 1)[1]):x}"


def read_camref(value: str) -> tuple[int, str] | None:
    """The (advertiser id, publisher id) a camref of ours names."""
    head, _, tail = value.partition("l")
    adv, _, publisher = tail.partition("z")
    if head != PREFIX:
        return None
    try:
        return int(adv, 16), f"1100l{int(publisher, 16)}"
    except ValueError:
        return None


def participation(adv: Advertiser, publisher_id: str, fields: set[str]) -> dict[str, Any]:
    """One row of `/v3/partner/{id}/participations`; `camref` only when `fields[]` asks."""
    ref = camref(adv, publisher_id)
    row: dict[str, Any] = {
        "campaign_id": campaign_id(adv),
        "status": STANDINGS[adv.relationship],
        "approved": "2024-03-01T10:00:00+00:00" if adv.relationship == "joined" else None,
        "agreed_latest_terms": "y",
        "custom_terms": "n",
        "campaign_info": {
            "title": adv.name,
            "secure_tracking": "y",
            "cpc_tracking_link": None,
            "destination_url": f"https://www.{adv.domain}/",
            "tracking_link": f"{CLICK}/camref:{ref}",
            "tracking_link_mobile": None,
            "allow_deep_linking": "y" if adv.deeplinks else "n",
            "campaign_languages": None,
        },
    }
    if "camref" in fields:
        row["camref"] = ref
    return row


def campaign(adv: Advertiser, publisher_id: str) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id(adv),
        "advertiser_id": f"{PREFIX}l{adv.id % 100000}",
        "title": adv.name,
        "description": {"en": f"{adv.name}: shop online."},
        "destination_url": f"https://www.{adv.domain}/",
        "default_currency": adv.currency,
        "reporting_timezone": ZONES[adv.index % len(ZONES)],
        "allow_deep_linking": "y" if adv.deeplinks else "n",
        "cookie_period": 2592000,
        "tracking_method": "s2s",
        "default_commission_rate": str(int(adv.rate * 100)),
        "publisher_status": STANDINGS[adv.relationship],
        "status": "a",
        "campaign_logo": f"https://assets.example/{publisher_id}/{adv.id}.png",
    }
