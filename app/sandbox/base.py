"""The shared base of every sandbox network: a network module declares routes, auth and
error bodies; the base runs each API request through the same gate.

For every API request, in order: count it (`/_sandbox/stats`), wait `latency_ms`, answer
the next status in `fail_next` if any, authenticate (the network's own 401 body),
apply the per-credential rate limit (the network's own 429 body, `Retry-After` when the
`retry_after` knob is set), run the handler, and corrupt a successful body while
`malformed_next` lasts.

A new network is one module: subclass `NetworkSandbox`, set `slug`, the limits and any
extra knobs, implement `authenticate`, `error` and `routes` (wrapping handlers with
`self.api(...)`), and render records from `app.sandbox.data`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
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


def corrupt(body: bytes, kind: str) -> bytes:
    """A broken version of a response body: cut in half, or a record's values given the
    wrong types (JSON only; anything else is truncated)."""
    if kind == "wrong_type":
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if payload is not None:
            record = _first_record(payload)
            if record is None:
                return b'"unexpected"'
            for key, value in record.items():
                record[key] = "corrupt" if not isinstance(value, str) else [value]
            return json.dumps(payload).encode()
    return body[: max(1, len(body) // 2)]


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
    rate_limit_per_minute: ClassVar[int | None] = None
    retry_after: ClassVar[int | None] = 1
    page_size: ClassVar[int | None] = None
    extra_knobs: ClassVar[dict[str, Any]] = {}

    def __init__(self) -> None:
        defaults = default_knobs(self.rate_limit_per_minute, self.retry_after, self.page_size)
        self.state = SandboxState(defaults, dict(self.extra_knobs))

    # ---- what a network declares ------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    async def authenticate(self, request: Request) -> Identity | Response:
        raise NotImplementedError

    def error(self, request: Request, status: int, message: str) -> Response:
        """The network's error response for `status` (injected failures, 429s, its own)."""
        raise NotImplementedError

    def control(self) -> list[BaseRoute]:
        """Extra network-specific control routes under `/_sandbox/`."""
        return []

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
        rate_limited: bool = True,
    ) -> Route:
        """Wrap `handler` in the gate (stats, latency, knobs, auth, rate limit, malformed)."""
        auth = authenticate or self.authenticate

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
                who = await auth(request)
                if isinstance(who, Response):
                    response = who
                else:
                    credential = who.credential
                    limit = state.knobs["rate_limit_per_minute"] if rate_limited else None
                    if not state.limiter.allow(who.rate_key or who.credential, limit):
                        response = self.throttled(request)
                    else:
                        response = await handler(request, who)
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
        app = Starlette(routes=[*control_routes(self.state), *self.control(), *self.routes()])
        app.state.sandbox = self
        return app
