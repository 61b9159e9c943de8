"""Awin publisher API (fact sheet: shared/networks/awin.md).

One token sees `accounts_per_token` publisher accounts (ids from `publisher_ids(token)`)
plus one advertiser account; any other publisher id answers 403. Transactions come as a
bare array for at most 31 days, dates rendered in the requested `timezone` with no
offset, money as `{amount, currency}` JSON numbers. 20 calls a minute per token, 429s
without `Retry-After` (none documented).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from app.sandbox import awin_programmes, clicks
from app.sandbox.awin_records import FORMAT, render, transaction_id, word
from app.sandbox.base import Identity, NetworkSandbox, bounds, reason, refused
from app.sandbox.data import DataSpec, OrderState, Txn, account, stable_int, state
from app.sandbox.registry import SandboxConnection

TIMEZONES = frozenset(
    {
        "Europe/Berlin",
        "Europe/Paris",
        "Europe/London",
        "Europe/Dublin",
        "Canada/Eastern",
        "Canada/Central",
        "Canada/Mountain",
        "Canada/Pacific",
        "US/Eastern",
        "US/Central",
        "US/Mountain",
        "US/Pacific",
        "UTC",
    }
)
DATE_TYPES = ("transaction", "validation", "amendment")
STATUS_WORDS = ("pending", "approved", "declined", "deleted")
MAX_RANGE = timedelta(days=31)
ID_RANGE = (1000, 99999)


def publisher_ids(token: str, count: int = 2) -> list[int]:
    """The publisher accounts a token sees (what `GET /accounts` lists)."""
    return [100000 + stable_int("awin-publisher", token, i) % 900000 for i in range(count)]


def _as_read(moment: datetime, zone: ZoneInfo) -> datetime:
    """The instant a client reads from Awin's offset-less local time: in the hour a clock
    goes back, the earlier of the two (`fold=0`), as any client must take it."""
    local = moment.astimezone(zone).replace(tzinfo=None, fold=0)
    return local.replace(tzinfo=zone).astimezone(UTC)


def transactions(
    publisher_id: int | str,
    epoch: int,
    spec: DataSpec,
    start: Any = None,
    end: Any = None,
    *,
    timezone: str = "UTC",
    date_type: str = "transaction",
    status: str | None = None,
    advertiser_id: int | None = None,
    basket: bool = False,
) -> list[Txn]:
    """What `/publishers/{id}/transactions/` serves for a window (dates are whole days in
    `timezone`; datetimes are [start, end))."""
    acct = account("awin", str(publisher_id), spec)
    lo, hi = bounds(start, end, timezone)
    states: Iterable[OrderState]
    if date_type == "transaction":
        states = (state(o, epoch) for o in acct.between(lo, hi))
    else:
        attr = "validated_at" if date_type == "validation" else "amended_at"
        states = (
            s
            for s in (state(o, epoch) for o in acct.orders)
            if (t := getattr(s, attr)) is not None and lo <= t < hi
        )
    zone = ZoneInfo(timezone)
    out = []
    for s in states:
        if (status and word(s) != status) or (
            advertiser_id and s.order.advertiser.id != advertiser_id
        ):
            continue
        rec = render(s, int(publisher_id), zone, basket)
        out.append(
            Txn(
                str(rec["id"]),
                s.status,
                word(s),
                _as_read(s.order.event_at, zone),
                s.order.order_id,
                str(s.order.advertiser.id),
                s.order.advertiser.currency,
                s.sale_amount,
                s.commission_amount,
                (s.order.click_refs or (None,))[0],
                rec,
            )
        )
    return out


expected = transactions


def _connection(nickname: str, token: str, timezone: str) -> SandboxConnection:
    return SandboxConnection(
        nickname,
        {"api_token": token, "timezone": timezone},
        tuple(str(p) for p in publisher_ids(token)),
        secret_key="api_token",
        transactions_path="/transactions/",
        status_field="commissionStatus",
        money_field="commissionAmount",
        order_field="orderRef",
        options={"timezone": timezone},
    )


CONNECTIONS = (
    _connection("Awin (all publisher accounts)", "demo-awin-token-7f3a9c", "Europe/London"),
    _connection("Awin US", "demo-awin-us-token-2b81", "US/Eastern"),
)


class AwinSandbox(NetworkSandbox):
    slug = "awin"
    rate_limit_per_minute = 20
    retry_after = None
    extra_knobs = {"accounts_per_token": 2}

    def error(self, request: Request, status: int, message: str) -> Response:
        code = reason(status).lower().replace(" ", "_")
        return JSONResponse({"error": code, "description": message}, status_code=status)

    async def authenticate(self, request: Request) -> Identity | Response:
        header = request.headers.get("authorization", "")
        token = (
            header[7:].strip()
            if header.lower().startswith("bearer ")
            else request.query_params.get("accessToken")
        )
        if not token:
            return self.error(request, 401, "No access token was supplied")
        if refused(token):
            return self.error(request, 401, "The access token is invalid or has expired")
        return Identity(token)

    def publisher(self, request: Request, who: Identity) -> int | Response:
        raw = request.path_params["publisher_id"]
        if not raw.isdigit():
            return self.error(request, 400, f"Invalid publisher id '{raw}'")
        if int(raw) not in publisher_ids(who.credential, self.knob("accounts_per_token")):
            return self.error(request, 403, f"You do not have access to publisher {raw}")
        return int(raw)

    async def accounts(self, request: Request, who: Identity) -> Response:
        kind = request.query_params.get("type")
        if kind not in (None, "publisher", "advertiser"):
            return self.error(request, 400, "type must be 'publisher' or 'advertiser'")
        ids = publisher_ids(who.credential, self.knob("accounts_per_token"))
        rows = [
            {
                "accountId": pid,
                "accountName": f"Example Media {n + 1}",
                "accountType": "publisher",
                "userRole": "admin",
            }
            for n, pid in enumerate(ids)
        ]
        rows.append(
            {
                "accountId": 10000 + stable_int("awin-adv", who.credential) % 90000,
                "accountName": "Example Shop",
                "accountType": "advertiser",
                "userRole": "reader",
            }
        )
        rows = [r for r in rows if kind in (None, r["accountType"])]
        user_id = 100000 + stable_int("awin-user", who.credential) % 900000
        return JSONResponse({"userId": user_id, "accounts": rows})

    def _window(self, request: Request) -> tuple[datetime, datetime, str] | Response:
        q = request.query_params
        zone = q.get("timezone", "UTC")
        if zone not in TIMEZONES:
            return self.error(request, 400, f"Invalid timezone '{zone}'")
        try:
            start = datetime.strptime(q["startDate"], FORMAT)
            end = datetime.strptime(q["endDate"], FORMAT)
        except KeyError as exc:
            return self.error(request, 400, f"Missing required parameter {exc.args[0]}")
        except ValueError:
            return self.error(request, 400, "startDate and endDate must be yyyy-MM-ddTHH:mm:ss")
        if end < start:
            return self.error(request, 400, "endDate must not be before startDate")
        if end - start > MAX_RANGE:
            return self.error(request, 400, "The date range must not exceed 31 days")
        return start, end + timedelta(seconds=1), zone

    async def list_transactions(self, request: Request, who: Identity) -> Response:
        pid = self.publisher(request, who)
        if isinstance(pid, Response):
            return pid
        window = self._window(request)
        if isinstance(window, Response):
            return window
        q = request.query_params
        date_type, status = q.get("dateType", "transaction"), q.get("status")
        if date_type not in DATE_TYPES:
            return self.error(request, 400, f"Invalid dateType '{date_type}'")
        if status is not None and status not in STATUS_WORDS:
            return self.error(request, 400, f"Invalid status '{status}'")
        adv = q.get("advertiserId")
        if adv is not None and not adv.isdigit():
            return self.error(request, 400, "advertiserId must be numeric")
        rows = transactions(
            pid,
            self.epoch,
            self.spec,
            window[0],
            window[1],
            timezone=window[2],
            date_type=date_type,
            status=status,
            advertiser_id=int(adv) if adv else None,
            basket=q.get("showBasketProducts") == "true",
        )
        return JSONResponse([t.record for t in rows])

    async def transactions_by_id(self, request: Request, who: Identity) -> Response:
        pid = self.publisher(request, who)
        if isinstance(pid, Response):
            return pid
        q = request.query_params
        raw = [i for i in q.get("ids", "").split(",") if i]
        zone = q.get("timezone", "UTC")
        if not raw or not all(i.isdigit() for i in raw) or zone not in TIMEZONES:
            return self.error(request, 400, "ids must be comma-separated numbers")
        wanted, base = {int(i) for i in raw}, transaction_id(pid, 0)
        acct = self.account(str(pid))
        found = [acct.orders[i - base] for i in sorted(wanted) if 0 <= i - base < len(acct.orders)]
        basket = q.get("showBasketProducts") == "true"
        return JSONResponse(
            [render(state(o, self.epoch), pid, ZoneInfo(zone), basket) for o in found]
        )

    async def click(self, request: Request, host: str, path: str) -> Response:
        if host != "www.awin1.com" or path != "cread.php":
            return await super().click(request, host, path)
        q = request.query_params
        destination = q.get("ued") or q.get("p")
        return clicks.record(
            self, q.get("awinaffid", ""), q.get("awinmid"), q.get("clickref"), destination
        )

    def routes(self) -> list[BaseRoute]:
        programmes = awin_programmes.Programmes(self)
        return [
            self.api("/accounts", self.accounts),
            self.api("/publishers/{publisher_id}/transactions/", self.list_transactions),
            self.api("/publishers/{publisher_id}/transactions", self.transactions_by_id),
            *programmes.routes(),
        ]


def build_app() -> Any:
    return AwinSandbox().app()
