"""Post Affiliate Pro's records for the sandbox: the affiliate transactions grid's rows
(one sale per order, a refund row for a partly returned order) and the campaigns grid's.

Dates are naive in the installation's timezone; amounts are in its currency, with the
order's own currency and value in `original_currency_code`/`originalcurrencyvalue` when
they differ (a multi-currency installation).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.base import bounds
from app.sandbox.data import (
    Advertiser,
    DataSpec,
    OrderState,
    Txn,
    account,
    convert,
    stable_int,
    state,
)

ZONE = "America/Los_Angeles"
FORMAT = "%Y-%m-%d %H:%M:%S"
WORDS = {"pending": "P", "approved": "A", "paid": "A", "declined": "D"}
STATUS_OF = {"P": "pending", "A": "approved", "D": "declined"}
AFFSTATUS = {"joined": "A", "pending": "P", "suspended": "D", "notjoined": ""}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).strftime(FORMAT) if moment else None


def _as_read(moment: datetime, zone: ZoneInfo) -> datetime:
    """The instant a client reads back from naive local time (the fold's first hour)."""
    local = moment.astimezone(zone).replace(tzinfo=None, fold=0)
    return local.replace(tzinfo=zone).astimezone(UTC)


def _rows(s: OrderState, user: str, zone: ZoneInfo, cur: str) -> list[Txn]:
    o, adv = s.order, s.order.advertiser
    refs = [*o.click_refs, "", ""]

    def row(n: int, rtype: str, word: str, at: datetime, sale: Any, comm: Any, sku: str) -> Txn:
        paid = s.status == "paid" and rtype == "S"
        approved_at = s.validated_at if rtype == "S" else None
        txn_id = f"{stable_int('pap-transaction', user, o.seq, n):016x}"[:8]
        record = {
            "id": txn_id,
            "campaignid": str(adv.id),
            "name": adv.name,
            "commission": str(convert(comm, adv.currency, cur)),
            "totalcost": str(convert(sale, adv.currency, cur)),
            "t_orderid": o.order_id,
            "orderid": o.order_id,
            "productid": sku,
            "rtype": rtype,
            "commissionTypeName": "Sale" if rtype == "S" else "Refund",
            "tier": "1",
            "rstatus": word,
            "payoutstatus": "P" if paid else "U",
            "payoutdate": _local(s.changed_at, zone) if paid else None,
            "dateinserted": _local(at, zone),
            "dateapproved": _local(approved_at or at, zone) if word == "A" else None,
            "lastclicktime": _local(o.click_at, zone),
            "lastclickdata1": refs[0],
            "lastclickdata2": refs[1],
            "channel": None,
            "countrycode": o.country,
            "original_currency_code": adv.currency if adv.currency != cur else None,
            "originalcurrencyvalue": str(sale) if adv.currency != cur else None,
            "merchantnote": o.decline_reason if word == "D" else "",
        }
        record["transid"] = txn_id
        status = "paid" if paid else STATUS_OF[word]
        return Txn(
            txn_id,
            status,
            word,
            _as_read(at, zone),
            o.order_id,
            str(adv.id),
            cur,
            convert(sale, adv.currency, cur),
            convert(comm, adv.currency, cur),
            refs[0] or None,
            record,
        )

    word = WORDS[s.status]
    out = [row(0, "S", word, o.event_at, s.original_sale, s.original_commission, o.items[0].sku)]
    for adj in s.adjustments:
        if adj.kind == "amend":
            sale = sum(a.sale for a in adj.after) - sum(b.sale for b in adj.before)
            comm = sum(a.commission for a in adj.after) - sum(b.commission for b in adj.before)
            sku = o.items[o.amend_item].sku
            out.append(row(1, "R", word, adj.at, sale, comm, sku))
    return out


@lru_cache(maxsize=16)
def all_rows(
    user: str, epoch: int, spec: DataSpec, timezone: str, currency: str
) -> tuple[Txn, ...]:
    zone = ZoneInfo(timezone)
    rows = [
        t
        for o in account("postaffiliatepro", user, spec).orders
        for t in _rows(state(o, epoch), user, zone, currency)
    ]
    return tuple(sorted(rows, key=lambda t: (t.record["dateinserted"], t.external_id)))


def transactions(
    user: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    timezone: str = ZONE,
    currency: str = "USD",
) -> list[Txn]:
    """The affiliate's transactions inserted in [start, end] (dates: whole days in
    `timezone`; datetimes: [start, end))."""
    lo, hi = bounds(start, end, timezone)
    return [t for t in all_rows(user, epoch, spec, timezone, currency) if lo <= t.event_at < hi]


def affiliate_ids(user: str) -> tuple[str, str]:
    """The affiliate's user id (8 hex characters) and referral id (what the panel shows as
    the affiliate id): both work as a link's `a_aid`."""
    userid = f"{stable_int('pap-user', user):08x}"[:8]
    return userid, f"{user.split('@')[0]}{stable_int('pap-refid', user) % 1000:03d}"


def _details(adv: Advertiser, currency: str) -> str:
    """PAP's own `commissionsdetails` text: one `name: value` per commission type."""
    sale = f"per sale / lead: {adv.rate * 100:g}%"
    if adv.index % 3:
        return sale
    return f"{sale}, per click: {SYMBOLS.get(currency, currency + ' ')}{adv.rate * 5:.2f}"


def banners(user: str, spec: DataSpec, installation: str) -> list[dict[str, str | None]]:
    """One text link per campaign the affiliate may see: public and manual-approval
    campaigns show theirs before the affiliate joins."""
    userid, refid = affiliate_ids(user)
    out: list[dict[str, str | None]] = []
    for adv in account("postaffiliatepro", user, spec).advertisers:
        bannerid = f"{stable_int('pap-banner', adv.id):08x}"[:8]
        click = f"https://{installation}/scripts/click.php?a_aid={refid}&a_bid={bannerid}"
        out.append(
            {
                "id": bannerid,
                "campaignid": str(adv.id),
                "name": f"{adv.name} home page",
                "rtype": "T",
                "rstatus": "A",
                "destinationurl": f"https://www.{adv.domain}/",
                "bannerclickurl": click,
                "userid": userid,
            }
        )
    return out


def campaigns(user: str, spec: DataSpec, currency: str = "USD") -> list[dict[str, str | None]]:
    return [
        {
            "id": str(adv.id),
            "campaignid": str(adv.id),
            "name": adv.name,
            "description": f"{adv.name} ({adv.domain})",
            "rtype": "P" if adv.relationship == "joined" else "M",
            "rstatus": "A",
            "dateinserted": "2024-01-15 09:00:00",
            "logourl": f"https://{adv.domain}/logo.png",
            "banners": str(3 + adv.index % 5),
            "commissionsexist": "Y",
            "commissionsdetails": _details(adv, currency),
            "affstatus": AFFSTATUS.get(adv.relationship, ""),
        }
        for adv in account("postaffiliatepro", user, spec).advertisers
    ]
