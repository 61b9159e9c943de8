"""AvantLink report lines and feed rows from the neutral orders: the Sales/Commissions
(Detail) report's columns (report 8), the AssociationFeed's, and the XML names of both."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.data import Advertiser, Item, OrderState, convert, money, stable_int

ZONE = ZoneInfo("America/Denver")
FORMAT = "%m-%d-%Y %H:%M:%S"
COLUMNS = (
    "Merchant",
    "Website",
    "Tool Name",
    "Campaign/Product Link",
    "Custom Tracking Code",
    "Order Id",
    "Transaction Amount",
    "Base Commission",
    "Incentive Commission",
    "Total Commission",
    "Transaction Type",
    "Transaction Date",
    "Last Click Through",
    "AvantLink Transaction Id",
    "Merchant Id",
    "Website Id",
    "Item Count",
    "New Customer",
    "Mobile Order",
    "Coupon Code",
    "Payment Id",
    "Commission Status",
    "Sub Affiliate Domain",
)
FEED_COLUMNS = (
    "Merchant Id",
    "Merchant Name",
    "Merchant Category Name",
    "Association Status",
    "Commission Action",
    "Commission Type",
    "Commission Rate",
    "Referral Days",
    "Reversal Days",
    "Date Joined",
    "Merchant URL",
    "Default Tracking URL",
)
# Our four statuses in the report's words [assumed: the values are not documented]; a paid
# line is "Approved" with a Payment Id.
WORDS = {"pending": "Pending", "approved": "Approved", "paid": "Approved", "declined": "Declined"}
REVERSALS = ("RETURN", "CANCELED", "CANCELLED", "FRAUD")
ASSOCIATIONS = {"joined": "active", "pending": "pending", "suspended": "denied"}
CLICK_HOSTS = {"USD": "www.avantlink.com", "CAD": "www.avantlink.ca"}
TOOLS = ("Custom Link", "Product Link", "Banner", "Text Link")


def xml_name(column: str) -> str:
    """`Campaign/Product Link` -> `Campaign_Product_Link`, as the XML output names it."""
    name = re.sub(r"[^A-Za-z0-9]", "_", column)
    return f"_{name}" if name[:1].isdigit() else name


def dollars(amount: Decimal) -> str:
    """`$1,234.50`, negatives in parentheses: `($12.50)`."""
    text = f"${abs(amount):,.2f}"
    return f"({text})" if amount < 0 else text


def local(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime(FORMAT)


def website(affiliate: str, key: int) -> tuple[int, str]:
    """One of the affiliate's two websites, by an order's key."""
    n = key % 2
    return 200000 + stable_int("avantlink-site", affiliate, n) % 100000, f"Site {n + 1} blog"


def _total(items: tuple[Item, ...], attr: str) -> Decimal:
    return sum((getattr(i, attr) for i in items), Decimal("0.00"))


def lines(s: OrderState, affiliate: str, currency: str) -> list[dict[str, Any]]:
    """The sale's line, then one line per change: a reversal (RETURN, CANCELED, FRAUD) for
    a decline, an ADJUSTMENT for an amended item; each with the negative difference,
    dated when it happened, carrying the order's commission status."""
    o = s.order
    out = [
        _line(s, affiliate, currency, 0, "SALE", o.event_at, s.original_sale, s.original_commission)
    ]
    for n, adj in enumerate(s.adjustments, start=1):
        kind = REVERSALS[o.key % len(REVERSALS)] if adj.kind == "decline" else "ADJUSTMENT"
        sale = _total(adj.after, "sale") - _total(adj.before, "sale")
        comm = _total(adj.after, "commission") - _total(adj.before, "commission")
        out.append(_line(s, affiliate, currency, n, kind, adj.at, sale, comm))
    return out


def _line(
    s: OrderState,
    affiliate: str,
    currency: str,
    n: int,
    kind: str,
    at: datetime,
    sale: Decimal,
    commission: Decimal,
) -> dict[str, Any]:
    o, adv = s.order, s.order.advertiser
    site_id, site = website(affiliate, o.key)
    total = convert(commission, adv.currency, currency)
    incentive = money(total * Decimal("0.2")) if o.key % 7 == 0 else Decimal("0.00")
    paid = s.status == "paid"
    return {
        "Merchant": adv.name,
        "Website": site,
        "Tool Name": TOOLS[o.key % len(TOOLS)],
        "Campaign/Product Link": o.items[0].name,
        "Custom Tracking Code": o.click_refs[0] if o.click_refs else "",
        "Order Id": o.order_id,
        "Transaction Amount": dollars(convert(sale, adv.currency, currency)),
        "Base Commission": dollars(total - incentive),
        "Incentive Commission": dollars(incentive),
        "Total Commission": dollars(total),
        "Transaction Type": kind,
        "Transaction Date": local(at),
        "Last Click Through": local(o.click_at),
        "AvantLink Transaction Id": str(
            400_000_000 + stable_int("avantlink-tx", affiliate) % 90_000_000 + o.seq * 10 + n
        ),
        "Merchant Id": str(adv.id),
        "Website Id": str(site_id),
        "Item Count": str(sum(i.quantity for i in o.items)),
        "New Customer": "Y" if any(i.group == "NEWCUSTOMER" for i in o.items) else "N",
        "Mobile Order": "Y" if o.device in ("iPhone", "Android Mobile") else "N",
        "Coupon Code": o.voucher or "",
        "Payment Id": str(80000 + stable_int("avantlink-pay", affiliate, o.seq) % 9000)
        if paid
        else "",
        "Commission Status": WORDS[s.status],
        "Sub Affiliate Domain": "",
    }


def feed_row(adv: Advertiser, word: str, affiliate: str, host: str) -> dict[str, Any]:
    """One merchant of the AssociationFeed; its Default Tracking URL credits the
    affiliate's first website [I: the feed's column, read by a public client; its `pw`]."""
    site = website(affiliate, 0)[0]
    return {
        "Merchant Id": str(adv.id),
        "Merchant Name": adv.name,
        "Merchant Category Name": "Outdoor",
        "Association Status": word,
        "Commission Action": "Sale",
        "Commission Type": "percent",
        "Commission Rate": f"{adv.rate * 100:.2f}%",
        "Referral Days": "30",
        "Reversal Days": "60",
        "Date Joined": "2024-01-15" if word == "active" else "",
        "Merchant URL": f"https://www.{adv.domain}",
        "Default Tracking URL": f"https://{host}/click.php?tt=cl&mi={adv.id}&pw={site}",
    }
