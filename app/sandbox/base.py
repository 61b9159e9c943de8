"""The shared base of every sandbox network: a network module declares routes, auth and
error bodies; the base runs each API request through the same gate.

For every API request, in order: count it (`/_sandbox/stats`), wait `latency_ms`, answer
the next status in `fail_next` if any, authenticate (the network's own 401 body),
apply the per-credential call budgets (the network's own 429 body, `Retry-After` when the
`retry_after` knob is set; a spent quota of an hour or more answers `quota_exceeded`),
run the handler (a `ParamError` it raises becomes the network's `error()`), and corrupt a
successful body while `malformed_next` lasts.

A new network is one module: subclass `NetworkSandbox`, set `slug`, the budgets and any
extra knobs, an `auth` strategy (or `authenticate`), `error` and `routes` (wrapping
handlers with `self.api(...)`), and render records from `app.sandbox.data`. The guide,
with the strategies, encoders and paging helpers, is `app.sandbox.kit`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from app.sandbox.control import SandboxState, control_routes, default_knobs
from app.sandbox.data import Account, DataSpec, account


@dataclass(frozen=True)
class Identity:
    """Who a request authenticated as. `credential` keys the stats, `rate_key` (default:
    the credential) the rate limit."""

    credential: str
    rate_key: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[Request, Identity], Awaitable[Response]]
Authenticate = Callable[[Request], Awaitable[Identity | Response]]
# Windows this long or longer are quotas: spent, they answer `quota_exceeded`.
QUOTA_WINDOW = 3600


class AuthStrategy(Protocol):
    """How a network authenticates an API request (`app.sandbox.kit.auth` has the usual
    ones): an `Identity`, or the network's refusal."""

    async def __call__(self, network: NetworkSandbox, request: Request) -> Identity | Response: ...


class ParamError(Exception):
    """A request parameter the network refuses; the gate answers `error(status, message)`."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def refused(secret: str | None) -> bool:
    """The sandbox's rule for every secret: empty, or starting `bad`/`invalid`, is refused."""
    return not secret or secret.strip().lower().startswith(("bad", "invalid"))


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def bounds(start: Any, end: Any, zone: str = "UTC") -> tuple[datetime, datetime]:
    """Aware [start, end) from dates (whole days, end inclusive) or datetimes (naive ones
    read in `zone`, end exclusive); None means unbounded."""
    tz = ZoneInfo(zone)

    def point(value: Any, is_end: bool) -> datetime:
        if value is None:
            return (
                datetime.max.replace(tzinfo=tz)
                if is_end
                else datetime.min.replace(tzinfo=tz) + timedelta(days=2)
            )
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=tz)
        moment = datetime.combine(value, datetime.min.time(), tzinfo=tz)
        return moment + timedelta(days=1) if is_end else moment

    return point(start, False), point(end, True)


GARBAGE = b"\x00\xff\xfe<<sandbox: garbage>>\x00;,\n"


def corrupt(body: bytes, kind: str) -> bytes:
    """A broken version of a response body: `truncate` cuts it in half (inside a line, so
    text and CSV lose part of a row, XML its closing tags); `wrong_type` gives a JSON
    record's values the wrong types (other bodies: `garbage`); `garbage` is bytes no
    format parses."""
    if kind == "wrong_type":
        try:
            payload = json.loads(body)
        except ValueError:
            return GARBAGE
        record = _first_record(payload)
        if record is None:
            return b'"unexpected"'
        for key, value in record.items():
            record[key] = "corrupt" if not isinstance(value, str) else [value]
        return json.dumps(payload).encode()
    if kind == "garbage" or len(body) < 2:
        return GARBAGE
    cut = len(body) // 2
    while cut > 1 and body[cut - 1 : cut] in (b"\n", b"\r"):
        cut -= 1
    return body[:cut]


def _first_record(payload: Any) -> dict[str, Any] | None:
    if isinstance(payload, list):
        for item in payload:
            if isinstance(item, dict):
                return _first_record(item) or item
        return None
    if isinstance(payload, dict):
        for value in payload.values():
            if isinstance(value, list | dict) and (found := _first_record(value)):
                return found
    return None


