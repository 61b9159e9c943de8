"""TradeTracker conversion transactions as `getConversionTransactions` renders them: one
per order, its amounts as they stand, the status word (`accepted` also when paid out:
`paidOut` says so; about one in seven rows use the later words `confirmed`/`declined`),
dates in Europe/Amsterdam with their offset."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.base import bounds
from app.sandbox.data import DataSpec, OrderState, Txn, account, stable_int, state

ZONE = ZoneInfo("Europe/Amsterdam")
WORDS = {"pending": "pending", "approved": "accepted", "paid": "accepted", "declined": "rejected"}
LATER_WORDS = {"accepted": "confirmed", "rejected": "declined", "pending": "pending"}


def _duration(delta: timedelta) -> str:
    days, rest = divmod(int(delta.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    return f"P{days}DT{hours}H{rest // 60}M{rest % 60}S" if days else f"PT{hours}H{rest // 60}M"


def _wire(s: OrderState, site: str) -> dict[str, Any]:
    o, adv = s.order, s.order.advertiser
    word = WORDS[s.status]
    if o.key % 7 == 0:  # live data also says confirmed/declined
        word = LATER_WORDS[word]
    group = o.items[0].group
    return {
        "ID": 3_000_000_000 + stable_int("tradetracker-tx", site, o.seq) % 1_000_000_000,
        "campaign": {
            "ID": adv.id,
            "name": adv.name,
            "URL": f"https://www.{adv.domain}",
            "info": None,
        },
        "campaignProduct": {"ID": 1 + stable_int(group) % 90, "name": group.title()},
        "reference": o.click_refs[0] if o.click_refs else "",
        "transactionType": "sale",
        "transactionStatus": word,
        "numTouchPointsTotal": 1,
        "numTouchPointsAttributed": 1,
        "attributableCommission": s.commission_amount,
        "description": "",
        "currency": adv.currency,
        "commission": s.commission_amount,
        "orderAmount": s.sale_amount,
        "IP": f"203.0.113.{o.key % 250}",
        "registrationDate": o.event_at.astimezone(ZONE),
        "assessmentDate": s.validated_at.astimezone(ZONE) if s.validated_at else None,
        "clickToConversion": _duration(o.event_at - o.click_at),
        "originatingClickDate": o.click_at.astimezone(ZONE),
        "rejectionReason": o.decline_reason if s.status == "declined" else None,
        "paidOut": s.status == "paid",
        "affiliateSitesPaidOut": None,
        "countryCode": o.country,
        "attributionModel": "lastClick",
    }


def as_json(value: Any) -> Any:
    """A wire value as a JSON client reads it (what a connector keeps as `raw`)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    return value


@lru_cache(maxsize=16)
def rows(site: str, epoch: int, spec: DataSpec) -> tuple[tuple[dict[str, Any], Txn], ...]:
    out = []
    for order in account("tradetracker", site, spec).orders:
        s = state(order, epoch)
        wire, adv = _wire(s, site), order.advertiser
        txn = Txn(
            str(wire["ID"]),
            s.status,
            wire["transactionStatus"],
            order.event_at,
            None,  # TradeTracker shows affiliates no order id
            str(adv.id),
            adv.currency,
            s.sale_amount,
            s.commission_amount,
            wire["reference"] or None,
            as_json(wire),
        )
        out.append((wire, txn))
    return tuple(out)


def expected(
    site: str, epoch: int, spec: DataSpec, start: Any = None, end: Any = None, **options: Any
) -> list[Txn]:
    """What `getConversionTransactions` serves a site for registration dates in [start, end]
    (dates: whole Amsterdam days; datetimes: [start, end))."""
    lo, hi = bounds(start, end, "Europe/Amsterdam")
    return [t for _, t in rows(str(site), epoch, spec) if lo <= t.event_at < hi]
