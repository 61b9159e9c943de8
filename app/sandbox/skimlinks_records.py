"""Skimlinks commission records and merchants from the neutral orders, in the shape of the
recorded 2024 commission (shared/networks/fixtures/skimlinks/): keys in that order, ids as
integers (`aggregation_id` a string), amounts as JSON numbers converted to the publisher's
currency through floats, noise and all.

A merchant (program) id is the neutral advertiser id; the brand behind it has an
advertiser id of its own. Declines cancel the commission and keep its amounts; an amended
order is edited in place, except at merchants that post a return as a negative line of its
own on the day of the return (`negative_lines`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.sandbox.data import (
    USD_RATES,
    Advertiser,
    Item,
    OrderState,
    Txn,
    money,
    stable_int,
    state,
)

FORMAT = "%Y-%m-%d %H:%M:%S"


def brand_id(adv: Advertiser) -> int:
    return 20000 + stable_int("skimlinks-advertiser", adv.name) % 60000


def negative_lines(adv: Advertiser) -> bool:
    """Merchants (about a third) that post returns as negative lines."""
    return adv.index % 3 == 0


def _converted(amount: Decimal, source: str, target: str) -> float:
    """Daily-rate conversion as Skimlinks does it: in floats (`248.71766639999998`)."""
    return float(amount) * (float(USD_RATES[source]) / float(USD_RATES[target]))


def _sum(items: tuple[Item, ...], attr: str) -> Decimal:
    return sum((getattr(i, attr) for i in items), Decimal("0.00"))


def _updated(s: OrderState) -> datetime:
    """When the commission last changed as Skimlinks shows it: an approval is invisible
    (active and unpaid before and after), a decline, an edit or a payment is not."""
    o = s.order
    times = [o.posted_at, s.amended_at]
    if o.initial in ("declined", "paid") or (s.status == "declined" and o.initial != "declined"):
        times.append(s.validated_at)
    if s.status == "paid" and o.initial != "paid" and o.paid_epoch:
        times.append(o.change_time(o.paid_epoch))
    return max(t for t in times if t is not None)


def _row(
    s: OrderState, pid: int, site: int, currency: str, n: int, sale: Decimal, comm: Decimal
) -> Txn:
    """Line `n` of an order (0: the commission; 1: a negative line for a return)."""
    o, adv = s.order, s.order.advertiser
    order_amount = _converted(sale, adv.currency, currency)
    publisher_amount = _converted(comm, adv.currency, currency)
    adjustment = s.adjustments[-1] if n else None
    at = adjustment.at if adjustment else o.event_at
    updated = _updated(s) if n == 0 else at
    status = "cancelled" if s.status == "declined" and n == 0 else "active"
    payment = "paid" if s.status == "paid" else "unpaid"
    commission_id = 380_000_000 + (pid % 1000) * 100_000 + o.seq * 2 + n
    custom = o.click_refs[0] if o.click_refs else None
    record: dict[str, Any] = {
        "click_details": {
            "clicked_url": f"https://{adv.domain}/p/{o.items[0].sku}?skimoffer={o.key % 10**6}",
            "custom_id": custom,
            "date": o.click_at.strftime(FORMAT),
            "normalized_page_referrer": None,
            "normalized_page_url": f"site-{site}.example",
            "page_url": f"https://site-{site}.example/post-{o.key % 500}",
            "platform": "Web",
            "user_agent": "",
            "user_country": o.country,
        },
        "commission_id": commission_id,
        "merchant_details": {
            "advertiser_id": brand_id(adv),
            "advertiser_name": adv.name.replace("&", "and"),
            "id": adv.id,
            "merchant_id": adv.id,
            "merchant_name": adv.name,
            "name": adv.name,
        },
        "publisher_domain_id": site,
        "publisher_id": pid,
        "transaction_details": {
            "aggregation_id": str(3_000_000_000 + stable_int("skimlinks-agg", pid, o.seq) % 10**9),
            "basket": {
                "commission_type": "CPA",
                "currency": currency,
                "items": sum(i.quantity for i in o.items),
                "order_amount": order_amount,
                "publisher_amount": publisher_amount,
            },
            # Paid commissions do not always carry their invoice.
            "invoice_id": 7_000_000 + o.seq if payment == "paid" and o.key % 3 else None,
            "last_updated": updated.strftime(FORMAT),
            "payment_status": payment,
            "status": status,
            "transaction_date": at.strftime(FORMAT),
        },
    }
    # What a faithful connector reads: the text of each float, rounded to the cent.
    sale_out, comm_out = (money(Decimal(repr(v))) for v in (order_amount, publisher_amount))
    word = f"{status}/{payment}"
    # An active commission is pending until Skimlinks pays it; a cancelled one declined.
    ours = "declined" if status == "cancelled" else "paid" if payment == "paid" else "pending"
    when = datetime.strptime(record["transaction_details"]["transaction_date"], FORMAT)
    return Txn(
        str(commission_id),
        ours,
        word,
        when.replace(tzinfo=at.tzinfo),
        None,  # the report exposes no order id
        str(adv.id),
        currency,
        sale_out,
        comm_out,
        custom,
        record,
    )


def lines(s: OrderState, epoch: int, pid: int, site: int, currency: str) -> list[Txn]:
    """The order's commission, and its negative line where the merchant posts returns so."""
    if not negative_lines(s.order.advertiser):
        return [_row(s, pid, site, currency, 0, s.sale_amount, s.commission_amount)]
    # The commission itself is never edited for the return: it changes as if none happened.
    kept = state(replace(s.order, amend_epoch=None), epoch)
    out = [_row(kept, pid, site, currency, 0, kept.sale_amount, kept.commission_amount)]
    if any(adj.kind == "amend" for adj in s.adjustments):
        before, after = s.order.items, s.items
        sale = _sum(after, "sale") - _sum(before, "sale")
        comm = _sum(after, "commission") - _sum(before, "commission")
        if comm or sale:
            out.append(_row(s, pid, site, currency, 1, sale, comm))
    return out