class NetworkSandbox:
    """Base class of a sandbox network app (see the module docstring)."""

    slug: ClassVar[str]
    auth: AuthStrategy | None = None  # or set per instance: `self.auth = OAuth2(self)`
    rate_limit_per_minute: ClassVar[int | None] = None
    # Call budgets per credential, window seconds -> calls: {10: 50}, {86400: 1500}.
    rate_limits: ClassVar[Mapping[int, int]] = {}
    retry_after: ClassVar[int | None] = 1
    page_size: ClassVar[int | None] = None
    extra_knobs: ClassVar[dict[str, Any]] = {}

    def __init__(self) -> None:
        defaults = default_knobs(self.rate_limit_per_minute, self.retry_after, self.page_size)
        self.state = SandboxState(defaults, dict(self.extra_knobs))
        self.kit_control: list[BaseRoute] = []

    # ---- what a network declares ------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    async def authenticate(self, request: Request) -> Identity | Response:
        if self.auth is None:
            raise NotImplementedError("set `auth` or override `authenticate`")
        return await self.auth(self, request)

    def error(self, request: Request, status: int, message: str) -> Response:
        """The network's error response for `status` (injected failures, 429s, its own)."""
        raise NotImplementedError

    def quota_exceeded(self, request: Request, window: int, wait: int) -> Response:
        """The answer once a quota of `window` seconds (an hour or more) is spent."""
        days = f"{window // 86400} day" if window % 86400 == 0 else f"{window // 3600} hour"
        response = self.error(request, 429, f"Quota exceeded: the {days} call limit is spent")
        response.headers["Retry-After"] = str(wait)
        return response

    def control(self) -> list[BaseRoute]:
        """Extra network-specific control routes under `/_sandbox/`."""
        return []

    async def click(self, request: Request, host: str, path: str) -> Response:
        """A click on one of the network's tracking links, `https://{host}/{path}?...`:
        read it the network's way and `app.sandbox.clicks.record` it (see that module)."""
        return PlainTextResponse(f"{self.slug} has no click route", status_code=404)

    # ---- helpers --------------------------------------------------------------------
    @property
    def spec(self) -> DataSpec:
        return self.state.spec

    @property
    def epoch(self) -> int:
        return int(self.state.epoch)

    def knob(self, name: str) -> Any:
        return self.state.extra[name] if name in self.state.extra else self.state.knobs[name]

    def account(self, account_id: str) -> Account:
        return account(self.slug, account_id, self.spec)

    def foreign(self, account_id: str) -> bool:
        return account_id in self.state.knobs["foreign_accounts"]

    def throttled(self, request: Request) -> Response:
        response = self.error(request, 429, "Too many requests: rate limit exceeded")
        if self.state.knobs["retry_after"] is not None:
            response.headers["Retry-After"] = str(self.state.knobs["retry_after"])
        return response

    def api(
        self,
        path: str,
        handler: Handler,
        methods: tuple[str, ...] = ("GET",),
        *,
        authenticate: Authenticate | None = None,
        auth: AuthStrategy | None = None,
        rate_limited: bool = True,
    ) -> Route:
        """Wrap `handler` in the gate (stats, latency, knobs, auth, budgets, malformed).
        The route authenticates with `authenticate(request)`, else the strategy `auth`,
        else the network's own `authenticate`."""
        if authenticate is None and auth is not None:
            strategy = auth

            async def authenticate(request: Request) -> Identity | Response:
                return await strategy(self, request)

        check = authenticate or self.authenticate

        async def endpoint(request: Request) -> Response:
            state = self.state
            credential: str | None = None
            response: Response
            if state.knobs["latency_ms"]:
                await asyncio.sleep(state.knobs["latency_ms"] / 1000)
            if (status := state.take_failure()) is not None:
                response = (
                    self.throttled(request)
                    if status == 429
                    else self.error(request, status, f"{reason(status)} (sandbox)")
                )
            else:
                who = await check(request)
                if isinstance(who, Response):
                    response = who
                else:
                    credential = who.credential
                    budgets = state.budgets(self.rate_limits) if rate_limited else {}
                    spent = state.limiter.check(who.rate_key or who.credential, budgets)
                    if spent is not None:
                        window, wait = spent
                        response = (
                            self.quota_exceeded(request, window, wait)
                            if window >= QUOTA_WINDOW
                            else self.throttled(request)
                        )
                    else:
                        try:
                            response = await handler(request, who)
                        except ParamError as exc:
                            response = self.error(request, exc.status, exc.message)
                        if response.status_code < 300 and state.take_malformed():
                            response = self._malformed(response)
            state.stats.record(request, path, credential, response.status_code, state.epoch)
            return response

        return Route(path, endpoint, methods=list(methods))

    def _malformed(self, response: Response) -> Response:
        body = corrupt(bytes(response.body), self.state.knobs["malformed_kind"])
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return Response(body, response.status_code, headers=headers)

    def app(self) -> Starlette:
        routes = self.routes()  # first: kit flows register their control routes here

        async def click(request: Request) -> Response:
            params = request.path_params
            return await self.click(request, params["host"], params.get("path", ""))

        clicked = [
            Route("/_click/{host}/{path:path}", click, methods=["GET"]),
            Route("/_click/{host}", click, methods=["GET"]),
        ]
        app = Starlette(
            routes=[
                *control_routes(self.state),
                *self.kit_control,
                *self.control(),
                *clicked,
                *routes,
            ]
        )
        app.state.sandbox = self
        return app
