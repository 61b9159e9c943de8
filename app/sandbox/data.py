"""Deterministic commission data for the sandbox networks.

An account's data is a pure function of `(network, account, DataSpec)`: the same inputs
give the same advertisers, orders, items, times and amounts in every process. Orders are
network-neutral; each network module renders them in its own shape (one Awin transaction
per order, one CJ record per order plus correction records, one Rakuten row per item).

Orders change between syncs through the sandbox `epoch`: `state(order, epoch)` replays
the order's scheduled changes up to that epoch (pending -> approved/declined, an item
partly returned, approved -> paid). Changes of epoch n happen "today", n*10 minutes after
midnight UTC (plus a per-order offset), so a later sync over a window that includes
today sees them by validation/posting/process date as well as by event date.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from app.sandbox.catalog import (
    ADJECTIVES,
    BRANDS,
    DECLINE_REASONS,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_ORDERS,
    DEVICES,
    PRODUCTS,
    USD_RATES,
    convert,
    id_range,
    money,
    stable_int,
)
from app.sandbox.orders import Adjustment, Advertiser, Item, Order, OrderState, state

__all__ = [
    "DEFAULT_HISTORY_DAYS",
    "DEFAULT_ORDERS",
    "USD_RATES",
    "Account",
    "Adjustment",
    "Advertiser",
    "Click",
    "DataSpec",
    "Item",
    "Order",
    "OrderState",
    "Txn",
    "account",
    "convert",
    "money",
    "stable_int",
    "state",
]


@dataclass(frozen=True)
class Click:
    """A click on a tracking link of `account`'s program `advertiser_id` (see
    `app.sandbox.clicks`): it makes a pending sale carrying `sub_id` as its click ref."""

    account: str
    advertiser_id: int
    sub_id: str | None
    destination: str | None


@dataclass(frozen=True)
class DataSpec:
    """What an account's data depends on besides network, account and epoch: the day, the
    size, and the clicks made on the sandbox's links so far."""

    today: date
    orders: int = DEFAULT_ORDERS
    history_days: int = DEFAULT_HISTORY_DAYS
    clicks: tuple[Click, ...] = ()

    @property
    def now(self) -> datetime:
        """Midnight UTC starting `today`: every event is before it, every change after."""
        return datetime.combine(self.today, time.min, tzinfo=UTC)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DataSpec:
        """From a sandbox `GET /_sandbox/config` body."""
        return cls(
            today=date.fromisoformat(str(config["today"])),
            orders=int(config["transactions_per_account"]),
            history_days=int(config["history_days"]),
        )


@dataclass(frozen=True)
class Account:
    network: str
    account: str
    spec: DataSpec
    advertisers: tuple[Advertiser, ...]
    orders: tuple[Order, ...] = field(repr=False)
    event_times: tuple[datetime, ...] = field(repr=False)

    def between(self, start: datetime, end: datetime) -> Sequence[Order]:
        """Orders with `start <= event_at < end` (aware datetimes), in event order."""
        return self.orders[
            bisect_left(self.event_times, start) : bisect_left(self.event_times, end)
        ]

    def advertiser(self, advertiser_id: int) -> Advertiser | None:
        return next((a for a in self.advertisers if a.id == advertiser_id), None)


def _advertisers(network: str, rng: random.Random) -> tuple[Advertiser, ...]:
    lo, hi = id_range(network)
    picked = rng.sample(range(len(BRANDS)), rng.randint(6, 9))
    relationships = ["joined"] * (len(picked) - 3) + ["suspended", "pending", "notjoined"]
    out = []
    for n, (index, relationship) in enumerate(zip(picked, relationships, strict=True)):
        name, domain, currency, country = BRANDS[index]
        out.append(
            Advertiser(
                id=lo + stable_int(network, name) % (hi - lo),
                name=name,
                domain=domain,
                currency=currency,
                country=country,
                relationship=relationship,
                rate=Decimal(rng.choice((2, 3, 4, 5, 6, 8, 10, 12))) / 100,
                deeplinks=n % 4 != 3,
                index=index,
            )
        )
    return tuple(out)


def _items(rng: random.Random, adv: Advertiser) -> tuple[Item, ...]:
    group = "NEWCUSTOMER" if rng.random() < 0.15 else "DEFAULT"
    zero_order = rng.random() < 0.04
    items = []
    for _ in range(rng.choices((1, 2, 3, 4), (55, 25, 12, 8))[0]):
        product = rng.choice(PRODUCTS)
        unit = Decimal(rng.randint(400, 30000)) / 100
        qty = rng.choices((1, 2, 3), (75, 18, 7))[0]
        zero = zero_order or rng.random() < 0.05
        rate = Decimal(0) if zero else adv.rate * (Decimal("1.5") if group != "DEFAULT" else 1)
        items.append(
            Item(
                sku=f"{product[:3].upper()}-{rng.randint(1000, 99999)}",
                name=f"{rng.choice(ADJECTIVES)} {product}",
                quantity=qty,
                unit_price=unit,
                commission=money(unit * qty * rate),
                group="ZERO" if zero else group,
            )
        )
    return tuple(items)


def _initial_status(rng: random.Random, age_days: float) -> str:
    weights = (
        (75, 10, 15, 0) if age_days < 30 else (35, 45, 12, 8) if age_days < 90 else (5, 30, 12, 53)
    )
    return rng.choices(("pending", "approved", "declined", "paid"), weights)[0]


