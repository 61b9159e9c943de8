"""Tracking links: one, a batch, the ways to earn on a URL, and a link's check."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from app.api.schemas.common import Problem
from app.api.schemas.programs import ProgramOut

LINK_EXAMPLE = "https://www.awin1.com/cread.php?awinmid=5432&awinaffid=123456&clickref=post-17&ued=https%3A%2F%2Fwww.example-shoes.com%2Fsale"


class LinkCreate(BaseModel):
    connection_id: uuid.UUID
    destination_url: str = Field(
        max_length=4096,
        description="The page to send the reader to: an absolute http(s) URL.",
        examples=["https://www.example-shoes.com/sale"],
    )
    program_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "The program to earn through. Optional: where left out, the connection's joined "
            "program on the destination's domain, or none where the network finds the "
            "merchant from the destination (Skimlinks, Sovrn, Amazon)."
        ),
    )
    sub_id: str | None = Field(
        default=None,
        max_length=512,
        description=(
            "Your own reference (an article, a placement): comes back as the sale's "
            "`click_ref`. Each network's length and character limits apply; on Amazon it "
            "is one of the connection's tracking ids."
        ),
        examples=["post-17"],
    )


class LinkOut(BaseModel):
    url: str = Field(examples=[LINK_EXAMPLE])
    network: str = Field(examples=["awin"])
    connection_id: uuid.UUID
    program_id: uuid.UUID | None
    sub_id: str | None = Field(examples=["post-17"])
    method: Literal["template", "network_api"] = Field(
        description=(
            "`template`: built offline from the network's link format; `network_api`: made "
            "by the network's own link API (counted against its budget, cached)."
        )
    )


class LinkBatch(BaseModel):
    items: list[LinkCreate] = Field(min_length=1, max_length=1000)


class LinkResult(BaseModel):
    """One item's outcome: `link` when it was built, else `problem` (RFC 9457) naming what
    is wrong with it."""

    index: int
    link: LinkOut | None = None
    problem: Problem | None = None


class LinkBatchOut(BaseModel):
    data: list[LinkResult]


class ConnectionRef(BaseModel):
    id: uuid.UUID
    network: str
    nickname: str


class LinkOptionOut(BaseModel):
    connection: ConnectionRef
    program: ProgramOut | None = Field(
        description="null where the network finds the merchant from the destination."
    )
    can_link: bool
    reason: str | None = Field(description="Why no link can be made here, when it cannot.")


class LinkOptions(BaseModel):
    url: str
    brand_id: str | None = Field(description="The URL's registrable domain.")
    data: list[LinkOptionOut]


class LinkCheckRequest(BaseModel):
    url: str = Field(max_length=4096, examples=[LINK_EXAMPLE])
    program_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "The program the link is for: its domain is where the link should land. Else "
            "the domain of the destination the link carries."
        ),
    )


class HopOut(BaseModel):
    url: str
    status: int | None
    location: str | None
    error: str | None


class LinkCheckOut(BaseModel):
    url: str
    hops: list[HopOut]
    final_url: str | None
    final_status: int | None
    ok: bool = Field(description="The last hop answered 2xx.")
    lands_on: str | None = Field(description="The registrable domain the link ends on.")
    expected_domain: str | None
    on_expected_domain: bool | None
    tracking_intact: bool | None = Field(
        description=(
            "Lands on the expected domain with every parameter of the destination (and, for "
            "links on the merchant's own site, of the link itself) still there."
        )
    )
    error: str | None = Field(description="Why the check stopped early (a refused host...).")
