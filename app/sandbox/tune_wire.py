"""Tune (HasOffers) wire shapes for the sandbox: the `{"request", "response"}` envelope, the
request echo (bracketed parameters nested as the API echoes them), error bodies at HTTP 200,
the paging block and `find...` listings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.sandbox.kit import json_body
from app.sandbox.kit.paging import page_slice

KEY = re.compile(r"\[([^\]]*)\]")
# Recorded wording (pyoffers cassettes; laravel-tune comments quoting TUNE).
RATE_LIMIT = (
    "API usage exceeded rate limit.  Configured: 50/10s window; Your usage: {n}.  "
    "See https://help.tune.com/hasoffers/rate-limit-error/ for guidance."
)
DISABLED = "Affiliate API feature is disabled"


def nest(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """`fields[]=a&filters[Stat.date][values][]=x` as `{"fields": ["a"], "filters": {...}}`."""
    out: dict[str, Any] = {}
    for raw, value in items:
        head = raw.split("[", 1)[0]
        parts = [head, *KEY.findall(raw[len(head) :])]
        node: Any = out
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            if part == "" and isinstance(node, list):
                node.append(value)
                break
            nxt = parts[n + 1] if not last else None
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, [] if nxt == "" else {})
    return out


def echo(request: Request) -> dict[str, Any]:
    q = request.query_params
    return {
        "Target": q.get("Target"),
        "Format": "json",
        "Service": "HasOffers",
        "Version": "2",
        **nest((k, v) for k, v in q.multi_items() if k not in ("Target", "Format")),
    }


def ok(request: Request, data: Any) -> Response:
    response = {"status": 1, "httpStatus": 200, "data": data, "errors": [], "errorMessage": None}
    return json_body({"request": echo(request), "response": response})


def failure(request: Request, message: str, status: int = 200) -> Response:
    """`status: -1` with the message; HTTP 200 unless a gateway status is asked for."""
    response = {
        "status": -1,
        "httpStatus": status,
        "data": "",
        "errors": [{"publicMessage": message}],
        "errorMessage": message,
    }
    return json_body({"request": echo(request), "response": response}, status)


def bad_network() -> Response:
    """What an unknown network id gets: no `status`, no echo, `errors` one object, and
    `link` inside `response` (as recorded; the sheet shows it outside)."""
    body = {
        "response": {
            "errors": {"publicMessage": "Network id is not valid"},
            "link": "http://developers.hasoffers.com/",
        }
    }
    return json_body(body)


def paged(
    rows: Sequence[tuple[str, dict[str, Any]]], page: int, limit: int | None, keyed: bool
) -> dict[str, Any]:
    """The paging block (`current` is 0, as in every recording) around `rows` (id, row):
    an object keyed by id, or a list; `[]` when there is nothing."""
    size = limit or max(1, len(rows))
    chunk = page_slice(rows, page, size)
    data: Any = ({k: r for k, r in chunk} if keyed else [r for _, r in chunk]) if chunk else []
    count = len(rows)
    return {
        "page": page,
        "current": 0,
        "count": count,
        "pageCount": -(-count // size),
        "data": data,
    }


def listing(rows: Sequence[tuple[str, dict[str, Any]]], page: int, limit: int | None) -> Any:
    """A `find...` answer: unpaged (no `limit`), `data` is the object keyed by id itself;
    paged, the paging block around it."""
    if limit is None:
        return {k: r for k, r in rows} if rows else []
    return paged(rows, page, limit, keyed=True)
