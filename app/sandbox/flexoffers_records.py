"""FlexOffers sale rows and advertisers as the sandbox serves them (shared/networks/
flexoffers.md): numbers as JSON numbers, times naive in US Eastern (knob `dates`: "offset"
adds the Eastern offset), amounts in US dollars, `isPaid`/`dtPaid` once paid, and (knob
`keys`: "pascal") the PascalCase spelling of some keys that section 0 reports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.sandbox.data import Account, OrderState, Txn, convert, stable_int

EASTERN = ZoneInfo("America/New_York")
PASCAL = {
    "legacyId": "FLX_SalesId",
    "programId": "ProgramId",
    "programName": "ProgramName",
    "modifiedDate": "ModifiedDate",
    "adjustmentType": "AdjustmentType",
    "subTracking": "SubTracking",
}


def local(moment: datetime, dates: str) -> str:
    """A moment as FlexOffers writes it: naive Eastern, or ISO with the Eastern offset."""
    eastern = moment.astimezone(EASTERN).replace(microsecond=0)
    return eastern.isoformat() if dates == "offset" else eastern.replace(tzinfo=None).isoformat()


def read_back(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=EASTERN)).astimezone(UTC)


def word(s: OrderState) -> str:
    if s.status == "pending":
        return "Pending"
    if s.status in ("approved", "paid"):
        return "Approved"
    key = s.order.key
    return "Non-Commissionable" if key % 7 == 0 else "Canceled" if key % 3 == 0 else "Cancelled"


def modified(s: OrderState) -> datetime:
    """The last change: posting, validation, then any later status or amount change."""
    return max(s.changed_at, s.validated_at or s.order.posted_at, s.order.posted_at)


def paid_at(s: OrderState) -> datetime:
    """When the order was paid: a later amendment does not move it."""
    o = s.order
    paid = o.change_time(o.paid_epoch) if o.paid_epoch and o.initial != "paid" else None
    return paid or o.validated_at or s.changed_at


def sale_row(s: OrderState, domain: int, name: str, dates: str, keys: str) -> Txn:
    o, adv = s.order, s.order.advertiser
    sale = convert(s.sale_amount, adv.currency, "USD")
    commission = convert(s.commission_amount, adv.currency, "USD")
    refs = [*o.click_refs, "", "", "", "", "", ""]
    paid = s.status == "paid"
    record: dict[str, Any] = {
        "legacyId": 80_000_000 + (domain % 1000) * 100_000 + o.seq,
        "programId": adv.id,
        "programName": adv.name,
        "clickDate": local(o.click_at, dates),
        "eventDate": local(o.event_at, dates),
        "postedDate": local(o.posted_at, dates),
        "modifiedDate": local(modified(s), dates),
        "adjustmentType": "Update Record" if s.changed_at > o.posted_at else "New Record",
        "orderNumber": o.order_id,
        "orderStatus": word(s),
        "merchantValue": float(sale),
        "saleAmount": float(sale),
        "commission": float(commission),
        "currency": "USD",
        "subTracking": refs[0],
        **{f"subId{n}": refs[n] for n in range(1, 6)},
        "domainId": domain,
        "domainName": name,
        "isPaid": paid,
        "dtPaid": local(paid_at(s), dates) if paid else None,
    }
    if keys == "pascal":
        record = {PASCAL.get(k, k): v for k, v in record.items()}
        record["TransactionKey"] = f"{domain}-{o.key:08x}-{o.seq}"
    ref = o.click_refs[0] if o.click_refs else None
    external = str(80_000_000 + (domain % 1000) * 100_000 + o.seq)
    event_at = read_back(local(o.event_at, dates))
    return Txn(
        external,
        s.status,
        word(s),
        event_at,
        o.order_id,
        str(adv.id),
        "USD",
        sale,
        commission,
        ref,
        record,
    )


# The domain's application status [I: the words of a client's tool schema].
APPLICATION = {"joined": "Approved", "pending": "Applied", "suspended": "Declined"}


def deeplink_url(adv_id: int, domain: int) -> str:
    """The advertiser's deep link base for one domain: a link id FlexOffers makes up
    (`foid`, ending in the advertiser id here) and `trid` = account.domain."""
    account = 1_500_000 + stable_int("flexoffers-account", domain) % 400_000
    return (
        f"https://track.flexlinkspro.com/g.ashx?foid=156074.{adv_id}&trid={account}.{domain}"
        "&foc=16&fot=9999&fos=6"
    )


def advertisers(
    account: Account, domain: int, application_status: str | None
) -> list[dict[str, Any]]:
    rows = []
    for adv in account.advertisers:
        applied = APPLICATION.get(adv.relationship, "NotApplied")
        if application_status and applied.lower() != application_status.lower():
            continue
        rows.append(
            {
                "id": adv.id,
                "name": adv.name,
                "domainUrl": f"https://{adv.domain}",
                "programStatus": "Approved",
                "applicationStatus": applied,
                "payout": f"{adv.rate * 100:.0f}% per sale",
                "country": adv.country,
                "allowsDeeplinking": adv.deeplinks,
                "deeplinkURL": deeplink_url(adv.id, domain) if adv.deeplinks else None,
                "sevenDayEpc": "0.42",
            }
        )
    return rows
