"""AdTraction partner API v2 (shared/networks/adtraction.md; recorded v1 responses in
shared/networks/fixtures/adtraction/): the token in `X-Token` (or `?token=`), JSON in and
out, errors as `{"status": n, "message": ...}`.

- `POST /v2/partner/transactions/` takes `fromDate`/`toDate` (ISO 8601 with an offset,
  at most `max_days` = 31 days apart), `transactionStatus` (0 all, 1 approved, 2 pending,
  3 approved + pending, 4 open claims, 5 rejected), optional `channelId` and `market`; it
  answers one bare list (no paging), or `{"message": "No transactions found."}`.
- `GET /v2/affiliate/channels/` the partner's channels; `GET /v2/partner/markets/`;
  `GET /v2/affiliate/programs/?market=XX[&channelId=]` (knob `programs_shape`: v2 | v1).
- 30 calls a minute per token; a 429 carries `X-RateLimit-Reset` in epoch milliseconds
  and no `Retry-After`.
- Clicks: `https://track.adtraction.com/t/t?a={adId}&as={channelId}&t=2&tk=1&epi=..&url=..`
  credits the channel with a sale of the program whose ad it names, `epi` its `click.epi`.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.sandbox import adtraction_records as rec
from app.sandbox import clicks
from app.sandbox.base import Identity, NetworkSandbox, ParamError, bounds, refused
from app.sandbox.data import DataSpec, Txn, account, state
from app.sandbox.kit import json_body
from app.sandbox.registry import SandboxConnection

ID_RANGE = (300000, 399999)
TRANSACTIONS = "/v2/partner/transactions/"
FILTERS = {0: {1, 2, 4, 5}, 1: {1}, 2: {2}, 3: {1, 2}, 4: {4}, 5: {5}}
EMPTY = {"message": "No transactions found."}


def _connection(nickname: str, token: str, **extra: str) -> SandboxConnection:
    channels = rec.channel_ids(token)
    chosen = extra.get("channel_id")
    return SandboxConnection(
        nickname,
        {"api_token": token, "currency": "SEK", **extra},
        (chosen,) if chosen else channels,
        secret_key="api_token",
        transactions_path=TRANSACTIONS,
        options={"market": extra["market"]} if "market" in extra else {},
        status_field="transactionStatus",
        order_field="orderId",
    )


_FIRST = "demo-adtraction-0e6bf3556db0d83c8b40"
CONNECTIONS = (
    _connection("AdTraction (deal blog)", _FIRST, channel_id=rec.channel_ids(_FIRST)[0]),
    _connection("AdTraction (Sweden)", "demo-adtraction-4dd25fe7319740c62a21", market="SE"),
)


@lru_cache(maxsize=32)
def _all(channel: str, epoch: int, spec: DataSpec) -> tuple[tuple[str, Txn], ...]:
    """Every transaction of a channel, with its program's market."""
    return tuple(
        (rec.market_of(o.advertiser), rec.transaction(state(o, epoch), channel))
        for o in account("adtraction", channel, spec).orders
    )


def expected(
    channel: str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    market: str | None = None,
) -> list[Txn]:
    """One channel's transactions with a transaction date in [start, end) (dates are whole
    days in Stockholm), of one market when given."""
    lo, hi = bounds(start, end, "Europe/Stockholm")
    return [
        t
        for where, t in _all(channel, epoch, spec)
        if lo <= t.event_at < hi and market in (None, where)
    ]


def _moment(body: dict[str, Any], name: str) -> datetime:
    raw = body.get(name)
    if not isinstance(raw, str) or not raw:
        raise ParamError(f"{name} is required")
    try:
        return datetime.strptime(raw, rec.FORMAT)
    except ValueError:
        raise ParamError(
            f"Invalid {name} '{raw}': use ISO 8601 with an offset, e.g. 2019-07-16T14:45:15+0200"
        ) from None


