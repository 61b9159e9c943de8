"""Reports: performance in one currency, and insights."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.deps import CurrentWorkspace, RuntimeDep, Session
from app.api.schemas.common import problem_responses
from app.api.schemas.reports import Insights, PerformanceReport
from app.catalog.checks import check_currency
from app.errors import FieldError, ValidationFailed
from app.reporting.cache import accepts_gzip, cached_gzip, cached_json
from app.reporting.insights import TOP, insights
from app.reporting.performance import (
    FILTER_KEYS,
    GROUP_KEYS,
    Report,
    ReportRequest,
    ReportRow,
    money,
    performance,
    ratio,
)

router = APIRouter(prefix="/v1", tags=["reports"])
MAX_DAYS = 3 * 366


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def _row_json(report: Report, row: ReportRow) -> dict[str, Any]:
    currency = report.request.currency
    out: dict[str, Any] = {}
    for key, value in row.keys.items():
        if key == "connection":
            out["connection_id"] = str(value)
            out["connection_name"] = report.names["connection"].get(str(value))
        elif key == "program":
            out["program_id"] = str(value) if value else None
            out["program_name"] = report.names["program"].get(str(value)) if value else None
        else:
            out[key] = value.isoformat() if isinstance(value, date) else value
    decided = sum(row.count_by_status.get(s, 0) for s in ("approved", "paid", "declined"))
    kept = row.count_by_status.get("approved", 0) + row.count_by_status.get("paid", 0)
    out |= {
        "transactions": row.transactions,
        "sale_amount": money(row.sale, currency),
        "commission_amount": money(row.commission, currency),
        **{
            f"{s}_commission": money(row.by_status.get(s, Decimal(0)), currency)
            for s in ("pending", "approved", "declined", "paid")
        },
        "average_order_value": money(row.sale / row.transactions, currency)
        if row.transactions
        else None,
        "approval_rate": ratio(kept, decided),
        "reversal_rate": ratio(row.count_by_status.get("declined", 0), decided),
        "clicks": row.clicks,
        "epc": money(row.commission / row.clicks, currency) if row.clicks else None,
        "conversion_rate": ratio(row.transactions, row.clicks) if row.clicks else None,
        "ordered_items": row.ordered_items,
        "ordered_amount": money(row.ordered_amount, currency),
        "unconverted": [
            {
                "currency": u["currency"],
                "transactions": u["transactions"],
                "sale_amount": money(u["sale_amount"], u["currency"]),
                "commission_amount": money(u["commission_amount"], u["currency"]),
            }
            for u in row.unconverted
        ],
    }
    return out


def _csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buffer = io.StringIO()
    columns = [c for c in rows[0] if c != "unconverted"] + ["unconverted"]
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        flat = {**row}
        flat["unconverted"] = "; ".join(
            f"{u['currency']} {u['commission_amount']}" for u in row["unconverted"]
        )
        writer.writerow(flat)
    return buffer.getvalue()


@router.get(
    "/reports/performance",
    operation_id="performanceReport",
    response_model=PerformanceReport,
    responses={
        **problem_responses(401, 422),
        200: {"content": {"text/csv": {}}, "description": "The report (JSON, or CSV)"},
    },
)
async def performance_report(
    request: Request,
    session: Session,
    workspace: CurrentWorkspace,
    runtime: RuntimeDep,
    start: date | None = Query(default=None, description="First day. Default: 29 days before end."),
    end: date | None = Query(default=None, description="Last day, inclusive. Default: today."),
    group_by: str = Query(
        default="network",
        description=f"Comma-separated, any of: {', '.join(GROUP_KEYS)}.",
        examples=["network,day"],
    ),
    currency: str | None = Query(default=None, description="ISO 4217. Default: the workspace's."),
    network: str | None = Query(default=None, description="Comma-separated slugs."),
    connection_id: str | None = Query(default=None, description="Comma-separated ids."),
    program: str | None = Query(default=None, description="Comma-separated program ids."),
    status: str | None = Query(default=None, description="Comma-separated statuses."),
    click_ref: str | None = Query(default=None),
    country: str | None = Query(default=None),
    device: str | None = Query(default=None),
) -> Response:
    """Transactions, sales and commission by any combination of keys, converted to one
    currency at each day's ECB rate. `Accept: text/csv` returns CSV."""
    errors: list[FieldError] = []
    end = end or _today(workspace.timezone)
    start = start or end - timedelta(days=29)
    if start > end:
        errors.append(FieldError("start", "must not be after end"))
    elif (end - start).days > MAX_DAYS:
        errors.append(FieldError("start", f"reports span at most {MAX_DAYS} days"))
    keys = _split(group_by)
    unknown = [k for k in keys if k not in GROUP_KEYS]
    if unknown or len(set(keys)) != len(keys):
        errors.append(
            FieldError("group_by", f"must be distinct keys among: {', '.join(GROUP_KEYS)}")
        )
    if sum(k in ("day", "week", "month") for k in keys) > 1:
        errors.append(FieldError("group_by", "takes one of day, week or month"))
    target = (currency or workspace.currency).upper()
    if message := check_currency(target):
        errors.append(FieldError("currency", message))
    raw_filters = {
        "network": network,
        "connection": connection_id,
        "program": program,
        "status": status,
        "click_ref": click_ref,
        "country": country,
        "device": device,
    }
    filters = {k: _split(v) for k, v in raw_filters.items() if _split(v)}
    for name in ("connection", "program"):
        for value in filters.get(name, ()):
            try:
                uuid.UUID(value)
            except ValueError:
                errors.append(
                    FieldError(f"{name}_id" if name == "connection" else name, "is not an id")
                )
    if errors:
        raise ValidationFailed(errors)
    assert set(filters) <= set(FILTER_KEYS)
    report_request = ReportRequest(workspace.id, start, end, keys, target, filters)

    async def compute() -> dict[str, Any]:
        report = await performance(session, report_request)
        return {
            "currency": target,
            "timezone": workspace.timezone,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "group_by": list(keys),
            "rates": {
                "source": "ECB euro reference rates",
                "first_rate_date": _iso(report.rate_dates[0]),
                "last_rate_date": _iso(report.rate_dates[1]),
            },
            "data": [_row_json(report, row) for row in report.rows],
        }

    params = {"request": report_request, "timezone": workspace.timezone}
    cached = await cached_gzip(runtime.redis, workspace.id, "performance", params, compute)
    # The body depends on Accept (JSON or CSV) and on Accept-Encoding (the cached gzip
    # bytes as they are, or decompressed for clients that do not take gzip).
    vary = {"Vary": "Accept, Accept-Encoding"}
    if "text/csv" in request.headers.get("accept", ""):
        rows = json.loads(cached.json())["data"]
        return Response(_csv(rows), media_type="text/csv; charset=utf-8", headers=vary)
    if accepts_gzip(request.headers.get("accept-encoding")):
        headers = {**vary, "Content-Encoding": "gzip"}
        return Response(cached.gzipped, media_type="application/json", headers=headers)
    return Response(cached.json(), media_type="application/json", headers=vary)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@router.get(
    "/insights",
    operation_id="insights",
    response_model=Insights,
    responses=problem_responses(401, 422),
)
async def get_insights(
    session: Session,
    workspace: CurrentWorkspace,
    runtime: RuntimeDep,
    days: int = Query(default=30, ge=1, le=366, description="Length of the period compared."),
    currency: str | None = Query(default=None),
) -> Insights:
    """This period against the previous one (top movers by network and program), commission
    anomalies, pending commission by age, and connections that are failing or stale."""
    target = (currency or workspace.currency).upper()
    if message := check_currency(target):
        raise ValidationFailed([FieldError("currency", message)])
    today = _today(workspace.timezone)
    params = {"days": days, "currency": target, "today": today, "tz": workspace.timezone}

    async def compute() -> dict[str, Any]:
        result = await insights(session, workspace.id, target, today, runtime.settings, days)
        return _insights_json(result, target)

    body = await cached_json(runtime.redis, workspace.id, "insights", params, compute)
    return Insights.model_validate_json(body)


