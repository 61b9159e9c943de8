"""Transactions: one commission line from a network."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["pending", "approved", "declined", "paid"]


class ProgramRef(BaseModel):
    id: uuid.UUID | None
    external_id: str | None = Field(description="The network's advertiser id.")
    name: str | None


class TransactionOut(BaseModel):
    id: uuid.UUID
    connection_id: uuid.UUID
    network: str = Field(examples=["awin"])
    external_id: str = Field(description="The network's own id for this line.")
    status: Status
    network_status: str = Field(description="The network's own status word.", examples=["pending"])
    event_at: datetime
    click_at: datetime | None
    validated_at: datetime | None
    source_timezone: str = Field(description="The IANA zone the network reported times in.")
    order_id: str | None
    click_ref: str | None = Field(description="The publisher's sub-id (click reference).")
    sub_ids: dict[str, str]
    program: ProgramRef
    sale_amount: Decimal | None = Field(examples=["44.76"])
    commission_amount: Decimal = Field(examples=["4.48"])
    currency: str = Field(description="ISO 4217: the amounts' original currency.", examples=["GBP"])
    country: str | None
    device: str | None
    product: str | None
    created_at: datetime
    updated_at: datetime
