"""Request parameters: read them wherever a network puts them, and refuse bad ones.

Each check raises `ParamError`, which the gate turns into the network's own
`error(request, 400, message)`; a network with its own words passes `message=`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from starlette.requests import Request

from app.sandbox.base import ParamError


async def request_fields(request: Request) -> dict[str, str]:
    """Query parameters, then a form body or a JSON object body's top-level values."""
    fields = dict(request.query_params)
    kind = request.headers.get("content-type", "")
    if "form" in kind:
        form = await request.form()
        fields.update({k: v for k, v in form.items() if isinstance(v, str)})
    elif "json" in kind:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError as exc:
            raise ParamError("The body is not valid JSON") from exc
        if isinstance(body, dict):
            fields.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    return fields


def required(params: Mapping[str, str], name: str, *, message: str | None = None) -> str:
    value = params.get(name, "").strip()
    if not value:
        raise ParamError(message or f"Missing required parameter '{name}'")
    return value


def day(
    params: Mapping[str, str],
    name: str,
    fmt: str = "%Y-%m-%d",
    *,
    default: date | None = None,
    message: str | None = None,
) -> date:
    """A date parameter in `fmt` (required unless a default is given)."""
    if name not in params and default is not None:
        return default
    return moment(params, name, fmt, message=message).date()


def moment(
    params: Mapping[str, str], name: str, fmt: str, *, message: str | None = None
) -> datetime:
    """A naive datetime parameter in `fmt` (required)."""
    raw = required(params, name, message=message)
    try:
        return datetime.strptime(raw, fmt)
    except ValueError as exc:
        raise ParamError(message or f"Invalid {name} '{raw}': expected format {fmt}") from exc


def window(
    start: date | datetime,
    end: date | datetime,
    max_days: int | None = None,
    *,
    message: str | None = None,
) -> None:
    """`end` not before `start`, and at most `max_days` apart (dates count both ends)."""
    if end < start:
        raise ParamError(message or "The end date must not be before the start date")
    span = end - start  # type: ignore[operator]
    if not isinstance(end, datetime):
        span += timedelta(days=1)
    if max_days is not None and span > timedelta(days=max_days):
        raise ParamError(message or f"The date range must not exceed {max_days} days")


def integer(
    params: Mapping[str, str],
    name: str,
    default: int | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    message: str | None = None,
) -> int:
    """An integer parameter within [minimum, maximum] (required unless a default is given)."""
    raw: Any = params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ParamError(message or f"Missing required parameter '{name}'")
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ParamError(message or f"Parameter '{name}' must be an integer") from exc
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f"{'' if minimum is None else minimum}..{'' if maximum is None else maximum}"
        raise ParamError(message or f"Parameter '{name}' must be in {bounds}")
    return value


def page_size(
    params: Mapping[str, str],
    name: str,
    default: int,
    maximum: int,
    *,
    message: str | None = None,
) -> int:
    """A page size parameter: 1..maximum, `default` when absent."""
    return integer(params, name, default, minimum=1, maximum=maximum, message=message)


def choice(
    params: Mapping[str, str],
    name: str,
    allowed: tuple[str, ...],
    default: str | None = None,
    *,
    message: str | None = None,
) -> str:
    value = params.get(name) or default
    if value is None or value not in allowed:
        raise ParamError(message or f"Parameter '{name}' must be one of {', '.join(allowed)}")
    return value
