"""Network-neutral orders and how they change from one sandbox epoch to the next."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from app.sandbox.catalog import money


@dataclass(frozen=True)
class Advertiser:
    id: int
    name: str
    domain: str
    currency: str
    country: str
    relationship: str  # joined | pending | suspended | rejected | notjoined
    rate: Decimal
    deeplinks: bool
    index: int


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    commission: Decimal
    group: str  # commission group code: DEFAULT | NEWCUSTOMER | ZERO

    @property
    def sale(self) -> Decimal:
        return money(self.unit_price * self.quantity)


@dataclass(frozen=True)
class Order:
    seq: int
    key: int
    order_id: str
    advertiser: Advertiser
    click_at: datetime
    event_at: datetime
    posted_at: datetime
    items: tuple[Item, ...]
    click_refs: tuple[str, ...]
    device: str
    country: str
    voucher: str | None
    initial: str  # neutral status at epoch 0
    validated_at: datetime | None
    decline_reason: str | None
    settle_epoch: int | None
    settle_to: str
    amend_epoch: int | None
    amend_item: int
    amend_factor: Decimal
    paid_epoch: int | None
    now: datetime

    def change_time(self, epoch: int) -> datetime:
        return self.now + timedelta(minutes=10 * epoch, seconds=self.key % 600)


@dataclass(frozen=True)
class Adjustment:
    """A change that networks with immutable rows report as correction rows."""

    kind: str  # decline | amend
    at: datetime
    before: tuple[Item, ...]
    after: tuple[Item, ...]


@dataclass(frozen=True)
class OrderState:
    order: Order
    status: str  # pending | approved | declined | paid
    validated_at: datetime | None
    items: tuple[Item, ...]
    amended_at: datetime | None
    changed_at: datetime
    adjustments: tuple[Adjustment, ...] = ()

    @property
    def sale_amount(self) -> Decimal:
        return sum((i.sale for i in self.items), Decimal("0.00"))

    @property
    def commission_amount(self) -> Decimal:
        return sum((i.commission for i in self.items), Decimal("0.00"))

    @property
    def original_sale(self) -> Decimal:
        return sum((i.sale for i in self.order.items), Decimal("0.00"))

    @property
    def original_commission(self) -> Decimal:
        return sum((i.commission for i in self.order.items), Decimal("0.00"))


def state(order: Order, epoch: int) -> OrderState:
    """The order as the network shows it after `epoch` bumps."""
    s = OrderState(order, order.initial, order.validated_at, order.items, None, order.posted_at)
    if order.initial == "declined" and order.validated_at is not None:
        s = replace(s, adjustments=(Adjustment("decline", order.validated_at, s.items, ()),))
    changes = [
        (e, kind)
        for e, kind in (
            (order.settle_epoch, "settle"),
            (order.amend_epoch, "amend"),
            (order.paid_epoch, "pay"),
        )
        if e and e <= epoch
    ]
    for at_epoch, kind in sorted(changes):
        at = order.change_time(at_epoch)
        if kind == "settle" and s.status == "pending":
            adjust = s.adjustments
            if order.settle_to == "declined":
                adjust += (Adjustment("decline", at, s.items, ()),)
            s = replace(
                s, status=order.settle_to, validated_at=at, changed_at=at, adjustments=adjust
            )
        elif kind == "amend" and s.status != "declined":
            items = list(s.items)
            old = items[order.amend_item]
            items[order.amend_item] = replace(
                old,
                unit_price=money(old.unit_price * order.amend_factor),
                commission=money(old.commission * order.amend_factor),
            )
            new = tuple(items)
            s = replace(
                s,
                items=new,
                amended_at=at,
                changed_at=at,
                adjustments=(*s.adjustments, Adjustment("amend", at, s.items, new)),
            )
        elif kind == "pay" and s.status == "approved":
            s = replace(s, status="paid", changed_at=at)
    return s
