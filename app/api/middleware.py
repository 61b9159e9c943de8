"""ASGI middleware: request size limits, text Postgres cannot store, Prometheus metrics."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_BASE

REQUESTS = Counter(
    "netledger_http_requests_total", "HTTP requests served", ["method", "route", "status"]
)
LATENCY = Histogram(
    "netledger_http_request_duration_seconds",
    "Time to serve an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

DEFAULT_BODY_LIMIT = 1024 * 1024


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse bodies over a per-path limit with 413, while streaming: a declared
    Content-Length over the limit is refused before reading, and a body that grows past it
    is cut off as soon as it does, so the server never buffers more than the limit."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_413(send, limit)
                return
        received = 0
        started = False

        async def guarded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_413(send, limit)


async def _send_413(send: Send, limit: int) -> None:
    problem = {
        "type": PROBLEM_BASE + "payload-too-large",
        "title": "Payload too large",
        "status": 413,
        "detail": f"The request body is over the limit of {limit} bytes.",
    }
    await _send_json(send, 413, problem, close=True)


async def _send_json(
    send: Send, status: int, problem: dict[str, object], close: bool = False
) -> None:
    """A problem+json answer sent before the app saw the request."""
    body = json.dumps(problem).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Metrics:
    """Count and time requests by route template (not raw path, to bound cardinality)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def _route(scope: Scope) -> str:
        # The router leaves the matched route in the scope once it has routed the request.
        route = scope.get("route")
        return str(getattr(route, "path", "unmatched"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = self._route(scope)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


class RefuseNul:
    """Refuse text Postgres cannot store (the NUL character) with a 422 naming where it is:
    a query parameter, the path, or a JSON body's field. JSON bodies are scanned as bytes
    (an escaped NUL is six of them) and parsed only when one is there."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = _nul_in_query(scope) or ("path" if "\x00" in scope.get("path", "") else None)
        if field is None and _is_json(scope):
            body, receive = await _buffered(receive)
            if b"\\u0000" in body or b"\x00" in body:
                field = _nul_in_json(body)
        if field is None:
            await self.app(scope, receive, send)
            return
        problem = {
            "type": PROBLEM_BASE + "validation-error",
            "title": "Request validation failed",
            "status": 422,
            "detail": f"1 invalid field(s): {field}",
            "errors": [{"field": field, "message": "must not contain the NUL character"}],
        }
        await _send_json(send, 422, problem)


def _nul_in_query(scope: Scope) -> str | None:
    raw = scope.get("query_string", b"")
    if b"%00" not in raw and b"\x00" not in raw:
        return None
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if "\x00" in key or "\x00" in value:
            return key.replace("\x00", "") or "query"
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return b"json" in value
    return False


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body, and a `receive` that replays it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _nul_in_json(body: bytes) -> str | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None  # not JSON: the app's own answer names the body
    return _nul_path(document, "")


def _nul_path(value: object, path: str) -> str | None:
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return inner.replace("\x00", "")
            if (found := _nul_path(item, inner)) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _nul_path(item, f"{path}.{index}" if path else str(index))) is not None:
                return found
    return None