def _insights_json(result: Any, target: str) -> dict[str, Any]:

    def movers(items: list[Any], up: bool) -> list[dict[str, Any]]:
        chosen = sorted(
            (m for m in items if (m.change > 0 if up else m.change < 0)),
            key=lambda m: m.change,
            reverse=up,
        )[:TOP]
        return [
            {
                "key": m.key,
                "name": m.name,
                "current": money(m.current, target),
                "previous": money(m.previous, target),
                "change": money(m.change, target),
                "change_ratio": ratio(m.change, m.previous),
            }
            for m in chosen
        ]

    return {
        "currency": target,
        "period_start": result.period[0],
        "period_end": result.period[1],
        "previous_start": result.previous[0],
        "previous_end": result.previous[1],
        "commission": money(result.commission[0], target),
        "previous_commission": money(result.commission[1], target),
        "networks_up": movers(result.networks, True),
        "networks_down": movers(result.networks, False),
        "programs_up": movers(result.programs, True),
        "programs_down": movers(result.programs, False),
        "anomalies": [
            {
                **a,
                "commission": money(a["commission"], target),
                "trailing_average": money(a["trailing_average"], target),
                "ratio": ratio(a["ratio"], 1, "0.01"),
            }
            for a in result.anomalies
        ],
        "pending_by_age": [
            {"age": label, "transactions": n, "commission": money(c, target)}
            for label, n, c in result.pending
        ],
        "connections_needing_attention": result.attention,
    }