def _order(
    rng: random.Random,
    seq: int,
    event_at: datetime,
    spec: DataSpec,
    advertisers: Sequence[Advertiser],
    tag: str,
) -> Order:
    now = spec.now
    adv = rng.choice(advertisers)
    age_days = (now - event_at).total_seconds() / 86400
    initial = _initial_status(rng, age_days)
    validated = None
    if initial != "pending":
        delay = timedelta(days=rng.uniform(2, 45))
        validated = min(event_at + delay, now - timedelta(seconds=rng.randint(60, 86400)))
        validated = max(validated, event_at + timedelta(minutes=5)).replace(microsecond=0)
    settle = None
    if initial == "pending" and rng.random() < 0.65:
        settle = 1 + min(int(math.log(1 - rng.random()) / math.log(0.7)), 40)
    items = _items(rng, adv)
    refs = tuple(
        f"{p}{rng.randint(1, 999)}"
        for p in ("usr_", "post-", "nl-")[: rng.choices((0, 1, 2, 3), (20, 45, 25, 10))[0]]
    )
    return Order(
        seq=seq,
        key=rng.getrandbits(32),
        order_id=f"{tag}-{100000 + seq}",
        advertiser=adv,
        click_at=event_at - timedelta(seconds=rng.randint(30, 3 * 86400)),
        event_at=event_at,
        posted_at=event_at + timedelta(seconds=rng.randint(60, 3600)),
        items=items,
        click_refs=refs,
        device=rng.choice(DEVICES),
        country=adv.country if rng.random() < 0.85 else rng.choice(("GB", "US", "DE", "FR")),
        voucher=f"SAVE{rng.randint(5, 30)}" if rng.random() < 0.12 else None,
        initial=initial,
        validated_at=validated,
        decline_reason=rng.choice(DECLINE_REASONS),
        settle_epoch=settle,
        settle_to="approved" if rng.random() < 0.8 else "declined",
        amend_epoch=rng.choice((1, 1, 2, 3)) if rng.random() < 0.12 else None,
        amend_item=rng.randrange(len(items)),
        amend_factor=Decimal(rng.choice(("0", "0.5"))),
        paid_epoch=rng.choice((1, 2)) if initial == "approved" and rng.random() < 0.2 else None,
        now=now,
    )


def account(network: str, account_id: str, spec: DataSpec) -> Account:
    """Every order of one account, oldest first: the generated ones, then a sale for each
    click on the account's links."""
    generated = _generated(network, account_id, replace(spec, clicks=()))
    made = tuple(c for c in spec.clicks if c.account == account_id)
    return _with_clicks(generated, made) if made else generated


def clear_cache() -> None:
    """Forget every account generated so far (they are regenerated the same)."""
    _generated.cache_clear()
    _with_clicks.cache_clear()


@lru_cache(maxsize=64)
def _with_clicks(account: Account, clicks: tuple[Click, ...]) -> Account:
    # After every generated order, in click order, so an order's position stays its
    # sequence number: a minute before `today` or just after the last generated order.
    last = account.event_times[-1] if account.event_times else account.spec.now
    start = max(account.spec.now - timedelta(minutes=1), last)
    added = []
    for n, click in enumerate(clicks):
        adv = account.advertiser(click.advertiser_id)
        if adv is not None:
            at = start + timedelta(milliseconds=n + 1)
            added.append(_click_order(account, adv, click, len(account.orders) + n, at))
    orders = (*account.orders, *added)
    return replace(account, orders=orders, event_times=tuple(o.event_at for o in orders))


def _click_order(
    account: Account, adv: Advertiser, click: Click, seq: int, event_at: datetime
) -> Order:
    price = Decimal("100.00")
    item = Item(f"CLK-{seq}", "Clicked product", 1, price, money(price * adv.rate), "DEFAULT")
    tag = f"ORD{stable_int(account.network, account.account) % 9000 + 1000}"
    return Order(
        seq=seq,
        key=stable_int("click", account.network, account.account, seq),
        order_id=f"{tag}-{100000 + seq}",
        advertiser=adv,
        click_at=event_at - timedelta(minutes=5),
        event_at=event_at,
        posted_at=event_at + timedelta(seconds=30),
        items=(item,),
        click_refs=(click.sub_id,) if click.sub_id else (),
        device="desktop",
        country=adv.country,
        voucher=None,
        initial="pending",
        validated_at=None,
        decline_reason=DECLINE_REASONS[0],
        settle_epoch=None,
        settle_to="approved",
        amend_epoch=None,
        amend_item=0,
        amend_factor=Decimal(1),
        paid_epoch=None,
        now=account.spec.now,
    )


@lru_cache(maxsize=64)
def _generated(network: str, account_id: str, spec: DataSpec) -> Account:
    """Every generated order of one account, oldest first (cached: 20k orders take well
    under 1 s)."""
    rng = random.Random(stable_int("account", network, account_id))
    advertisers = _advertisers(network, rng)
    active = [a for a in advertisers if a.relationship in ("joined", "suspended")]
    horizon = spec.history_days * 86400
    # Skewed towards recent days: about half the orders fall in the last 120 of 400 days.
    ages = sorted(
        (int(horizon * rng.random() ** 1.6) + 1 for _ in range(spec.orders)), reverse=True
    )
    tag = f"ORD{stable_int(network, account_id) % 9000 + 1000}"
    orders = tuple(
        _order(rng, seq, spec.now - timedelta(seconds=age), spec, active, tag)
        for seq, age in enumerate(ages)
    )
    return Account(
        network, account_id, spec, advertisers, orders, tuple(o.event_at for o in orders)
    )


@dataclass(frozen=True)
class Txn:
    """One record as a network serves it, with the neutral facts a faithful connector maps
    it to: `status` is pending/approved/declined/paid, times are aware UTC, money Decimal."""

    external_id: str
    status: str
    network_status: str | None
    event_at: datetime
    order_id: str | None
    advertiser_id: str
    currency: str
    sale_amount: Decimal
    commission_amount: Decimal
    click_ref: str | None
    record: dict[str, Any] = field(repr=False, compare=False)
