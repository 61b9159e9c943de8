"""AdTraction's records for the sandbox: a partner's channels, transactions as the v2
transactions call serves them (times in Stockholm with an offset, amounts as JSON numbers,
integer status codes, click facts nested under `click`), the markets, and programs in the
v2 shape or the v1 shape of the recorded response (fixtures/adtraction/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.data import Account, Advertiser, OrderState, Txn, stable_int

ZONE = ZoneInfo("Europe/Stockholm")
FORMAT = "%Y-%m-%dT%H:%M:%S%z"
MARKETS = (
    {"market": "SE", "marketName": "Sweden", "marketId": 12},
    {"market": "NO", "marketName": "Norway", "marketId": 13},
    {"market": "DK", "marketName": "Denmark", "marketId": 14},
    {"market": "FI", "marketName": "Finland", "marketId": 15},
    {"market": "DE", "marketName": "Germany", "marketId": 16},
)
CURRENCIES = {"SE": "SEK", "NO": "NOK", "DK": "DKK", "FI": "EUR", "DE": "EUR"}
CODES = {"approved": 1, "paid": 1, "pending": 2, "declined": 5}
WORDS = {1: "approved", 2: "pending", 4: "open claim", 5: "rejected"}
RELATIONSHIP_CODES = {"joined": 1, "pending": 2, "suspended": 0, "notjoined": 3}


def channel_ids(token: str) -> tuple[str, str]:
    """The two channels (sites) of the partner account a token belongs to."""
    return tuple(  # type: ignore[return-value]
        str(1_500_000_000 + stable_int("adtraction-channel", token, n) % 400_000_000)
        for n in range(2)
    )


def channels(token: str) -> list[dict[str, Any]]:
    names = ("Deal blog", "Travel app")
    return [
        {"channelId": int(c), "channelName": f"{names[n]} {c[-3:]}"}
        for n, c in enumerate(channel_ids(token))
    ]


def market_of(adv: Advertiser) -> str:
    return str(MARKETS[adv.index % len(MARKETS)]["market"])


def stamp(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime(FORMAT)


def transaction(s: OrderState, channel: str) -> Txn:
    o, adv = s.order, s.order.advertiser
    code = CODES[s.status]
    if code == 2 and o.key % 7 == 0:
        code = 4  # an open claim: a manual claim under review
    currency = CURRENCIES[market_of(adv)]
    unique = str((stable_int("adtraction-unique", channel) % 90_000 + 10_000) * 100_000 + o.seq)
    record: dict[str, Any] = {
        "uniqueId": unique,
        "transactionDate": stamp(o.event_at),
        "lastUpdated": stamp(s.changed_at if s.validated_at is None else s.validated_at),
        "transactionStatus": code,
        "transactionType": 1,
        "orderId": o.order_id,
        "orderValue": float(s.sale_amount),
        "commission": float(s.commission_amount),
        "currency": currency,
        "click": {
            "programId": adv.id,
            "programName": f"{adv.name} {market_of(adv)}",
            "channelId": int(channel),
            "clickDate": stamp(o.click_at),
            "epi": o.click_refs[0] if o.click_refs else None,
        },
    }
    status = "approved" if s.status == "paid" else s.status  # no paid state in transactions
    return Txn(
        unique,
        status,
        WORDS[code],
        o.event_at,
        o.order_id,
        str(adv.id),
        currency,
        s.sale_amount,
        s.commission_amount,
        record["click"]["epi"],
        record,
    )


def ad_id(adv: Advertiser) -> int:
    """The program's text-link ad, which tracking links name (`a=`)."""
    return adv.id + 3


def program(adv: Advertiser, shape: str) -> dict[str, Any]:
    """One program: v2 (`commissions`, `categoryName`) or v1 (`compensations`, `category`).
    A sale pays a percentage (`type` "%" [I]); a newsletter sign-up a flat amount, `type`
    its currency as in the recorded listing."""
    market = market_of(adv)
    currency = CURRENCIES[market]
    terms = [
        {"name": "Sale", "value": float(adv.rate * 100), "type": "%", "transactionType": 1},
        {"name": "Newsletter", "value": 10.0, "type": currency, "transactionType": 2},
    ]
    common: dict[str, Any] = {
        "programId": adv.id,
        "market": market,
        "currency": currency,
        "approvalStatus": RELATIONSHIP_CODES.get(adv.relationship, 3),
        "feed": adv.index % 2 == 0,
        "programName": f"{adv.name} {market}",
        "programURL": f"https://{adv.domain}",
        "pendingActive": False,
        "cookieDuration": 30,
        "adId": ad_id(adv),
        "logoURL": f"https://secure.adtraction.com/image.htm?imgId={adv.id + 1}",
    }
    if shape == "v1":
        return {**common, "compensations": terms, "category": "Shopping"}
    commissions = [{"value": t["value"], "id": adv.id + 7 + n, **t} for n, t in enumerate(terms)]
    return {**common, "commissions": commissions, "categoryName": "Shopping"}


def programs(accounts: list[Account], market: str, shape: str) -> list[dict[str, Any]]:
    """The programs of one market the partner's channels see (first channel first)."""
    seen: dict[int, dict[str, Any]] = {}
    for account in accounts:
        for adv in account.advertisers:
            if market_of(adv) == market and adv.id not in seen:
                seen[adv.id] = program(adv, shape)
    return list(seen.values())
