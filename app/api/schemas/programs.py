"""Programs, brands and program syncs."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

Relationship = Literal["joined", "pending", "declined", "not_joined"]
ProgramSyncState = Literal["queued", "running", "succeeded", "failed"]


class CommissionTermOut(BaseModel):
    kind: Literal["percent", "flat"] = Field(
        description="`percent`: `value` is a percentage of the sale; `flat`: an amount."
    )
    value: Decimal = Field(examples=["5.00"])
    currency: str | None = Field(
        description="ISO 4217, for a flat amount; null for a percentage.", examples=[None]
    )
    category: str | None = Field(
        description="The category, action or tier the rate is for, as the network names it.",
        examples=["Electronics"],
    )


class ProgramOut(BaseModel):
    id: uuid.UUID
    connection_id: uuid.UUID
    network: str = Field(examples=["awin"])
    account_id: str = Field(
        description=(
            "The publisher account or site the program was seen through (an Awin publisher "
            "id, a TradeTracker site, an Adtraction channel); empty where the connection "
            "has one."
        ),
        examples=["123456"],
    )
    external_id: str = Field(description="The network's id of the program.", examples=["5432"])
    name: str | None = Field(examples=["Example Shoes"])
    domains: list[str] = Field(examples=[["www.example-shoes.com"]])
    brand_id: str | None = Field(
        description="The merchant's registrable domain: the brand this program belongs to.",
        examples=["example-shoes.com"],
    )
    relationship: Relationship | None = Field(
        description="The publisher's standing with the program; null until the network says."
    )
    network_relationship: str | None = Field(
        description="The network's own word for the relationship.", examples=["approved"]
    )
    terms: list[CommissionTermOut]
    deeplinks: bool | None = Field(
        description="Whether links may point at any page of the merchant; null if unknown."
    )
    tracking_url: str | None = Field(
        description="The network's own click URL for the program, where it gives one."
    )
    created_at: datetime
    updated_at: datetime


class BrandOut(BaseModel):
    id: str = Field(
        description="The merchant's registrable domain, e.g. `example.co.uk`.",
        examples=["example-shoes.com"],
    )
    name: str | None = Field(
        description="The name of its best program (a joined one first).",
        examples=["Example Shoes"],
    )
    networks: list[str] = Field(examples=[["awin", "cj"]])
    program_count: int = Field(description="Programs of the brand across every connection.")
    joined_count: int = Field(description="Of them, how many the publisher has joined.")


class BrandDetail(BrandOut):
    programs: list[ProgramOut] = Field(
        description=(
            "Every program of the brand, the best joined one first (joined before pending "
            "before the rest, then the highest percentage, then the highest flat amount)."
        )
    )


class ProgramSyncOut(BaseModel):
    connection_id: uuid.UUID
    state: ProgramSyncState | None = Field(description="null until a first program sync.")
    synced_at: datetime | None = Field(description="When the last program sync succeeded.")
    error: str | None = Field(description="Why the last program sync failed, if it did.")
