"""Tradedoubler Publisher Management API (shared/networks/tradedoubler.md) on
connect.tradedoubler.com: the token server (`tradedoubler_auth`), `GET /usermanagement/users/me`,
`GET /publisher/sources` (a bare array), `GET /publisher/programs?sourceId=&statusId=`,
`GET /publisher/report/transactions`, and clicks on
`https://clk.tradedoubler.com/click?p=&a=&epi=&url=` (`url` read to the end of the link).

The report takes `fromDate`/`toDate` as YYYYMMDD (local days in Europe/Stockholm, both
inclusive; with `lastModified=true` they apply to the last change), an optional `sourceId`
(one of the login's sources; none: all of them), `reportCurrencyCode`, and `offset`/`limit`
(default 20, at most 100); the envelope is `{limit, offset, reportCurrencyCode, items}` with
no total. 60 calls a minute per API client; a 429 says `API rate limit exceeded` in plain
text, without Retry-After. Other failures use Spring's error body. Knob `programs_wrapped`
serves the programs envelope inside an array, as the blueprint's example does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, unquote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute

from app.sandbox import clicks
from app.sandbox.base import Identity, NetworkSandbox, ParamError, bounds, reason
from app.sandbox.data import USD_RATES, DataSpec, Txn, account, state
from app.sandbox.kit import json_body, offset_slice, params
from app.sandbox.registry import SandboxConnection
from app.sandbox.tradedoubler_auth import TradedoublerOAuth
from app.sandbox.tradedoubler_records import program, read_back, sources, transaction

ID_RANGE = (100000, 199999)
# A click's parameters, then its destination: everything after `url=`.
_DEEP_LINK = re.compile(r"(.*?)(?:(?:^|&)url=(.*))?")
TRANSACTIONS = "/publisher/report/transactions"
ZONE = "Europe/Stockholm"
# Each login's account currency (unknown logins: EUR).
CURRENCIES = {"demo-publisher@example.com": "EUR", "demo-media-se@example.com": "SEK"}


def _connection(nickname: str, username: str, only: int | None = None) -> SandboxConnection:
    """A login's connection: every source, or only its `only`-th one (the form's field)."""
    ids = [str(s["id"]) for s in sources(username)]
    credentials = {
        "username": username,
        "password": "demo-password",
        "client_id": f"client-{username.split('@')[0]}",
        "client_secret": "demo-client-secret",
    }
    if only is not None:
        ids = [ids[only]]
        credentials["source_id"] = ids[0]
    return SandboxConnection(
        nickname,
        credentials,
        tuple(ids),
        secret_key="client_secret",
        transactions_path=TRANSACTIONS,
        options={"currency": CURRENCIES[username]},
        status_field="status",
        money_field="commission",
        order_field="orderNumber",
    )


CONNECTIONS = (
    _connection("Tradedoubler", "demo-publisher@example.com", None),
    _connection("Tradedoubler (one site)", "demo-media-se@example.com", only=1),
)


@lru_cache(maxsize=32)
def _all(source: str, epoch: int, spec: DataSpec, currency: str) -> tuple[Txn, ...]:
    name = f"Source {source}"
    orders = account("tradedoubler", source, spec).orders
    return tuple(transaction(state(o, epoch), source, name, currency) for o in orders)


def transactions(
    source: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    currency: str = "EUR",
    date_type: str = "transaction",
) -> list[Txn]:
    """The source's transactions in [start, end) (dates: whole Stockholm days) by time of
    transaction, or by last modification (`date_type="modified"`), in transaction-id order."""
    lo, hi = bounds(start, end, ZONE)
    rows = _all(source, epoch, spec, currency)
    if date_type == "modified":
        picked = [(read_back(t.record["timeOfLastModified"]), t) for t in rows]
        return [t for at, t in picked if at is not None and lo <= at < hi]
    return [t for t in rows if lo <= t.event_at < hi]


expected = transactions


class TradedoublerSandbox(NetworkSandbox):
    slug = "tradedoubler"
    rate_limits = {60: 60}
    retry_after = None  # Tradedoubler documents no Retry-After
    extra_knobs = {"programs_wrapped": False}

    def __init__(self) -> None:
        super().__init__()
        self.oauth = TradedoublerOAuth(self)
        self.auth = self.oauth

    def error(self, request: Request, status: int, message: str) -> Response:
        if status == 429:
            return PlainTextResponse("API rate limit exceeded", 429)
        if status == 401:
            return json_body({"error": "invalid_token", "error_description": message}, 401)
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        body = {"timestamp": now, "status": status, "error": reason(status), "message": message}
        return json_body({**body, "path": request.url.path}, status)

    def own_sources(self, who: Identity, wanted: str | None) -> list[str]:
        ids = [str(s["id"]) for s in sources(who.credential)]
        if wanted is None:
            return ids
        if wanted not in ids or self.foreign(wanted):
            raise ParamError(f"Source {wanted} does not belong to your organization", 403)
        return [wanted]

    @staticmethod
    def paging(request: Request) -> tuple[int, int]:
        q = request.query_params
        offset = params.integer(q, "offset", 0, minimum=0)
        return offset, params.integer(q, "limit", 20, minimum=1, maximum=100)

    async def me(self, request: Request, who: Identity) -> Response:
        person = 40000 + int(sources(who.credential)[0]["id"]) % 10000
        return json_body(
            {
                "logonAccountId": person + 1,
                "username": who.credential,
                "firstName": "Demo",
                "lastName": "Publisher",
                "email": who.credential,
                "roleId": 1,
                "organizationId": person + 2,
                "owningOrganizationId": person + 2,
                "languageId": "en",
                "countryAccess": [],
                "newsletter": False,
                "typeId": 1,
                "personId": person,
            }
        )

    async def list_sources(self, request: Request, who: Identity) -> Response:
        return json_body(sources(who.credential))

    async def programs(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        source = self.own_sources(who, params.required(q, "sourceId"))[0]
        wanted = {int(s) for s in q.get("statusId", "").split(",") if s.strip().isdigit()}
        rows = [program(a) for a in account(self.slug, source, self.spec).advertisers]
        rows = [r for r in rows if not wanted or r["statusId"] in wanted]
        offset, limit = self.paging(request)
        body = {"limit": limit, "offset": offset, "items": list(offset_slice(rows, offset, limit))}
        return json_body([body] if self.knob("programs_wrapped") else body)

    async def report(self, request: Request, who: Identity) -> Response:
        q = request.query_params
        start = params.day(q, "fromDate", "%Y%m%d")
        end = params.day(q, "toDate", "%Y%m%d")
        if end < start:
            raise ParamError("toDate must not be before fromDate")
        currency = q.get("reportCurrencyCode") or CURRENCIES.get(who.credential, "EUR")
        if currency not in USD_RATES:
            raise ParamError(f"Invalid reportCurrencyCode: {currency}")
        date_type = "modified" if q.get("lastModified") == "true" else "transaction"
        rows: list[Txn] = []
        for source in self.own_sources(who, q.get("sourceId") or None):
            rows += transactions(
                source, self.epoch, self.spec, start, end, currency=currency, date_type=date_type
            )
        if q.get("sortBy") == "transactionId":
            rows.sort(key=lambda t: int(t.external_id), reverse=q.get("sortOrder") == "desc")
        offset, limit = self.paging(request)
        items = [t.record for t in offset_slice(rows, offset, limit)]
        envelope = {"limit": limit, "offset": offset, "reportCurrencyCode": currency}
        return json_body({**envelope, "items": items})

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "clk.tradedoubler.com" or path != "click":
            return await super().click(request, host, path)
        # Everything after `url=` is the destination: a parameter after it would be read
        # as part of the address.
        parts = _DEEP_LINK.fullmatch(request.url.query)
        assert parts is not None  # every part of the pattern is optional
        head, target = parts.groups()
        q = {k: v[0] for k, v in parse_qs(head).items()}
        destination = unquote(target) if target else None
        return clicks.record(self, q.get("a", ""), q.get("p"), q.get("epi"), destination)

    def routes(self) -> list[BaseRoute]:
        return [
            self.oauth.route(),
            self.api("/usermanagement/users/me", self.me),
            self.api("/publisher/sources", self.list_sources),
            self.api("/publisher/programs", self.programs),
            self.api(TRANSACTIONS, self.report),
        ]


def build_app() -> Any:
    return TradedoublerSandbox().app()
