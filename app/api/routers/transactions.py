"""Transactions across every connection, filtered and cursor-paginated."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.api.deps import CurrentWorkspace, RuntimeDep, Session
from app.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, cut_page, decode_cursor
from app.api.schemas.common import Page, problem_responses
from app.api.schemas.transactions import ProgramRef, Status, TransactionOut
from app.errors import FieldError, ValidationFailed
from app.ledger import queries
from app.ledger.export import transactions_csv
from app.models import Program, Transaction

router = APIRouter(prefix="/v1/transactions", tags=["transactions"])


def transaction_out(row: Transaction, program: Program | None) -> TransactionOut:
    return TransactionOut(
        id=row.id,
        connection_id=row.connection_id,
        network=row.network,
        external_id=row.external_id,
        status=row.status,
        network_status=row.network_status,
        event_at=row.event_at,
        click_at=row.click_at,
        validated_at=row.validated_at,
        source_timezone=row.source_timezone,
        order_id=row.order_id,
        click_ref=row.click_ref,
        sub_ids=row.sub_ids,
        program=ProgramRef(
            id=row.program_id,
            external_id=row.advertiser_external_id,
            name=(program.name if program else None) or row.advertiser_name,
        ),
        sale_amount=row.sale_amount,
        commission_amount=row.commission_amount,
        currency=row.currency,
        country=row.country,
        device=row.device,
        product=row.product,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.get(
    "",
    operation_id="listTransactions",
    response_model=Page[TransactionOut],
    responses={
        **problem_responses(401, 422),
        200: {
            "content": {"text/csv": {}},
            "description": "A page of lines (JSON), or every matching line as streamed CSV",
        },
    },
)
async def list_transactions(
    request: Request,
    session: Session,
    workspace: CurrentWorkspace,
    runtime: RuntimeDep,
    start: date | None = Query(default=None, description="First event date (workspace timezone)."),
    end: date | None = Query(default=None, description="Last event date, inclusive."),
    network: str | None = Query(default=None, examples=["awin"]),
    connection_id: uuid.UUID | None = Query(default=None),
    program: uuid.UUID | None = Query(default=None, description="A program id."),
    status: Status | None = Query(default=None),
    click_ref: str | None = Query(default=None),
    updated_since: datetime | None = Query(
        default=None, description="Only lines created or changed since (ISO 8601)."
    ),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(default=None),
) -> Page[TransactionOut] | StreamingResponse:
    """Commission lines, newest event first. With `Accept: text/csv`, every matching line
    streams as CSV (no pagination; constant memory however many there are)."""
    if start and end and start > end:
        raise ValidationFailed([FieldError("start", "must not be after end")])
    after = None
    if cursor:
        at, last_id = decode_cursor(cursor, 2)
        after = (datetime.fromisoformat(at), uuid.UUID(last_id))
    filters = queries.TransactionFilter(
        start=start,
        end=end,
        network=network,
        connection_id=connection_id,
        program_id=program,
        status=status,
        click_ref=click_ref,
        updated_since=updated_since,
    )
    if "text/csv" in request.headers.get("accept", ""):
        return StreamingResponse(
            transactions_csv(runtime.sessions, workspace.id, workspace.timezone, filters, after),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="transactions.csv"'},
        )
    found = await queries.list_transactions(
        session, workspace.id, workspace.timezone, filters, after=after, limit=limit + 1
    )
    rows, next_cursor = cut_page(
        found, limit, lambda pair: [pair[0].event_at.isoformat(), str(pair[0].id)]
    )
    return Page[TransactionOut](
        data=[transaction_out(t, p) for t, p in rows], next_cursor=next_cursor
    )
