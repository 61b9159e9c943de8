"""AvantLink affiliate API (shared/networks/avantlink.md): `GET /api.php?module=...` with
`affiliate_id` and `auth_key` in the query, the same on classic.avantlink.com (US dollars)
and classic.avantlink.ca (Canadian dollars: an account belongs to one platform).

- `AffiliateReport`, `report_id=8` (Sales/Commissions Detail): `date_begin` / `date_end`
  (`YYYY-MM-DD HH:MM:SS` or a date, US Mountain time, both ends included), `website_id`
  and `merchant_id` (0: all), `output` csv (default) | tab | xml (`NewDataSet` of `Table1`,
  names with `_` for spaces and punctuation). The whole window in one body, no paging;
  times `MM-DD-YYYY HH:MM:SS` Mountain time; money as `$1,234.50` / `($12.50)`; a reversal
  or an amended item is a further negative line (`avantlink_records`).
- `AssociationFeed`: the merchants by `association_status` (active | pending | denied |
  none), csv or xml.
- Clicks: `https://www.avantlink.com/click.php?tt=cl&mi={merchant}&pw={website}&ctc=..&url=..`
  (or `www.avantlink.ca`) credits the affiliate whose website `pw` names with a sale of
  merchant `mi`, `ctc` its Custom Tracking Code.
- Failures answer one line of text at HTTP 200 (the wording is assumed: not documented);
  injected 429s and 5xx keep their status. Quotas per key and module, per day:
  AffiliateReport 1,000, AssociationFeed 500; a spent one answers text at 200.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.sandbox import clicks
from app.sandbox.avantlink_records import (
    ASSOCIATIONS,
    CLICK_HOSTS,
    COLUMNS,
    FEED_COLUMNS,
    FORMAT,
    ZONE,
    feed_row,
    lines,
    website,
    xml_name,
)
from app.sandbox.base import Identity, NetworkSandbox, ParamError, bounds, refused
from app.sandbox.data import DataSpec, Txn, account, stable_int, state
from app.sandbox.kit import csv_body, xml_body
from app.sandbox.registry import SandboxConnection

ID_RANGE = (600000, 699999)
PATH = "/api.php"
QUOTAS = {"AffiliateReport": 1000, "AssociationFeed": 500}
DATES = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def api_key(name: str) -> str:
    return f"{stable_int('avantlink-key', name):016x}{stable_int('avantlink-key2', name):016x}"


def _connection(nickname: str, affiliate: str, key: str, region: str) -> SandboxConnection:
    credentials = {"affiliate_id": affiliate, "api_key": key}
    if region != "us":
        credentials["region"] = region
    return SandboxConnection(
        nickname,
        credentials,
        (affiliate,),
        secret_key="api_key",
        transactions_path=PATH,
        options={"currency": "CAD" if region == "ca" else "USD"},
        status_field="Commission Status",
        money_field="Total Commission",
        order_field="Order Id",
    )


CONNECTIONS = (
    _connection("AvantLink (trail blog)", "148302", api_key("trail"), "us"),
    _connection("AvantLink Canada (paddling site)", "150917", api_key("canada"), "ca"),
)
# An affiliate account lives on one platform, in its currency (unknown accounts: the US).
CURRENCIES = {c.accounts[0]: c.options["currency"] for c in CONNECTIONS}


@lru_cache(maxsize=16)
def _all(affiliate: str, epoch: int, spec: DataSpec, currency: str) -> tuple[Txn, ...]:
    out = []
    for o in account("avantlink", affiliate, spec).orders:
        s = state(o, epoch)
        for r in lines(s, affiliate, currency):
            local = datetime.strptime(r["Transaction Date"], FORMAT)
            out.append(
                Txn(
                    r["AvantLink Transaction Id"],
                    s.status,
                    r["Commission Status"],
                    local.replace(tzinfo=ZONE, fold=0).astimezone(UTC),
                    o.order_id,
                    str(o.advertiser.id),
                    currency,
                    _amount(r["Transaction Amount"]),
                    _amount(r["Total Commission"]),
                    r["Custom Tracking Code"] or None,
                    r,
                )
            )
    return tuple(sorted(out, key=lambda t: t.event_at))


def _amount(text: str) -> Decimal:
    value = Decimal(text.strip("()$").replace(",", ""))
    return -value if text.startswith("(") else value


def expected(
    affiliate: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    currency: str = "USD",
    website_id: str | None = None,
    merchant_id: str | None = None,
) -> list[Txn]:
    """Report 8's lines with a Transaction Date in [start, end] (dates: whole days in
    Mountain time; naive datetimes read there, end excluded)."""
    lo, hi = bounds(start, end, "America/Denver")
    return [
        t
        for t in _all(affiliate, epoch, spec, currency)
        if lo <= t.event_at < hi
        and website_id in (None, "", "0", t.record["Website Id"])
        and merchant_id in (None, "", "0", t.advertiser_id)
    ]


def _moment(request: Request, name: str) -> datetime:
    value = request.query_params.get(name, "").strip()
    if not value:
        raise ParamError(f"Missing required parameter: {name}")
    for fmt in DATES:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ParamError(f"Invalid {name} '{value}': use YYYY-MM-DD HH:MM:SS")


class AvantLinkSandbox(NetworkSandbox):
    slug = "avantlink"
    rate_limits = {86400: QUOTAS["AffiliateReport"]}  # counted per module in `spend`

    def error(self, request: Request, status: int, message: str) -> Response:
        code = status if status == 429 or status >= 500 else 200
        return Response(f"{message}\n", code, media_type="text/html; charset=UTF-8")

    async def authenticate(self, request: Request) -> Identity | Response:
        q = request.query_params
        affiliate, key = q.get("affiliate_id", "").strip(), q.get("auth_key", "").strip()
        if not affiliate.isdigit():
            return self.error(request, 401, "Missing or invalid affiliate_id")
        if refused(key):
            return self.error(request, 401, f"Invalid auth_key for affiliate_id {affiliate}")
        return Identity(key, details={"affiliate": affiliate})

    def spend(self, request: Request, who: Identity, module: str) -> Response | None:
        """Count one call against the module's daily quota, or refuse it."""
        declared = self.rate_limits if module == "AffiliateReport" else {86400: QUOTAS[module]}
        budgets = self.state.budgets(declared)
        spent = self.state.limiter.check(f"{who.credential}|{module}", budgets)
        if spent is None:
            return None
        if spent[0] < 3600:
            return self.throttled(request)
        return self.error(request, 200, f"API request limit exceeded for module {module}")

    async def call(self, request: Request, who: Identity) -> Response:
        module = request.query_params.get("module", "")
        if module not in QUOTAS:
            raise ParamError(f"Invalid module: {module}")
        if (refusal := self.spend(request, who, module)) is not None:
            return refusal
        if module == "AffiliateReport":
            return self.report(request, who.details["affiliate"])
        return self.feed(request, who.details["affiliate"])

    def report(self, request: Request, affiliate: str) -> Response:
        q = request.query_params
        if q.get("report_id") != "8":
            raise ParamError(f"Invalid report_id: {q.get('report_id')}")
        begin, end = _moment(request, "date_begin"), _moment(request, "date_end")
        if len(q.get("date_end", "")) == 10:
            end = end.replace(hour=23, minute=59, second=59)
        site = q.get("website_id", "0") or "0"
        if site not in ("0", *(str(website(affiliate, n)[0]) for n in (0, 1))):
            raise ParamError(f"Invalid website_id {site} for this affiliate")
        lo, hi = (m.replace(tzinfo=ZONE, fold=0).astimezone(UTC) for m in (begin, end))
        rows = [
            t.record
            for t in expected(
                affiliate,
                self.epoch,
                self.spec,
                currency=CURRENCIES.get(affiliate, "USD"),
                website_id=site,
                merchant_id=q.get("merchant_id"),
            )
            if lo <= t.event_at <= hi
        ]
        return self.render(request, rows, COLUMNS)

    def feed(self, request: Request, affiliate: str) -> Response:
        wanted = request.query_params.get("association_status", "")
        host = CLICK_HOSTS[CURRENCIES.get(affiliate, "USD")]
        rows = [
            feed_row(adv, ASSOCIATIONS.get(adv.relationship, "none"), affiliate, host)
            for adv in self.account(affiliate).advertisers
        ]
        return self.render(
            request, [r for r in rows if wanted in ("", r["Association Status"])], FEED_COLUMNS
        )

    def render(self, request: Request, rows: list[dict[str, Any]], columns: Any) -> Response:
        output = request.query_params.get("output", "csv")
        if output == "xml":
            named = [{xml_name(k): v for k, v in r.items()} for r in rows]
            return xml_body("NewDataSet", named, "Table1", media_type="text/xml")
        if output in ("csv", "tab"):
            return csv_body(rows, columns, "\t" if output == "tab" else ",")
        raise ParamError(f"Invalid output: {output}")

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host not in CLICK_HOSTS.values() or path != "click.php":
            return await super().click(request, host, path)
        q = request.query_params
        site = q.get("pw", "")
        # A click names a website, not an affiliate: the sandbox's affiliates are its
        # connections', whose websites it knows.
        affiliate = next(
            (a for a in CURRENCIES for n in (0, 1) if str(website(a, n)[0]) == site), None
        )
        if affiliate is None:
            return Response(f"unknown website {site!r}", 404, media_type="text/plain")
        return clicks.record(self, affiliate, q.get("mi"), q.get("ctc"), q.get("url"))

    def routes(self) -> list[BaseRoute]:
        return [self.api(PATH, self.call, rate_limited=False)]


def build_app() -> Any:
    return AvantLinkSandbox().app()
