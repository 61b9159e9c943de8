"""Performance reports and insights."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Unconverted(BaseModel):
    currency: str
    transactions: int
    sale_amount: str | None
    commission_amount: str


class PerformanceRow(BaseModel):
    """One group. Only the keys asked for in `group_by` are present; money is in the
    report's currency, rates are decimal fractions (`0.8125` = 81.25%)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "network": "awin",
                    "day": "2026-11-20",
                    "transactions": 12,
                    "sale_amount": "1043.20",
                    "commission_amount": "88.10",
                    "pending_commission": "60.00",
                    "approved_commission": "20.10",
                    "declined_commission": "8.00",
                    "paid_commission": "0.00",
                    "average_order_value": "86.93",
                    "approval_rate": "0.7143",
                    "reversal_rate": "0.2857",
                    "clicks": None,
                    "epc": None,
                    "conversion_rate": None,
                    "ordered_items": None,
                    "ordered_amount": None,
                    "unconverted": [],
                }
            ]
        },
    )

    network: str | None = None
    connection_id: str | None = None
    connection_name: str | None = None
    program_id: str | None = None
    program_name: str | None = None
    day: date | None = None
    week: date | None = Field(default=None, description="The Monday the ISO week starts on.")
    month: date | None = Field(default=None, description="The month's first day.")
    status: str | None = None
    click_ref: str | None = None
    country: str | None = None
    device: str | None = None
    transactions: int
    sale_amount: str
    commission_amount: str
    pending_commission: str
    approved_commission: str
    declined_commission: str
    paid_commission: str
    average_order_value: str | None
    approval_rate: str | None = Field(description="(approved + paid) / decided lines.")
    reversal_rate: str | None = Field(description="declined / decided lines.")
    clicks: int | None = Field(description="Where the network reports clicks; else null.")
    epc: str | None = Field(description="Commission per click.")
    conversion_rate: str | None = Field(description="Lines per click.")
    ordered_items: int | None = Field(
        default=None,
        description="Items ordered through the publisher's links, where the network reports "
        "them (Amazon's daily trends and orders); else null. Not commission yet.",
    )
    ordered_amount: str | None = Field(
        default=None,
        description="What those ordered items are worth before they ship (Amazon's orders "
        "report), converted: what is coming. Null where no orders were reported or a day "
        "had no exchange rate.",
    )
    unconverted: list[Unconverted] = Field(
        description="Amounts in currencies with no exchange rate on their day: not in the "
        "converted totals, listed here in their own currency."
    )


class RateInfo(BaseModel):
    source: str = "ECB euro reference rates"
    first_rate_date: date | None
    last_rate_date: date | None


class PerformanceReport(BaseModel):
    currency: str
    timezone: str = Field(description="The zone days are cut in (the workspace's).")
    start: date
    end: date
    group_by: list[str]
    rates: RateInfo
    data: list[PerformanceRow]


class Mover(BaseModel):
    key: str = Field(description="Network slug or program id.")
    name: str | None
    current: str
    previous: str
    change: str
    change_ratio: str | None


class Anomaly(BaseModel):
    connection_id: str
    connection_name: str
    network: str
    day: date
    commission: str
    trailing_average: str
    ratio: str | None
    direction: str = Field(description="`spike` or `drop`.")


class PendingAge(BaseModel):
    age: str = Field(examples=["0-30 days"])
    transactions: int
    commission: str


class ConnectionHealth(BaseModel):
    connection_id: str
    connection_name: str
    network: str
    status: str
    problem: str = Field(description="`failing` or `stale`.")
    last_success_at: str | None
    last_error: dict[str, str | None] | None


class Insights(BaseModel):
    currency: str
    period_start: date
    period_end: date
    previous_start: date
    previous_end: date
    commission: str
    previous_commission: str
    networks_up: list[Mover]
    networks_down: list[Mover]
    programs_up: list[Mover]
    programs_down: list[Mover]
    anomalies: list[Anomaly]
    pending_by_age: list[PendingAge]
    connections_needing_attention: list[ConnectionHealth]
