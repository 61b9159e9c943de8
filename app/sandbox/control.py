"""Sandbox knobs, counters and the control endpoints every sandbox network app carries.

Control lives under `/_sandbox/`, outside every real API's path space:

- `GET /_sandbox/config` -> all knobs (shared and network-specific) plus `epoch`.
- `POST /_sandbox/config` JSON object of knobs to change -> the full config; unknown
  knobs or wrong types -> 400.
- `POST /_sandbox/epoch` -> `{"epoch": n+1}`; body `{"epoch": n}` sets it instead.
- `POST /_sandbox/reset` -> knobs to defaults, epoch 0, counters and rate windows cleared.
- `GET /_sandbox/stats` -> request counts per path, route, credential and status, plus the
  last requests (method, path, query, credential, status); `DELETE` clears them.

Shared knobs (network modules add their own, e.g. Awin `accounts_per_token`):
`latency_ms` added to every API response; `fail_next` status codes answered, in order,
to the next API requests (before auth; 429s get the network's throttle body);
`malformed_next` successful responses whose body is corrupted per `malformed_kind`
(`truncate` | `wrong_type` | `garbage`); `rate_limit_per_minute` per credential (null: the
network's declared budgets alone); `rate_limits` budgets as `{"<window seconds>": count}`
replacing the network's declared ones (null: the declared ones; `{}`: none; a set
`rate_limit_per_minute` still rules the 60 s window); `retry_after` seconds sent on 429s
of windows under an hour (null: no header; quotas of an hour or more always send the
seconds until they free); `transactions_per_account`,
`history_days`, `today` shape the data; `page_size` for paged networks;
`foreign_accounts` account ids no credential may read.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.data import DEFAULT_HISTORY_DAYS, DEFAULT_ORDERS, DataSpec

LOG_SIZE = 5000


def _int(value: Any, *, nullable: bool = False, minimum: int = 0) -> Any:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"expected an integer >= {minimum}{' or null' if nullable else ''}")
    return value


def _int_list(value: Any) -> list[int]:
    if not isinstance(value, list):
        raise ValueError("expected a list of status codes")
    return [_int(v, minimum=100) for v in value]


def _str_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ValueError("expected a list of strings")
    return [str(v) for v in value]


def _day(value: Any) -> str:
    return date.fromisoformat(str(value)).isoformat()


def _kind(value: Any) -> str:
    if value not in ("truncate", "wrong_type", "garbage"):
        raise ValueError("expected 'truncate', 'wrong_type' or 'garbage'")
    return str(value)


def _budgets(value: Any) -> dict[int, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("expected an object of window seconds -> call count, or null")
    try:
        return {_int(int(k), minimum=1): _int(v, minimum=1) for k, v in value.items()}
    except (TypeError, ValueError) as exc:
        raise ValueError("expected positive integer window seconds and counts") from exc


def _like(default: Any) -> Any:
    """A validator for a network-specific knob, from the type of its default."""

    def check(value: Any) -> Any:
        if value is None or default is None or isinstance(value, type(default)):
            if isinstance(value, bool) and not isinstance(default, bool | None):
                raise ValueError(f"expected {type(default).__name__}")
            return value
        raise ValueError(f"expected {type(default).__name__}")

    return check


VALIDATORS: dict[str, Any] = {
    "latency_ms": _int,
    "fail_next": _int_list,
    "malformed_next": _int,
    "malformed_kind": _kind,
    "rate_limit_per_minute": lambda v: _int(v, nullable=True, minimum=1),
    "rate_limits": _budgets,
    "retry_after": lambda v: _int(v, nullable=True),
    "transactions_per_account": _int,
    "history_days": lambda v: _int(v, minimum=1),
    "today": _day,
    "page_size": lambda v: _int(v, nullable=True, minimum=1),
    "foreign_accounts": _str_list,
}


def default_knobs(
    rate_limit: int | None, retry_after: int | None, page_size: int | None
) -> dict[str, Any]:
    return {
        "latency_ms": 0,
        "fail_next": [],
        "malformed_next": 0,
        "malformed_kind": "truncate",
        "rate_limit_per_minute": rate_limit,
        "rate_limits": None,
        "retry_after": retry_after,
        "transactions_per_account": DEFAULT_ORDERS,
        "history_days": DEFAULT_HISTORY_DAYS,
        "today": datetime.now(UTC).date().isoformat(),
        "page_size": page_size,
        "foreign_accounts": ["9999999"],
    }


@dataclass
class Stats:
    total: int = 0
    by_path: Counter[str] = field(default_factory=Counter)
    by_route: Counter[str] = field(default_factory=Counter)
    by_credential: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LOG_SIZE))

    def record(
        self, request: Request, route: str, credential: str | None, status: int, epoch: int
    ) -> None:
        self.total += 1
        self.by_path[request.url.path] += 1
        self.by_route[f"{request.method} {route}"] += 1
        self.by_credential[credential or ""] += 1
        self.by_status[status] += 1
        self.log.append(
            {
                "method": request.method,
                "path": request.url.path,
                "route": route,
                "query": dict(request.query_params),
                "credential": credential,
                "status": status,
                "epoch": epoch,
            }
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_path": dict(self.by_path),
            "by_route": dict(self.by_route),
            "by_credential": dict(self.by_credential),
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "requests": list(self.log),
        }


class RateLimiter:
    """Sliding windows of accepted calls per key, one per budget `{seconds: count}`."""

    def __init__(self) -> None:
        self.calls: dict[tuple[str, int], deque[float]] = {}

    def check(self, key: str, budgets: Mapping[int, int]) -> tuple[int, int] | None:
        """Count a call and return None, or refuse it: `(window, seconds until it frees)`."""
        now = time.monotonic()
        windows = []
        for seconds, limit in sorted(budgets.items()):
            calls = self.calls.setdefault((key, seconds), deque())
            while calls and now - calls[0] >= seconds:
                calls.popleft()
            if len(calls) >= limit:
                return seconds, max(1, math.ceil(seconds - (now - calls[0])))
            windows.append(calls)
        for calls in windows:
            calls.append(now)
        return None


class SandboxState:
    """Knobs, epoch and counters of one network app (in memory: a sandbox is one process)."""

    def __init__(self, defaults: dict[str, Any], extra: dict[str, Any]) -> None:
        self.defaults = defaults
        self.extra_defaults = extra
        self.reset()

    def reset(self) -> None:
        self.knobs: dict[str, Any] = {
            **self.defaults,
            "fail_next": [],
            "foreign_accounts": list(self.defaults["foreign_accounts"]),
        }
        self.extra: dict[str, Any] = dict(self.extra_defaults)
        self.epoch = 0
        self.stats = Stats()
        self.limiter = RateLimiter()
        # What a network's flows keep between requests (sessions, tokens), cleared on reset.
        self.store: dict[str, Any] = {}

    def declare(self, name: str, default: Any) -> None:
        """Add a network-specific knob (what a kit flow such as `Sessions` needs)."""
        self.extra_defaults.setdefault(name, default)
        self.extra.setdefault(name, self.extra_defaults[name])

    def budgets(self, declared: Mapping[int, int]) -> dict[int, int]:
        """The call budgets in force: the `rate_limits` knob or the declared ones, with
        `rate_limit_per_minute` (when set) as the 60 s window."""
        override = self.knobs["rate_limits"]
        budgets = dict(declared if override is None else override)
        if self.knobs["rate_limit_per_minute"] is not None:
            budgets[60] = self.knobs["rate_limit_per_minute"]
        return budgets

    @property
    def spec(self) -> DataSpec:
        return DataSpec(
            date.fromisoformat(self.knobs["today"]),
            self.knobs["transactions_per_account"],
            self.knobs["history_days"],
            tuple(self.store.get("clicks", ())),
        )

    def config(self) -> dict[str, Any]:
        return {**self.knobs, **self.extra, "epoch": self.epoch}

    def update(self, changes: dict[str, Any]) -> list[dict[str, str]]:
        errors: list[dict[str, str]] = []
        staged: dict[str, Any] = {}
        for key, value in changes.items():
            check = VALIDATORS.get(key) or (
                _like(self.extra_defaults[key]) if key in self.extra_defaults else None
            )
            if key == "epoch":
                check = _int
            if check is None:
                errors.append({"field": key, "message": "unknown knob"})
                continue
            try:
                staged[key] = check(value)
            except ValueError as exc:
                errors.append({"field": key, "message": str(exc)})
        if not errors:
            for key, value in staged.items():
                if key == "epoch":
                    self.epoch = value
                elif key in self.knobs:
                    self.knobs[key] = value
                else:
                    self.extra[key] = value
        return errors

    def take_failure(self) -> int | None:
        fails: list[int] = self.knobs["fail_next"]
        return fails.pop(0) if fails else None

    def take_malformed(self) -> bool:
        if self.knobs["malformed_next"] > 0:
            self.knobs["malformed_next"] -= 1
            return True
        return False


def control_routes(state: SandboxState) -> list[Route]:
    async def get_config(request: Request) -> Response:
        return JSONResponse(state.config())

    async def post_config(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
        if errors := state.update(body):
            return JSONResponse({"error": "invalid knobs", "errors": errors}, status_code=400)
        return JSONResponse(state.config())

    async def bump_epoch(request: Request) -> Response:
        body = await request.body()
        if body.strip():
            errors = state.update({"epoch": (await request.json()).get("epoch")})
            if errors:
                return JSONResponse({"error": "invalid epoch", "errors": errors}, status_code=400)
        else:
            state.epoch += 1
        return JSONResponse({"epoch": state.epoch})

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse(state.config())

    async def stats(request: Request) -> Response:
        if request.method == "DELETE":
            state.stats = Stats()
        return JSONResponse(state.stats.as_json())

    return [
        Route("/_sandbox/config", get_config, methods=["GET"]),
        Route("/_sandbox/config", post_config, methods=["POST"]),
        Route("/_sandbox/epoch", bump_epoch, methods=["POST"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/stats", stats, methods=["GET", "DELETE"]),
    ]
