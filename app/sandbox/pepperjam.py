"""Pepperjam (Ascend by Partnerize) publisher API, version 20120402 (fact sheet:
shared/networks/pepperjam.md): `GET /20120402/publisher/report/transaction-details`,
`GET /20120402/publisher/advertiser` and `GET /20120402/publisher/creative/generic`, each
with `apiKey` and `format=json` in the query.

The report takes `startDate` and `endDate` (`yyyy-mm-dd`, a time part ignored, the end
inclusive, US Eastern days, at most six months apart) and `page`; it sends the current
state of each transaction in a `{"meta", "data"}` envelope, 2,500 rows a page (here knob
`page_size`, 500 by default, as an integrator saw), `meta.pagination.next` linking the next
page with the key and format in it.
Rows carry no currency: the account reports in one currency (a connection option). A
reversed order stays in the report corrected to 0.00. The advertiser resource filters on a
comma list of `status` words. The generic creative resource gives each joined program's one
generic link (`code`, `https://www.pjtra.com/t/{token}`), filtered by `programId`; with
`sid` or `deepLink` the code carries them. A click on
`https://www.pjtra.com/t/{token}?url={destination}&sid={sub-id}` (or any Pepperjam click
host) is a sale of the program its token names, `sid` its sub-id. Failures are the HTTP
status with the same envelope (401 "Authentication error"); 1,500 calls a day per key,
and a spent day answers 429 with no `Retry-After` (the message says it is the daily limit).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute

from app.sandbox import clicks
from app.sandbox.base import Identity, NetworkSandbox, ParamError, bounds
from app.sandbox.data import DataSpec, Txn, account, stable_int, state
from app.sandbox.kit import QueryKey, json_body, next_link, page_count, page_slice, params
from app.sandbox.pepperjam_records import (
    advertisers,
    generic_creatives,
    read_creative_token,
    row,
)
from app.sandbox.registry import SandboxConnection

ID_RANGE = (800000, 899999)
VERSION = "/20120402"
TRANSACTIONS = f"{VERSION}/publisher/report/transaction-details"
ADVERTISERS = f"{VERSION}/publisher/advertiser"
GENERIC = f"{VERSION}/publisher/creative/generic"
CLICK_HOSTS = ("pjtra.com", "pntra.com", "pntrs.com", "pntrac.com", "gopjn.com", "pjatr.com")
FORMATS = ("json", "xml", "csv")


def _connection(nickname: str, username: str, key: str, currency: str) -> SandboxConnection:
    return SandboxConnection(
        nickname,
        {
            "username": username,
            "password": "demo-pj-password",
            "api_key": key,
            "currency": currency,
        },
        (username,),
        secret_key="api_key",
        transactions_path=TRANSACTIONS,
        options={"currency": currency},
        status_field="status",
    )


CONNECTIONS = (
    _connection("Pepperjam (deals blog)", "deals@example.com", "demo-pj-key-3f7a91c0", "USD"),
    _connection("Pepperjam (Canada site)", "canada@example.com", "demo-pj-key-b24e6d18", "CAD"),
)
# Each key belongs to one publisher login, whose account reports in one currency.
KEYS = {c.credentials["api_key"]: c for c in CONNECTIONS}


def publisher(key: str) -> tuple[str, str]:
    """The (login, currency) a key belongs to; an unknown key is another USD publisher."""
    if key in KEYS:
        return KEYS[key].credentials["username"], KEYS[key].options["currency"]
    return f"publisher-{stable_int('pepperjam-key', key) % 10**6}", "USD"


@lru_cache(maxsize=16)
def _all(login: str, epoch: int, spec: DataSpec, currency: str) -> tuple[Txn, ...]:
    return tuple(
        row(state(o, epoch), login, currency) for o in account("pepperjam", login, spec).orders
    )


def expected(
    login: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    currency: str = "USD",
) -> list[Txn]:
    """The report's rows with a transaction date in [start, end] (dates: whole US Eastern
    days, end inclusive; naive datetimes read in US Eastern time), oldest first."""
    lo, hi = bounds(start, end, "America/New_York")
    return [t for t in _all(login, epoch, spec, currency) if lo <= t.event_at < hi]


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    target = date(day.year + year, month + 1, 1)
    last = (date(target.year + (target.month == 12), target.month % 12 + 1, 1) - target).days
    return target.replace(day=min(day.day, last))


class PepperjamSandbox(NetworkSandbox):
    slug = "pepperjam"
    auth = QueryKey(
        "apiKey",
        missing="Authentication error: an apiKey is required",
        invalid="Authentication error: the apiKey is invalid or has expired",
    )
    rate_limits = {86400: 1500}
    retry_after = None  # no Retry-After is documented
    # Pepperjam pages at 2,500 rows (its overview; an integrator saw 500) and takes no page
    # size from the client; tests shrink it with the knob `page_size` to walk next links.
    page_size = 500

    def error(self, request: Request, status: int, message: str) -> Response:
        return json_body({"meta": {"status": {"code": status, "message": message}}}, status)

    def quota_exceeded(self, request: Request, window: int, wait: int) -> Response:
        limit = self.state.budgets(self.rate_limits).get(window, 1500)
        return self.error(request, 429, f"Daily request limit of {limit} requests exceeded")

    def envelope(self, request: Request, items: list[dict[str, Any]]) -> Response:
        size = self.knob("page_size")
        page = params.integer(request.query_params, "page", 1, minimum=1)
        pages = page_count(len(items), size)
        pagination: dict[str, Any] = {"total_results": len(items), "total_pages": pages}
        if page < pages:
            href = next_link(request, page=page + 1)
            pagination["next"] = {"rel": "next", "href": href, "description": "Next Page"}
        meta = {"status": {"code": 200, "message": "OK"}, "pagination": pagination}
        return json_body({"meta": meta, "data": list(page_slice(items, page, size))})

    @staticmethod
    def check_format(request: Request) -> None:
        fmt = params.required(request.query_params, "format", message="format is required")
        if fmt not in FORMATS:
            raise ParamError(f"Invalid format '{fmt}': use json, xml or csv")
        if fmt != "json":
            raise ParamError(f"format={fmt} is not served by the sandbox: use json")

    async def transactions(self, request: Request, who: Identity) -> Response:
        self.check_format(request)
        q = request.query_params
        days = []
        for name in ("startDate", "endDate"):
            raw = params.required(q, name, message=f"{name} is required (yyyy-mm-dd)")
            try:
                days.append(datetime.strptime(raw[:10], "%Y-%m-%d").date())
            except ValueError:
                raise ParamError(f"Invalid {name} '{raw}': use yyyy-mm-dd") from None
        start, end = days
        if end < start:
            raise ParamError("endDate must not be before startDate")
        if end >= add_months(start, 6):
            raise ParamError("The date range must not exceed 6 months")
        login, currency = publisher(who.credential)
        rows = expected(login, self.epoch, self.spec, start, end, currency=currency)
        return self.envelope(request, [t.record for t in rows])

    async def advertisers(self, request: Request, who: Identity) -> Response:
        self.check_format(request)
        wanted = {s.strip() for s in request.query_params.get("status", "").split(",") if s}
        login, _ = publisher(who.credential)
        found = advertisers(self.account(login))
        return self.envelope(request, [a for a in found if not wanted or a["status"] in wanted])

    async def generic(self, request: Request, who: Identity) -> Response:
        self.check_format(request)
        q = request.query_params
        wanted = {s.strip() for s in q.get("programId", "").split(",") if s.strip()}
        login, _ = publisher(who.credential)
        found = generic_creatives(self.account(login), login)
        found = [c for c in found if not wanted or str(c["program_id"]) in wanted]
        for creative in found:
            # `sid` and `deepLink` go on the link; a deep link only where the program takes one.
            extra = {"url": q.get("deepLink") if creative["allow_deep_link"] else None}
            extra = {k: v for k, v in {**extra, "sid": q.get("sid")}.items() if v}
            if extra:
                creative["code"] += "?" + urlencode(extra)
        return self.envelope(request, found)

    async def click(self, request: Request, host: str, path: str) -> Response:
        known = host.removeprefix("www.") in CLICK_HOSTS
        if not known or not path.startswith("t/"):
            return await super().click(request, host, path)
        named = read_creative_token(path.removeprefix("t/"))
        if named is None:
            return PlainTextResponse("unknown creative", status_code=404)
        login, program = named
        adv = self.account(login).advertiser(program)
        # A program without deep links sends every click to its home page.
        url = request.query_params.get("url") if adv is None or adv.deeplinks else None
        return clicks.record(self, login, program, request.query_params.get("sid"), url)

    def routes(self) -> list[BaseRoute]:
        return [
            self.api(TRANSACTIONS, self.transactions),
            self.api(ADVERTISERS, self.advertisers),
            self.api(GENERIC, self.generic),
        ]


def build_app() -> Any:
    return PepperjamSandbox().app()
