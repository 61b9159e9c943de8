"""Rakuten Advertising API gateway (fact sheet: shared/networks/rakuten.md): `POST /token`
(`rakuten_auth`), Events `GET /events/1.0/transactions`, partnerships, advertisers and deep
links (`rakuten_programs`), clicks on those links, and the Reporting API's saved report
(`rakuten_reports`, the same lines as CSV).

Events are one row per order item, UTC, in a bare JSON array with no status; returns and
cancellations arrive as extra negative rows on their process date. Paging is `page`
(1-based) and `limit` (default 100, at most 1000): a short page is the last. Gateway
failures use WSO2 API-manager fault bodies (`{"fault": {...}}` or `<ams:fault>`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.sandbox import clicks, rakuten_programs, rakuten_reports
from app.sandbox.base import Identity, NetworkSandbox, bounds, reason
from app.sandbox.data import USD_RATES, DataSpec, OrderState, Txn, account, convert, stable_int
from app.sandbox.data import state as order_state
from app.sandbox.rakuten_auth import Tokens
from app.sandbox.registry import SandboxConnection

FORMAT = "%Y-%m-%d %H:%M:%S"
DAY = timedelta(days=1)
WSO2 = {
    401: (900901, "Invalid Credentials"),
    403: (900910, "Access denied"),
    429: (900800, "Message throttled out"),
}
ID_RANGE = (10000, 99999)


def _connection(nickname: str, username: str, sid: str, reports: bool) -> SandboxConnection:
    credentials = {
        "username": username,
        "password": "demo-password",
        "sid": sid,
        "client_id": "demo-client",
        "client_secret": "demo-client-secret",
    }
    if reports:
        credentials["report_token"] = rakuten_reports.report_token(sid)
    return SandboxConnection(
        nickname,
        credentials,
        (sid,),
        secret_key="report_token" if reports else "password",
        transactions_path=(
            f"/en/reports/{rakuten_reports.REPORT}/filters"
            if reports
            else "/events/1.0/transactions"
        ),
        options={"source": "report" if reports else "events"},
        money_field="Total Commission" if reports else "commissions",
        order_field="Order ID" if reports else "order_id",
    )


# The first site reads the Reporting API's saved report, the second the Events API alone.
CONNECTIONS = (
    _connection("Rakuten", "demo-publisher", "3456789", reports=True),
    _connection("Rakuten (second site)", "demo-publisher", "3456790", reports=False),
)


def _render_time(moment: datetime, style: str) -> str:
    if style == "iso":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%a %b %d %Y %H:%M:%S GMT+0000 (UTC)")


def _rows(s: OrderState, sid: str, currency: str | None, style: str) -> list[tuple[datetime, Txn]]:
    o, adv = s.order, s.order.advertiser
    cur = currency or adv.currency
    realtime = o.key % 3 != 0
    next_night = (o.event_at + DAY).replace(hour=3, minute=0, second=0)
    first_process = o.posted_at if realtime else min(next_night, o.now - timedelta(seconds=1))

    def row(
        n: int,
        k: int,
        item_sale: Any,
        item_comm: Any,
        qty: int,
        name: str,
        sku: str,
        processed: datetime,
    ) -> tuple[datetime, Txn]:
        sale, comm = convert(item_sale, adv.currency, cur), convert(item_comm, adv.currency, cur)
        tx_id = f"{stable_int('rakuten-tx', sid, o.seq, n, k):016x}{k:04x}"
        u1 = o.click_refs[0] if o.click_refs else ""
        record: dict[str, Any] = {
            "etransaction_id": tx_id,
            "advertiser_id": adv.id,
            "sid": int(sid),
            "order_id": o.order_id,
            "offer_id": str(600000 + adv.id % 100000),
            "sku_number": sku,
            "sale_amount": float(sale),
            "quantity": qty,
            "commissions": float(comm),
            "process_date": _render_time(processed, style),
            "transaction_date": _render_time(o.event_at, style),
            "transaction_type": "realtime" if realtime else "batch",
            "product_name": name,
            "u1": u1,
            "currency": cur,
            "is_event": "N",
            "commission_list_id": str(1000 + adv.id % 9000),
        }
        # Rakuten deducts a return from what it pays: the negative line is approved money.
        status = "approved"
        return processed, Txn(
            tx_id,
            status,
            None,
            o.event_at,
            o.order_id,
            str(adv.id),
            cur,
            sale,
            comm,
            u1 or None,
            record,
        )

    out = [
        row(n, 0, i.sale, i.commission, i.quantity, i.name, i.sku, first_process)
        for n, i in enumerate(o.items)
    ]
    for k, adj in enumerate(s.adjustments, start=1):
        for n, old in enumerate(adj.before):
            new = adj.after[n] if adj.after else None
            if new == old:
                continue
            d_sale = (new.sale if new else 0) - old.sale
            d_comm = (new.commission if new else 0) - old.commission
            out.append(
                row(
                    n,
                    k,
                    d_sale,
                    d_comm,
                    -old.quantity if new is None else 0,
                    old.name,
                    old.sku,
                    adj.at,
                )
            )
    return out


@lru_cache(maxsize=16)
def _all(
    sid: str, epoch: int, spec: DataSpec, currency: str | None, style: str
) -> tuple[tuple[datetime, Txn], ...]:
    rows = [
        r
        for o in account("rakuten", sid, spec).orders
        for r in _rows(order_state(o, epoch), sid, currency, style)
    ]
    return tuple(sorted(rows, key=lambda r: (r[0], r[1].external_id)))


def events(
    sid: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    date_type: str = "transaction",
    currency: str | None = None,
    date_format: str = "js",
) -> list[Txn]:
    """Every Events row for a window by `transaction` or `process` date (dates: whole UTC
    days; datetimes: [start, end)), in the order the API pages through them."""
    lo, hi = bounds(start, end, "UTC")
    return [
        t
        for processed, t in _all(sid, epoch, spec, currency, date_format)
        if lo <= (processed if date_type == "process" else t.event_at) < hi
    ]


@lru_cache(maxsize=16)
def _report(sid: str, epoch: int, spec: DataSpec) -> tuple[tuple[datetime, Txn], ...]:
    names = {str(a.id): a.name for a in account("rakuten", sid, spec).advertisers}
    return tuple(
        (processed, rakuten_reports.report_row(t, processed, names[t.advertiser_id or ""]))
        for processed, t in _all(sid, epoch, spec, None, "js")
    )


def report(
    sid: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    by: str = "transaction",
) -> list[Txn]:
    """The saved report's lines for a window by `transaction` or `process` date (dates:
    whole GMT days), in the order the report lists them."""
    lo, hi = bounds(start, end, "UTC")
    rows = _report(sid, epoch, spec)
    return [t for processed, t in rows if lo <= (processed if by == "process" else t.event_at) < hi]


def expected(
    sid: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    source: str = "events",
    **options: Any,
) -> list[Txn]:
    """The lines a client reads from the saved `report` or the `events` API (`options`:
    `events`'s keywords, or the report's `by`)."""
    if source == "report":
        return report(sid, epoch, spec, start, end, **options)
    return events(sid, epoch, spec, start, end, **options)


class RakutenSandbox(NetworkSandbox):
    slug = "rakuten"
    rate_limit_per_minute = None
    retry_after = 1
    page_size = 100
    extra_knobs = {
        "token_ttl_seconds": 3600,
        "max_limit": 1000,
        "date_format": "js",
        "events_retention_days": None,
    }

    def __init__(self) -> None:
        super().__init__()
        self.tokens = Tokens(self)

    def error(self, request: Request, status: int, message: str) -> Response:
        if request.url.path == "/token":
            return JSONResponse(
                {"error": reason(status).lower().replace(" ", "_"), "error_description": message},
                status_code=status,
            )
        if request.url.path.startswith("/en/reports/"):
            return JSONResponse({"code": status, "message": message}, status_code=status)
        code, title = WSO2.get(status, (status, reason(status)))
        return self.fault(request, status, code, title, message)

    def fault(self, request: Request, status: int, code: int, title: str, text: str) -> Response:
        """A WSO2 API-manager fault: JSON, or `<ams:fault>` for XML clients and services."""
        xml = "xml" in request.headers.get("accept", "") or request.url.path.startswith(
            ("/linklocator", "/advertisersearch")
        )
        if not xml:
            return JSONResponse(
                {"fault": {"code": code, "message": title, "description": text}},
                status_code=status,
            )
        root = ET.Element("ams:fault", {"xmlns:ams": "http://wso2.org/apimanager/security"})
        for tag, value in (("code", str(code)), ("message", title), ("description", text)):
            ET.SubElement(root, f"ams:{tag}").text = value
        return Response(ET.tostring(root), status, media_type="application/xml")

    async def authenticate(self, request: Request) -> Identity | Response:
        grant = self.tokens.bearer(request)
        if grant == "missing":
            return self.fault(
                request,
                401,
                900902,
                "Missing Credentials",
                "Make sure your API invocation call has a header: "
                "'Authorization: Bearer ACCESS_TOKEN'",
            )
        if isinstance(grant, str):
            return self.error(
                request,
                401,
                "Access failure: Invalid Credentials. Make sure you have given "
                "the correct access token",
            )
        return Identity(
            f"{grant.username}@{grant.sid}", rate_key=grant.client_id, details={"sid": grant.sid}
        )

    async def transactions(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        filters: dict[str, datetime] = {}
        for name in (
            "process_date_start",
            "process_date_end",
            "transaction_date_start",
            "transaction_date_end",
        ):
            if name in q:
                try:
                    filters[name] = datetime.strptime(q[name], FORMAT).replace(tzinfo=UTC)
                except ValueError:
                    return JSONResponse(
                        {"errors": [f"Invalid {name}: use YYYY-MM-DD HH:MM:SS"]}, status_code=400
                    )
        currency, kind = q.get("currency"), q.get("type")
        if currency is not None and currency not in USD_RATES:
            return JSONResponse({"errors": [f"Invalid currency '{currency}'"]}, status_code=400)
        if kind not in (None, "realtime", "batch"):
            return JSONResponse({"errors": [f"Invalid type '{kind}'"]}, status_code=400)
        try:
            limit = int(q.get("limit", self.knob("page_size")))
            page = int(q.get("page", "1"))
        except ValueError:
            return JSONResponse({"errors": ["limit and page must be integers"]}, status_code=400)
        if not 1 <= limit <= self.knob("max_limit") or page < 1:
            return JSONResponse(
                {"errors": [f"limit must be 1..{self.knob('max_limit')}, page >= 1"]},
                status_code=400,
            )
        rows = _all(who.details["sid"], self.epoch, self.spec, currency, self.knob("date_format"))
        out = []
        keep = self.knob("events_retention_days")
        oldest = self.spec.now - DAY * keep if keep is not None else None
        for processed, txn in rows:
            if (oldest and processed < oldest) or (kind and txn.record["transaction_type"] != kind):
                continue
            if not (
                filters.get("process_date_start", processed)
                <= processed
                <= filters.get("process_date_end", processed)
            ):
                continue
            event = txn.event_at
            if not (
                filters.get("transaction_date_start", event)
                <= event
                <= filters.get("transaction_date_end", event)
            ):
                continue
            out.append(txn.record)
        if not q:
            return JSONResponse(out[-100:])
        return JSONResponse(out[(page - 1) * limit : page * limit])

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "click.linksynergy.com" or path != "deeplink":
            return await super().click(request, host, path)
        q = request.query_params
        sid = rakuten_programs.site_of(q.get("id", "")) or ""
        return clicks.record(self, sid, q.get("mid"), q.get("u1"), q.get("murl"))

    def report_rows(self, sid: str, start: datetime, end: datetime, by: str) -> list[Txn]:
        return report(sid, self.epoch, self.spec, start, end, by=by)

    async def expire_tokens(self, request: Request) -> Response:
        self.tokens.expire_all()
        return JSONResponse({"expired": True, "generation": self.tokens.generation})

    def control(self) -> list[BaseRoute]:
        return [Route("/_sandbox/expire_tokens", self.expire_tokens, methods=["POST"])]

    def routes(self) -> list[BaseRoute]:
        return [
            self.api(
                "/token",
                self.tokens.token,
                ("POST",),
                authenticate=self.tokens.authenticate_client,
                rate_limited=False,
            ),
            self.api("/events/1.0/transactions", self.transactions),
            *rakuten_programs.Programs(self).routes(),
            *rakuten_reports.Reports(self).routes(),
        ]


def build_app() -> Any:
    return RakutenSandbox().app()
