"""What the Webgains sandbox serves (shared/networks/webgains.md, sections 3-6): publishers
and their sites (campaigns), transaction report rows and program memberships.

A row: integer `id`; `date` and `status_changed_date` in Unix seconds; `status` a numeric
code (10 paid, 20 approved, 30-60 pending, 70 declined); `program{id, name}`;
`click_reference` a string, null or absent; `value` and `commission` as `{amount,
currency_code}` with amounts integers in ten-thousandths (some commissions carry sub-cent
digits). Membership status numbers are undocumented: the sandbox lists a site's joined
programs with an invented code, as the fact sheet reads the endpoint (a membership is the
relationship); the directory lists every program of the publisher's sites, live, with its
homepage and deep-link permission."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from app.sandbox.base import bounds
from app.sandbox.data import DataSpec, OrderState, Txn, account, stable_int, state

NETWORK = "webgains"
CODES = {"paid": 10, "approved": 20, "declined": 70}
PENDING_CODES = (30, 40, 50, 60)
JOINED = 1  # invented: membership codes are undocumented
LIVE = 1  # the directory's status of a live program


def publisher_of(credential: str) -> str:
    """The publisher a personal token or a sign-in name belongs to."""
    return str(100_000 + stable_int("webgains-publisher", credential) % 900_000)


def sites_of(publisher: str) -> tuple[str, ...]:
    """Every publisher has two sites (campaigns)."""
    return tuple(
        str(1_000_000 + stable_int("webgains-site", publisher, n) % 9_000_000) for n in (0, 1)
    )


def site_name(site: str) -> str:
    return f"Example Deals {site[-3:]}"


def ten_thousandths(amount: Decimal) -> int:
    return int(amount * 10_000)


def _row(s: OrderState, site: str) -> Txn:
    o, adv = s.order, s.order.advertiser
    code = CODES.get(s.status) or PENDING_CODES[o.key % 4]
    commission = ten_thousandths(s.commission_amount)
    if commission and o.key % 5 == 0:
        commission += o.key % 97  # a percentage commission to the hundredth of a cent
    sale = ten_thousandths(s.sale_amount)
    changed = s.validated_at or o.posted_at
    tx_id = 100_000_000 + stable_int("webgains-tx", site) % 800 * 1_000_000 + o.seq
    record: dict[str, Any] = {
        "id": tx_id,
        "date": int(o.event_at.timestamp()),
        "status": code,
        "status_changed_date": int(max(changed, s.changed_at).timestamp()),
        "program": {"id": adv.id, "name": adv.name},
        "value": {"amount": sale, "currency_code": adv.currency},
        "commission": {"amount": commission, "currency_code": adv.currency},
    }
    ref = o.click_refs[0] if o.click_refs else None
    if ref or o.key % 2:
        record["click_reference"] = ref
    return Txn(
        str(tx_id),
        s.status,
        str(code),
        o.event_at,
        None,
        str(adv.id),
        adv.currency,
        Decimal(sale).scaleb(-4),
        Decimal(commission).scaleb(-4),
        ref,
        record,
    )


@lru_cache(maxsize=16)
def _all(site: str, epoch: int, spec: DataSpec) -> tuple[Txn, ...]:
    return tuple(_row(state(o, epoch), site) for o in account(NETWORK, site, spec).orders)


def expected(
    account_id: str, epoch: int, spec: DataSpec, start: Any = None, end: Any = None, **_: Any
) -> list[Txn]:
    """The site's transactions dated in [start, end) (dates: whole UTC days, end
    included), oldest first."""
    lo, hi = bounds(start, end)
    return [t for t in _all(account_id, epoch, spec) if lo <= t.event_at < hi]


def between(sites: list[str], epoch: int, spec: DataSpec, lo: datetime, hi: datetime) -> list[Txn]:
    """Rows of several sites dated in [lo, hi), by date then id."""
    rows = [t for site in sites for t in expected(site, epoch, spec, lo, hi)]
    return sorted(rows, key=lambda t: (t.event_at, int(t.external_id)))


def memberships(publisher: str, spec: DataSpec) -> list[dict[str, Any]]:
    """The publisher's program memberships: each site's joined programs."""
    out = []
    for site in sites_of(publisher):
        for adv in account(NETWORK, site, spec).advertisers:
            if adv.relationship != "joined":
                continue
            out.append(
                {
                    "id": 5_000_000 + stable_int("webgains-membership", site, adv.id) % 4_000_000,
                    "program": {"id": adv.id, "name": adv.name},
                    "campaign": {"id": int(site)},
                    "status": JOINED,
                }
            )
    return out


def directory(publisher: str, spec: DataSpec) -> list[dict[str, Any]]:
    """`/merchants/programs`: the network's programs, here every program of the
    publisher's sites, by id."""
    programs = {
        adv.id: adv
        for site in sites_of(publisher)
        for adv in account(NETWORK, site, spec).advertisers
    }
    created = int(spec.now.timestamp()) - 400 * 86400
    return [
        {
            "id": adv.id,
            "name": adv.name,
            "homepage_url": f"https://www.{adv.domain}/",
            "create_date": created + adv.id % 86400,
            "status": LIVE,
            "allows_deeplinks": adv.deeplinks,
        }
        for _, adv in sorted(programs.items())
    ]