# The shop tests link to when they name no merchant: one merchant sells there as well.
HOUSE_DOMAIN = "example.com"


def domains_of(adv: Advertiser, house: bool) -> list[str]:
    return [adv.domain, HOUSE_DOMAIN] if house else [adv.domain]


def _rate(adv: Advertiser, bound: str, currency: str) -> dict[str, Any]:
    """A Rate object: a percentage (percent points), or a flat amount per lead."""
    if adv.index % 4 == 3:
        amount = float(adv.rate * 40) * (2 if bound == "maximum" else 1)
        return {
            "aggregation_type": bound,
            "rate_type": "flat_rate",
            "base_rate": amount,
            "increased_rate": None,
            "currency": currency,
            "payout_type": "cpl",
        }
    percent = float(adv.rate * 100) * (1.5 if bound == "maximum" else 1)
    return {
        "aggregation_type": bound,
        "rate_type": "percentage",
        "base_rate": percent,
        "increased_rate": None,
        "currency": None,
        "payout_type": "cpa",
    }


def merchant(adv: Advertiser, currency: str, house: bool = False) -> dict[str, Any]:
    """A Merchant API v4 merchant: the brand (`id` = `advertiser_id`) and its program ids."""
    return {
        "id": brand_id(adv),
        "advertiser_id": brand_id(adv),
        "merchant_ids": [str(adv.id)],
        "name": adv.name,
        "favourite": False,
        "partner_type": ("standard", "preferred", "vip")[adv.index % 3],
        "domains": domains_of(adv, house),
        "countries": [adv.country.lower()],
        "verticals": ["Shopping"],
        "calculated_commission_rate": float(adv.rate) * 0.75,
        "calculated_ecpc": round(float(adv.rate) * 2.31, 5),
        "minimum_rate": _rate(adv, "minimum", currency),
        "maximum_rate": _rate(adv, "maximum", currency),
        "metadata": {
            "logo": f"https://static.example/merchant_logos/{adv.id}.png",
            "description": f"{adv.name} ({adv.domain}); commissions paid in {currency}.",
        },
    }
