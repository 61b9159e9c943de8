"""Post Affiliate Pro's RPC shapes for the sandbox: the `D=<json>` envelope, form answers
(the login) and the grid engine every `getRows` shares (notes §1-§2).

A grid request names `columns` (`[["id"], ["commission"], ...]`: only those and `id` come
back; none: the default view), `filters` (`[code, operator, value]`; an unknown code is
ignored, an unknown operator is an error; a bare date gets 00:00:00 for `D>`/`D>=` and
23:59:59 for `D<`/`D<=`), `sort_col`/`sort_asc`, `offset` and `limit` (30 when absent,
at most `max_rows`). An offset past the total steps back by `limit` until it is not: a
page past the end repeats the last page. The answer is `{"rows": [header, *rows],
"count": total}`, every value a string or null.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request

from app.sandbox.base import ParamError

Record = Mapping[str, str | None]
DEFAULT_LIMIT = 30


async def envelope(request: Request) -> dict[str, Any]:
    """The dispatcher envelope in the form field `D`."""
    form = await request.form()
    raw = form.get("D")
    try:
        env = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        env = None
    calls = env.get("requests", env.get("R")) if isinstance(env, dict) else None
    if not isinstance(calls, list) or not calls or not all(isinstance(c, dict) for c in calls):
        raise ParamError("Invalid request: D must be a Gpf_Rpc_Server envelope with requests")
    assert isinstance(env, dict)
    return env


def calls(env: Mapping[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = env.get("requests", env.get("R"))
    return found


def form_fields(call: Mapping[str, Any]) -> dict[str, str]:
    """A form request's `fields` table: row 0 is a header; cells 0 and 1 are read."""
    table = call.get("fields")
    rows = table[1:] if isinstance(table, list) else []
    return {str(r[0]): str(r[1]) for r in rows if isinstance(r, list) and len(r) >= 2}


def form_answer(fields: Sequence[tuple[str, str | None]], success: bool, message: str) -> dict:
    table: list[list[Any]] = [["name", "value", "values", "error"]]
    table += [[name, value, None, ""] for name, value in fields]
    return {"fields": table, "success": "Y" if success else "N", "message": message}


def _moment(value: str, op: str) -> str:
    if len(value) == 10:
        return value + (" 00:00:00" if op in ("D>", "D>=") else " 23:59:59")
    return value


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ParamError(f"Value '{value}' is not a number") from exc


def _test(op: str, value: Any) -> Callable[[str | None], bool]:
    text = str(value)
    if op.startswith("D") and op != "DP":
        bound = _moment(text, op)
        same_day = op == "D=" and len(text) == 10
        compare = {
            "D=": lambda v: (v[:10] == text) if same_day else v == bound,
            "D>": lambda v: v > bound,
            "D<": lambda v: v < bound,
            "D>=": lambda v: v >= bound,
            "D<=": lambda v: v <= bound,
        }.get(op)
        if compare is not None:
            return lambda v: v is not None and bool(compare(v))
    if op in ("E", "NE"):
        return lambda v: (v == text) == (op == "E")
    if op in ("L", "NL"):
        return lambda v: (text.lower() in (v or "").lower()) == (op == "L")
    if op in ("IN", "NOT IN"):
        allowed = {part.strip() for part in text.split(",")}
        return lambda v: (v in allowed) == (op == "IN")
    if op in ("=", ">", "<", ">=", "<="):
        bound_number = _number(value)
        pick: Callable[[Decimal], bool] = {
            "=": bound_number.__eq__,
            ">": bound_number.__lt__,
            "<": bound_number.__gt__,
            ">=": bound_number.__le__,
            "<=": bound_number.__ge__,
        }[op]
        return lambda v: v not in (None, "") and pick(_number(v))
    raise ParamError(f"Unknown filter operator '{op}'")


def grid(
    call: Mapping[str, Any],
    records: Sequence[Record],
    default_columns: Sequence[str],
    max_rows: int,
) -> dict[str, Any]:
    """One `getRows` answer over `records` (each holds every data column)."""
    known = set(records[0]) if records else set(default_columns) | {"id"}
    selected = list(records)
    for item in call.get("filters") or []:
        if not isinstance(item, list) or len(item) != 3:
            raise ParamError("Invalid filter: expected [code, operator, value]")
        code, op, value = item
        if code in known:  # any other code is silently ignored, as PAP does
            test = _test(str(op), value)
            selected = [r for r in selected if test(r.get(code))]
    sort_col = call.get("sort_col")
    if sort_col in known:
        descending = str(call.get("sort_asc", "true")).lower() != "true"
        selected.sort(key=lambda r: (r.get(sort_col) or "", r.get("id") or ""), reverse=descending)
    asked = [c[0] if isinstance(c, list) and c else c for c in call.get("columns") or []]
    columns = ["id", *[c for c in asked or default_columns if c in known and c != "id"]]
    columns = list(dict.fromkeys(columns))
    count = len(selected)
    limit = _int(call.get("limit"), 0)
    limit = min(limit if limit > 0 else DEFAULT_LIMIT, max_rows)
    offset = max(0, _int(call.get("offset"), 0))
    while offset > count:
        offset = max(0, offset - limit)
    page = selected[offset : offset + limit]
    return {"rows": [columns, *[[r.get(c) for c in columns] for r in page]], "count": count}


def _int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ParamError(f"Invalid number '{value}'") from exc
