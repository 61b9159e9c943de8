"""Webgains publisher REST API, `platform-api.webgains.com` (shared/networks/webgains.md).

- Auth: `Authorization: Bearer <token>`, a personal API token (a JWT: three dot-separated
  parts) or an access token from `POST /oauth/token` (password grant, the OAuth client in
  the form body, `scope=*`). A missing or refused token answers 401 `{"message":
  "Unauthenticated."}`.
- `GET /publishers/{id}/campaigns`: the publisher's sites, `{"data": [{id, name}]}`.
- `GET /publishers/{id}/reports/transactions`: `filters[start_date]` and `filters[end_date]`
  in Unix seconds, both ends included, at most a year apart; `filters[campaign_ids][]`
  (none: every site of the publisher); `sort=date`, `sort_order` (DESC unless ASC); `page`
  (1-based) and `size` (default 15, quietly capped at 250): `{"data": [...], "pagination":
  {current_page, last_page, per_page, total}}`. Rows: `webgains_records`.
- `GET /publishers/{id}/program_memberships`: paged the same way.
- `GET /merchants/programs`: the directory, paged the same way, `filters[program_statuses][]`
  and `filters[program_name]` (a part of the name, any case); needs only the token.
- Clicks on `https://track.webgains.com/click.html?wgcampaignid=..&wgprogramid=..&clickref=..
  &wgtarget=..` make a sale of that site and program carrying the clickref.
- Another publisher's id answers 404; bad parameters 422 `{"message", "errors"}`; the
  budget (none documented; 60 a minute assumed) 429 "Too Many Attempts." with Retry-After.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.sandbox import clicks
from app.sandbox.base import Identity, NetworkSandbox, ParamError, refused
from app.sandbox.kit import json_body, page_count, page_slice, params
from app.sandbox.kit.oauth import OAuth2
from app.sandbox.registry import SandboxConnection
from app.sandbox.webgains_records import (
    between,
    directory,
    memberships,
    publisher_of,
    site_name,
    sites_of,
)
from app.sandbox.webgains_records import expected as expected

ID_RANGE = (52_000_000, 52_999_999)
TRANSACTIONS = "/publishers/{publisher_id}/reports/transactions"
MAX_PAGE, DEFAULT_PAGE = 250, 15
YEAR = timedelta(days=366)
TOKEN = (
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9."
    "eyJhdWQiOiIxIiwianRpIjoiZGVtby13ZWJnYWlucyIsInN1YiI6ImRlbW8ifQ."
    "c2FuZGJveC1zaWduYXR1cmUtbm90LXJlYWwtMDEyMzQ1Njc4OQ"
)
PUBLISHER = publisher_of(TOKEN)


def _connection(nickname: str, site: str) -> SandboxConnection:
    return SandboxConnection(
        nickname,
        {
            "username": "demo-publisher@example.com",
            "password": "demo-password",
            "network": "uk",
            "campaign_id": site,
            "publisher_id": PUBLISHER,
            "api_token": TOKEN,
        },
        (site,),
        secret_key="api_token",
        transactions_path="/reports/transactions",
        status_field="status",
        money_field="commission",
        order_field="order_reference",
    )


CONNECTIONS = tuple(
    _connection(name, site)
    for name, site in zip(("Webgains", "Webgains (second site)"), sites_of(PUBLISHER), strict=True)
)


def _unix(q: Any, name: str) -> datetime:
    seconds = params.integer(q, name, message=f"The {name} field must be an integer.")
    return datetime.fromtimestamp(seconds, UTC)


class WebgainsSandbox(NetworkSandbox):
    slug = "webgains"
    rate_limits = {60: 60}

    def __init__(self) -> None:
        super().__init__()
        self.oauth = OAuth2(self, path="/oauth/token", grants=("password",))

    def error(self, request: Request, status: int, message: str) -> Response:
        status = 422 if status == 400 else status  # parameters fail Laravel validation
        if status == 429:
            message = "Too Many Attempts."
        elif status >= 500:
            message = "Server Error"
        body: dict[str, Any] = {"message": message}
        if status == 422:
            body["errors"] = {"filters": [message]}
        return json_body(body, status)

    async def authenticate(self, request: Request) -> Identity | Response:
        grant = self.oauth.grant(request)
        if grant is not None:
            username = grant.details.get("username", "")
            return Identity(username, details={"publisher": publisher_of(username)})
        scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or refused(token) or token.count(".") != 2:
            return self.error(request, 401, "Unauthenticated.")
        return Identity(token, details={"publisher": publisher_of(token)})

    def publisher(self, request: Request, who: Identity) -> str:
        wanted = request.path_params["publisher_id"]
        if wanted != who.details["publisher"]:
            raise ParamError("Publisher not found.", 404)
        return wanted

    @staticmethod
    def paged(request: Request, rows: list[Any]) -> Response:
        q = request.query_params
        page = params.integer(q, "page", 1, minimum=1)
        size = min(params.integer(q, "size", DEFAULT_PAGE, minimum=1), MAX_PAGE)
        pagination = {
            "current_page": page,
            "last_page": page_count(len(rows), size),
            "per_page": size,
            "total": len(rows),
        }
        return json_body({"data": list(page_slice(rows, page, size)), "pagination": pagination})

    async def campaigns(self, request: Request, who: Identity) -> Response:
        sites = sites_of(self.publisher(request, who))
        return json_body({"data": [{"id": int(s), "name": site_name(s)} for s in sites]})

    async def transactions(self, request: Request, who: Identity) -> Response:
        sites = sites_of(self.publisher(request, who))
        q = request.query_params
        start, end = _unix(q, "filters[start_date]"), _unix(q, "filters[end_date]")
        if end < start:
            raise ParamError("The filters.end_date must be a date after filters.start_date.", 422)
        if end - start > YEAR:
            raise ParamError("The date range may not be longer than one year.", 422)
        wanted = q.getlist("filters[campaign_ids][]") or list(sites)
        for n, site in enumerate(wanted):
            if site not in sites:
                raise ParamError(f"The selected filters.campaign_ids.{n} is invalid.", 422)
        rows = between(wanted, self.epoch, self.spec, start, end + timedelta(seconds=1))
        if q.get("sort_order", "DESC").upper() != "ASC":
            rows.reverse()
        return self.paged(request, [t.record for t in rows])

    async def program_memberships(self, request: Request, who: Identity) -> Response:
        return self.paged(request, memberships(self.publisher(request, who), self.spec))

    async def programs(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        statuses = q.getlist("filters[program_statuses][]")
        name = (q.get("filters[program_name]") or "").lower()
        rows = [
            p
            for p in directory(who.details["publisher"], self.spec)
            if (not statuses or str(p["status"]) in statuses) and name in p["name"].lower()
        ]
        return self.paged(request, rows)

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "track.webgains.com" or path != "click.html":
            return await super().click(request, host, path)
        q = request.query_params
        site, program = q.get("wgcampaignid", ""), q.get("wgprogramid")
        return clicks.record(self, site, program, q.get("clickref"), q.get("wgtarget"))

    def routes(self) -> list[BaseRoute]:
        return [
            self.oauth.route(),
            self.api("/publishers/{publisher_id}/campaigns", self.campaigns),
            self.api(TRANSACTIONS, self.transactions),
            self.api("/publishers/{publisher_id}/program_memberships", self.program_memberships),
            self.api("/merchants/programs", self.programs),
        ]


def build_app() -> Any:
    return WebgainsSandbox().app()
