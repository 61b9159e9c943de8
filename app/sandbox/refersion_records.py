"""Refersion Marketplace records for the sandbox: brand programs (one affiliate account per
brand, each shop with its own currency), their conversions and the payments that paid them,
shaped as the documentation samples are (amounts and Unix times as strings)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.sandbox.catalog import BRANDS, id_range
from app.sandbox.data import DataSpec, OrderState, Txn, account, convert, stable_int, state

STATUSES = ("ACTIVE", "ACTIVE", "PENDING", "DENIED")


@dataclass(frozen=True)
class Program:
    affiliate_id: int
    status: str
    name: str
    url: str
    currency: str
    shop_id: int

    @classmethod
    def of(cls, affiliate_id: int, n: int) -> Program:
        name, domain, currency, _ = BRANDS[stable_int("refersion-shop", affiliate_id) % len(BRANDS)]
        lo, hi = id_range("refersion")
        shop = lo + stable_int("refersion", name) % (hi - lo)
        status = STATUSES[n % len(STATUSES)]
        return cls(affiliate_id, status, domain.split(".")[0], f"https://{domain}", currency, shop)

    @property
    def shop(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "shop_identifier": str(self.shop_id),
            "currency": self.currency,
        }

    @property
    def rfsn(self) -> str:
        """The value of the program's `rfsn` parameter: affiliate id, a dot, a short hash."""
        return f"{self.affiliate_id}.{stable_int('rfsn', self.affiliate_id) % 0xFFFFF:05x}"

    def record(self) -> dict[str, Any]:
        return {
            "id": self.affiliate_id,
            "name": "Example Creator",
            "email": "creator@example.com",
            "status": self.status,
            "rfsn_parameter": f"&rfsn={self.rfsn}",
            "shop": self.shop,
        }


def programs(token: str) -> list[Program]:
    """The token's brand programs: two approved, one pending, one denied."""
    ids = [100000 + stable_int("refersion-affiliate", token, n) % 800000 for n in range(4)]
    return [Program.of(affiliate, n) for n, affiliate in enumerate(ids)]


def _word(s: OrderState) -> str:
    if s.status == "declined":
        return "UNQUALIFIED" if s.order.key % 5 == 0 else "DENIED"
    return "PENDING" if s.status == "pending" else "APPROVED"


def _paid_at(s: OrderState) -> int:
    """When the order was paid: a later amendment does not move it."""
    o = s.order
    paid = o.change_time(o.paid_epoch) if o.paid_epoch and o.initial != "paid" else None
    return int((paid or o.validated_at or s.changed_at).timestamp())


def conversions(program: Program, epoch: int, spec: DataSpec) -> tuple[Txn, ...]:
    states = [state(o, epoch) for o in account("refersion", str(program.affiliate_id), spec).orders]
    # A payment pays a program's conversions approved by then, one payment a day.
    paid_days: dict[str, int] = defaultdict(int)
    for s in states:
        if s.status == "paid":
            day = datetime.fromtimestamp(_paid_at(s), UTC).date().isoformat()
            paid_days[day] = max(paid_days[day], _paid_at(s))
    out = []
    for s in states:
        o, adv = s.order, s.order.advertiser
        sale = convert(s.sale_amount, adv.currency, program.currency)
        commission = convert(s.commission_amount, adv.currency, program.currency)
        payment = None
        if s.status == "paid":
            paid_on = datetime.fromtimestamp(_paid_at(s), UTC).date().isoformat()
            pay_id = 10000 + stable_int("rfsn-payment", program.affiliate_id, paid_on) % 90000
            payment = {"id": pay_id, "created": str(paid_days[paid_on])}
        record: dict[str, Any] = {
            "id": (program.affiliate_id % 20000) * 100000 + o.seq,
            "total": f"{sale:.2f}",
            "commission_total": f"{commission:.2f}",
            "currency": program.currency,
            "created": str(int(o.event_at.timestamp())),
            "status": _word(s),
            "affiliate_id": program.affiliate_id,
            "affiliate": {"name": "Example Creator", "email": "creator@example.com"},
            "coupon_code": o.voucher,
            # The link's `subid`, reported back on the conversion (see refersion_schema).
            "sub_id": o.click_refs[0] if o.click_refs else None,
            "subscription_id": None,
            "shop": program.shop,
            "payment": payment,
        }
        event_at = datetime.fromtimestamp(int(record["created"]), UTC)
        out.append(
            Txn(
                str(record["id"]),
                s.status,
                record["status"],
                event_at,
                None,
                str(program.shop_id),
                program.currency,
                sale,
                commission,
                record["sub_id"],
                record,
            )
        )
    return tuple(out)


def payments(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The payments behind paid conversions, oldest first."""
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["payment"] is not None:
            grouped[row["payment"]["id"]].append(row)
    out = []
    for pay_id, paid in grouped.items():
        total = sum((Decimal(r["commission_total"]) for r in paid), Decimal("0.00"))
        out.append(
            {
                "id": pay_id,
                "created": paid[0]["payment"]["created"],
                "commission_total": f"{total:.2f}",
                "currency": paid[0]["currency"],
                "total_conversions": len(paid),
                "shop": {"name": paid[0]["shop"]["name"]},
            }
        )
    return sorted(out, key=lambda p: (int(p["created"]), p["id"]))