class AdTractionSandbox(NetworkSandbox):
    slug = "adtraction"
    rate_limits = {60: 30}
    retry_after = None  # only the X-RateLimit-* headers say when to come back
    extra_knobs = {"max_days": 31, "programs_shape": "v2"}

    def error(self, request: Request, status: int, message: str) -> Response:
        response = json_body({"status": status, "message": message}, status)
        if status == 429:
            reset = int((time.time() + 1) * 1000)  # epoch milliseconds, as recorded
            response.headers.update(
                {
                    "X-RateLimit-Limit": "30",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(reset),
                }
            )
        return response

    async def authenticate(self, request: Request) -> Identity | Response:
        token = (request.headers.get("x-token") or request.query_params.get("token") or "").strip()
        if not token:
            return self.error(request, 401, "Full authentication is required: no X-Token sent")
        if refused(token):
            return self.error(request, 401, "Invalid token")
        return Identity(token)

    async def body(self, request: Request) -> dict[str, Any]:
        if "json" not in request.headers.get("content-type", ""):
            raise ParamError("Content type must be application/json", 415)
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise ParamError("Malformed JSON request body") from None
        if not isinstance(body, dict):
            raise ParamError("The request body must be a JSON object")
        return body

    def channels_of(self, token: str, channel: Any) -> tuple[str, ...]:
        mine = rec.channel_ids(token)
        if channel is None:
            return mine
        if str(channel) not in mine:
            raise ParamError(f"Channel {channel} does not belong to this partner", 403)
        return (str(channel),)

    async def transactions(self, request: Request, who: Identity) -> Response:
        body = await self.body(request)
        start, end = _moment(body, "fromDate"), _moment(body, "toDate")
        if end < start:
            raise ParamError("toDate must not be before fromDate")
        # Counted in local days (each date carries its own offset): 31 days across a clock
        # change are still 31 days.
        if end.replace(tzinfo=None) - start.replace(tzinfo=None) > timedelta(
            days=self.knob("max_days")
        ):
            raise ParamError(f"The date range must not exceed {self.knob('max_days')} days")
        status = str(body.get("transactionStatus", 0))
        if not status.isdigit() or int(status) not in FILTERS:
            raise ParamError("transactionStatus must be 0, 1, 2, 3, 4 or 5")
        market = body.get("market")
        rows = [
            t
            for channel in self.channels_of(who.credential, body.get("channelId"))
            for t in expected(
                channel, self.epoch, self.spec, start, end + timedelta(seconds=1), market=market
            )
            if t.record["transactionStatus"] in FILTERS[int(status)]
        ]
        rows.sort(key=lambda t: t.event_at)
        return json_body([t.record for t in rows] if rows else EMPTY)

    async def channels(self, request: Request, who: Identity) -> Response:
        return json_body(rec.channels(who.credential))

    async def markets(self, request: Request, who: Identity) -> Response:
        return json_body(list(rec.MARKETS))

    async def programs(self, request: Request, who: Identity) -> Response:
        market = (request.query_params.get("market") or "").upper()
        if market not in {m["market"] for m in rec.MARKETS}:
            raise ParamError(f"Invalid market '{market}'")
        channels = self.channels_of(who.credential, request.query_params.get("channelId"))
        accounts = [self.account(c) for c in channels]
        return json_body(rec.programs(accounts, market, self.knob("programs_shape")))

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "track.adtraction.com" or path != "t/t":
            return await super().click(request, host, path)
        q = request.query_params
        channel, ad = q.get("as", ""), q.get("a", "")
        # The ad names the program; a sandbox channel is its own account.
        found = next(
            (a.id for a in self.account(channel).advertisers if str(rec.ad_id(a)) == ad), ad
        )
        return clicks.record(self, channel, found, q.get("epi"), q.get("url"))

    def routes(self) -> list[BaseRoute]:
        return [
            self.api(TRANSACTIONS, self.transactions, ("POST",)),
            self.api("/v2/affiliate/channels/", self.channels),
            self.api("/v2/partner/markets/", self.markets),
            self.api("/v2/affiliate/programs/", self.programs),
        ]


def build_app() -> Any:
    return AdTractionSandbox().app()
