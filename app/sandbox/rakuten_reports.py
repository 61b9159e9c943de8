"""Rakuten's Reporting API ("Advanced Reports", shared/networks/rakuten.md):
`GET /en/reports/{report}/filters?start_date=&end_date=&include_summary=N&tz=GMT&
date_type=transaction|process&token=...` on `ran-reporting.rakutenmarketing.com`.

The report is the publisher's saved custom report: the Individual Item Report with the
columns Transaction ID, Currency, Member ID (U1), Process Date and Process Time added.
Its body is CSV with a UTF-8 BOM and a header row, dates `m/d/yy` and times `HH:MM:SS` in
GMT, amounts with thousands separators, returns as negative lines; no paging (the whole
range in one body), no status column. Failures are JSON: 403 `Access Denied` for a bad
token, 400 for an unknown report, a bad date type or an inverted range.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from app.sandbox.base import Identity, refused
from app.sandbox.data import Txn

if TYPE_CHECKING:
    from app.sandbox.rakuten import RakutenSandbox

HOST = "https://ran-reporting.rakutenmarketing.com"
REPORT = "Individual-Item-Report-+-Transaction-ID-+-Currency"
COLUMNS = (
    "Order ID",
    "Transaction Date",
    "Transaction Time",
    "MID",
    "Advertiser Name",
    "SKU",
    "Product Name",
    "Sales",
    "# of Items",
    "Total Commission",
    "Transaction ID",
    "Currency",
    "Member ID (U1)",
    "Process Date",
    "Process Time",
)


def report_token(sid: str) -> str:
    """The sandbox's reporting token of a site (real ones are opaque base64 blobs)."""
    return f"ZW5jcnlwdGVk-demo-report-{sid}"


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def report_row(txn: Txn, processed: datetime, advertiser_name: str) -> Txn:
    """An Events line as the report shows it: same transaction id, strings throughout."""
    e = txn.record
    record = {
        "Order ID": e["order_id"],
        "Transaction Date": f"{txn.event_at:%m/%d/%y}",
        "Transaction Time": f"{txn.event_at:%H:%M:%S}",
        "MID": str(e["advertiser_id"]),
        "Advertiser Name": advertiser_name,
        "SKU": e["sku_number"],
        "Product Name": e["product_name"],
        "Sales": _amount(txn.sale_amount or Decimal(0)),
        "# of Items": str(e["quantity"]),
        "Total Commission": _amount(txn.commission_amount),
        "Transaction ID": e["etransaction_id"],
        "Currency": e["currency"],
        "Member ID (U1)": e["u1"],
        "Process Date": f"{processed:%m/%d/%y}",
        "Process Time": f"{processed:%H:%M:%S}",
    }
    return Txn(
        txn.external_id,
        txn.status,
        None,
        txn.event_at,
        txn.order_id,
        txn.advertiser_id,
        txn.currency,
        txn.sale_amount,
        txn.commission_amount,
        txn.click_ref,
        record,
    )


def render(rows: list[Txn]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.record[c] for c in COLUMNS])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def _failure(status: int, message: str) -> Response:
    return JSONResponse({"code": status, "message": message}, status_code=status)


class Reports:
    def __init__(self, network: RakutenSandbox) -> None:
        self.n = network

    async def authenticate(self, request: Request) -> Identity | Response:
        token = request.query_params.get("token", "")
        sid = token.rsplit("-", 1)[-1]
        if refused(token) or token != report_token(sid) or self.n.foreign(sid):
            return _failure(403, "Access Denied")
        return Identity(token, details={"sid": sid})

    async def report(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        if request.path_params["report"] != REPORT:
            return _failure(400, "Invalid report name.")
        date_type = q.get("date_type", "transaction")
        if date_type not in ("transaction", "process"):
            return _failure(400, "Invalid date type.")
        try:
            start = datetime.strptime(q["start_date"], "%Y-%m-%d").replace(tzinfo=UTC)
            end = datetime.strptime(q["end_date"], "%Y-%m-%d").replace(tzinfo=UTC)
        except (KeyError, ValueError):
            return JSONResponse({"errors": ["Invalid date range"]}, status_code=400)
        if end < start or q.get("tz", "GMT") != "GMT":
            return JSONResponse({"errors": ["Invalid date range"]}, status_code=400)
        rows = self.n.report_rows(who.details["sid"], start, end + timedelta(days=1), date_type)
        return Response(render(rows), media_type="text/csv; charset=utf-8")

    def routes(self) -> list[BaseRoute]:
        return [
            self.n.api(
                "/en/reports/{report:path}/filters", self.report, authenticate=self.authenticate
            )
        ]
