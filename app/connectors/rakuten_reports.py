"""Rakuten's Reporting API ("Advanced Reports"): the authoritative commission lines, kept
for the account's whole history, read from the publisher's saved custom report with the
reporting token in the query (shared/networks/rakuten.md; php-oara's LinkShare class reads
the same custom report by the same columns).

The report is CSV with a header row, one line per order item; a return or cancellation is
its own negative line. There is no status column: a line in the report is one Rakuten
has confirmed and will pay, less any negative line that follows it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from app.connectors.errors import RequestRejected
from app.connectors.http import RequestSpec
from app.connectors.mapping import Mapper
from app.ledger.records import TransactionRecord

HOST = "https://ran-reporting.rakutenmarketing.com"
# The report's name as its "Get API" address spells it, `+` for the " + " of its title.
DEFAULT_REPORT = "Individual-Item-Report-+-Transaction-ID-+-Currency"
DATE_TIME = ("%m/%d/%y %H:%M:%S",)


def report_path(credentials: Mapping[str, str]) -> str:
    name = (credentials.get("report_name") or DEFAULT_REPORT).strip().strip("/")
    if not name or "/" in name or "?" in name:
        raise RequestRejected(
            "rakuten", f"The report name {name[:60]!r} is not the name part of a report's address"
        )
    return f"/en/reports/{quote(name, safe='-_.~')}/filters"


def is_report(spec: RequestSpec) -> bool:
    return spec.url.startswith(HOST + "/en/reports/")


def report_request(credentials: Mapping[str, str], first: str, last: str) -> RequestSpec:
    """Lines with a transaction date from `first` to `last` (both YYYY-MM-DD, inclusive)."""
    return RequestSpec(
        "GET",
        HOST + report_path(credentials),
        {
            "start_date": first,
            "end_date": last,
            "include_summary": "N",
            "tz": "GMT",
            "date_type": "transaction",
        },
    )


def _moments(record: dict[str, Any]) -> Mapper:
    """The report's date and time columns joined: {"Transaction Date": "m/d/yy HH:MM:SS"}."""
    joined = {
        day: f"{record[day]} {record.get(clock) or '00:00:00'}"
        for day, clock in (
            ("Transaction Date", "Transaction Time"),
            ("Process Date", "Process Time"),
        )
        if record.get(day)
    }
    return Mapper("rakuten", joined)


def map_line(record: dict[str, Any]) -> TransactionRecord:
    m, when = Mapper("rakuten", record), _moments(record)
    sub_id = m.text("Member ID (U1)")
    commission = m.money("Total Commission", required=True, decimal_comma=False)
    assert commission is not None
    return TransactionRecord(
        external_id=m.required_text("Transaction ID"),
        # Confirmed by Rakuten once it is in the report; a return nets as its own line.
        status="approved",
        network_status="reported",
        event_at=when.required_time("Transaction Date", formats=DATE_TIME),
        validated_at=when.time("Process Date", formats=DATE_TIME),
        commission_amount=commission,
        sale_amount=m.money("Sales", decimal_comma=False),
        currency=m.currency("Currency"),
        order_id=m.text("Order ID"),
        click_ref=sub_id,
        sub_ids={"u1": sub_id} if sub_id else {},
        advertiser_id=m.text("MID"),
        advertiser_name=m.text("Advertiser Name"),
        product=m.text("Product Name") or m.text("SKU"),
        source_timezone="UTC",
        raw=record,
    )
