"""FlexOffers publisher API (shared/networks/flexoffers.md) on `api.flexoffers.com`: the key
in the `apiKey` header (one key per domain), `GET /domains`, `GET /allsales` and
`GET /advertisers`; errors as `{"message": ...}` (401 for a refused key [I]).

`/allsales` takes `startDate` (required; `MM/DD/YYYY`, or ISO with an offset or `Z`),
`endDate` (default today), `status` (`all` or one status; knob `all_maintenance` answers
`status=all` with the known 400 "All status is currently under maintenance"), `reportType`,
`dateType` (eventDate, postedDate, clickDate, modifiedDate), `sortOrder`, `page` and
`pageSize` (1-500); an empty page is HTTP 204 with no body. `/advertisers` pages with
`Page` and `pageSize` of 10, 50 or 100, each advertiser with the domain's
`applicationStatus` and, where it allows deep links, a `deeplinkURL` for the domain. A
click on `https://track.flexlinkspro.com/g.ashx?foid=..&trid={account}.{domain}&..&URL=..
&fobs=..` credits the domain with a sale reporting `fobs` as `subTracking`. No call limit
is documented: none is imposed.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.sandbox import clicks
from app.sandbox.base import Identity, NetworkSandbox, ParamError, bounds
from app.sandbox.data import DataSpec, Txn, account, stable_int, state
from app.sandbox.flexoffers_records import EASTERN, advertisers, sale_row
from app.sandbox.kit import HeaderKey, json_body, page_slice, params
from app.sandbox.registry import SandboxConnection

ID_RANGE = (700000, 799999)
ZONE = "America/New_York"
DATE_TYPES = ("eventDate", "postedDate", "clickDate", "modifiedDate")
STATUSES = ("all", "pending", "approved", "cancelled", "bonus", "non-commissionable")
MAINTENANCE = "All status is currently under maintenance. Please query each status separately."


def domain_id(api_key: str) -> int:
    return 100 + stable_int("flexoffers-domain", api_key) % 400000


NAMES = {
    "demo-flexoffers-key-7a31c0": "example-blog.com",
    "demo-flexoffers-key-d4e962": "coupon-corner.net",
}


def domain_name(api_key: str) -> str:
    return NAMES.get(api_key) or f"site{domain_id(api_key)}.example"


def _connection(nickname: str, key: str) -> SandboxConnection:
    name, number = domain_name(key), str(domain_id(key))
    return SandboxConnection(
        nickname,
        {"domain_id": number, "domain_name": name, "domain_url": f"https://{name}", "api_key": key},
        (number,),
        secret_key="api_key",
        transactions_path="/allsales",
        options={"domain_name": name},
        status_field="orderStatus",
        order_field="orderNumber",
    )


CONNECTIONS = (
    _connection("FlexOffers example-blog.com", "demo-flexoffers-key-7a31c0"),
    _connection("FlexOffers coupon-corner.net", "demo-flexoffers-key-d4e962"),
)


def _when(t: Txn, date_type: str) -> datetime:
    record = t.record
    text = record.get(date_type) or record[date_type[0].upper() + date_type[1:]]
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=EASTERN)


@lru_cache(maxsize=16)
def _all(
    domain: str, epoch: int, spec: DataSpec, name: str, dates: str, keys: str
) -> tuple[Txn, ...]:
    orders = account("flexoffers", domain, spec).orders
    return tuple(sale_row(state(o, epoch), int(domain), name, dates, keys) for o in orders)


def expected(
    domain: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    domain_name: str = "",
    date_type: str = "eventDate",
    dates: str = "naive",
    keys: str = "camel",
) -> list[Txn]:
    """The domain's sales with `date_type` in [start, end) (dates: whole Eastern days),
    oldest event first."""
    lo, hi = bounds(start, end, ZONE)
    rows = _all(domain, epoch, spec, domain_name or f"site{domain}.example", dates, keys)
    return [t for t in rows if lo <= _when(t, date_type) < hi]


def _moment(value: str, name: str) -> date | datetime:
    try:
        return datetime.strptime(value, "%m/%d/%Y").date()
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        raise ParamError(f"The value '{value}' is not valid for {name}.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=EASTERN)


class FlexOffersSandbox(NetworkSandbox):
    slug = "flexoffers"
    auth = HeaderKey("apiKey", status=401, missing="API key is missing", invalid="Invalid API Key")
    retry_after = None  # the production client waits 30 s: no Retry-After is known
    extra_knobs = {"all_maintenance": False, "dates": "naive", "keys": "camel"}

    def error(self, request: Request, status: int, message: str) -> Response:
        return json_body({"message": message}, status)

    def _domain(self, who: Identity) -> tuple[str, str]:
        return str(domain_id(who.credential)), domain_name(who.credential)

    async def domains(self, request: Request, who: Identity) -> Response:
        number, name = self._domain(who)
        return json_body([{"domainId": int(number), "domainName": name, "url": f"https://{name}"}])

    async def sales(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        start = _moment(
            params.required(q, "startDate", message="startDate is required."), "startDate"
        )
        end: date | datetime = (
            _moment(q["endDate"], "endDate") if q.get("endDate") else self.spec.today
        )
        status = params.choice(q, "status", STATUSES, "all")
        if status == "all" and self.knob("all_maintenance"):
            raise ParamError(MAINTENANCE)
        params.choice(q, "reportType", ("sales", "details"), "sales")
        date_type = params.choice(q, "dateType", DATE_TYPES, "eventDate")
        order = params.choice(q, "sortOrder", ("ASC", "DESC"), "ASC")
        page = params.integer(q, "page", 1, minimum=1)
        size = params.page_size(
            q, "pageSize", 50, 500, message="pageSize must be between 1 and 500."
        )
        number, name = self._domain(who)
        rows = expected(
            number,
            self.epoch,
            self.spec,
            start,
            end,
            domain_name=name,
            date_type=date_type,
            dates=self.knob("dates"),
            keys=self.knob("keys"),
        )
        if status != "all":
            rows = [t for t in rows if _matches(t.network_status or "", status)]
        if order == "DESC":
            rows = rows[::-1]
        chunk = page_slice(rows, page, size)
        if not chunk:
            return Response(status_code=204)
        body = {
            "results": [t.record for t in chunk],
            "totalCount": len(rows),
            "pageSize": size,
            "page": page,
        }
        return json_body(body)

    async def programs(self, request: Request, who: Identity) -> Response:
        q = {k.lower(): v for k, v in request.query_params.items()}
        size = params.integer(q, "pagesize", 50)
        if size not in (10, 50, 100):
            raise ParamError("pageSize must be one of 10, 50, 100.")
        page = params.integer(q, "page", 1, minimum=1)
        domain = self._domain(who)[0]
        rows = advertisers(self.account(domain), int(domain), q.get("applicationstatus"))
        chunk = page_slice(rows, page, size)
        if not chunk:
            return Response(status_code=204)
        return json_body({"results": list(chunk), "totalCount": len(rows), "pageSize": size})

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "track.flexlinkspro.com" or path.lower() != "g.ashx":
            return await super().click(request, host, path)
        # ASP.NET reads query names in any case: `URL` or `url`.
        q = {k.lower(): v for k, v in request.query_params.items()}
        domain = q.get("trid", "").partition(".")[2]
        advertiser = q.get("foid", "").rpartition(".")[2]
        return clicks.record(self, domain, advertiser, q.get("fobs"), q.get("url"))

    def routes(self) -> list[BaseRoute]:
        return [
            self.api("/domains", self.domains),
            self.api("/allsales", self.sales),
            self.api("/advertisers", self.programs),
        ]


def _matches(word: str, status: str) -> bool:
    return word.lower().replace("canceled", "cancelled") == status


def build_app() -> Any:
    return FlexOffersSandbox().app()
