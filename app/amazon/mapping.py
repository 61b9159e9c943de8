"""Report rows to ledger records, with ids that survive re-downloads.

Amazon's files carry no transaction id, so a row's id is a digest of what it says
(report, tracking id, ASIN or bounty name, local date, price, quantities, revenue, fees),
plus `-N` for the N-th identical row within one report table. Why this is stable:

- A download holds a day's rows in full (or, for today, a prefix: later downloads only
  add rows). Identical rows are interchangeable, so numbering them 0..k-1 in any order
  gives the same id set; two uploads that both cover a day give the same ids for it, and
  a later, fuller download of a day adds ids k.. for the extra rows. Overlapping uploads
  therefore never double count, and a legitimate repeat (two identical sales on one day)
  counts twice because it is repeated in the same table.
- Cosmetic fields (product name, category, seller, device, direct flag) are left out of
  the key: Amazon renames products, and a rename must not look like a new sale. Two rows
  that differ only there share a digest and are told apart by N (their ids may swap
  between uploads; their amounts are equal, so totals do not move).
- Values are normalised first (money rounded to the minor unit, dates as ISO), so an XLSX
  and a CSV of the same download give the same ids.

Limits: if Amazon changes a row's amounts after it was imported (an adjusted fee), or drops
a row, the old id stays and the new row is added: that needs a period-replacing import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from app.amazon.markets import Marketplace, minor_units
from app.amazon.reports import SPECS, ReportKind, ReportTable
from app.amazon.values import Cell, CellError, to_count, to_datetime, to_decimal, to_money, to_text
from app.ledger.records import TransactionRecord

ADVERTISER_ID = "amazon"  # Amazon is the one advertiser: one program per connection
_TOTAL_WORDS = ("total", "totale", "gesamt", "totaal", "合計")
_PREFIX = {ReportKind.EARNINGS: "amzE", ReportKind.ORDERS: "amzO", ReportKind.BOUNTY: "amzB"}


@dataclass(frozen=True, slots=True)
class DailyStat:
    """One day of the store's traffic (Fee-DailyTrends). `day` is the marketplace's date."""

    day: date
    clicks: int
    ordered_items: int
    ordered_items_amazon: int | None = None
    ordered_items_third_party: int | None = None
    conversion: Decimal | None = None  # percent, e.g. 3.27
    tracking_id: str | None = None  # daily trends are per store, not per tracking id
    advertiser_id: str = ADVERTISER_ID


@dataclass(frozen=True, slots=True)
class TrackingTotals:
    """A Fee-Tracking row: one tracking id's totals over the report's period."""

    tracking_id: str
    clicks: int
    items_ordered: int
    items_shipped: int
    revenue: Decimal
    ad_fees: Decimal


@dataclass(frozen=True, slots=True)
class LinkTypeTotals:
    """A Fee-LinkType row: one link type's totals over the report's period."""

    link_type: str
    clicks: int
    items_ordered: int
    items_shipped: int
    ad_fees: Decimal
    ordered_revenue: Decimal | None = None
    revenue: Decimal | None = None
    conversion: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderedItem:
    """A Fee-Orders row: an item ordered through a link, not money yet (it may be
    cancelled, and its commission shows only once it ships, in Fee-Earnings)."""

    record: TransactionRecord
    quantity: int


@dataclass(slots=True)
class OrderedDay:
    """One marketplace day of ordered items and what they are worth."""

    day: date
    items: int = 0
    amount: Decimal = Decimal(0)


Mapped = TransactionRecord | OrderedItem | DailyStat | TrackingTotals | LinkTypeTotals


@dataclass
class MapContext:
    currency: str
    market: Marketplace
    timezone: str
    quantum: Decimal = field(init=False)
    zone: ZoneInfo = field(init=False)
    utc: Callable[[datetime], datetime] = field(init=False)  # local report time -> UTC
    local_day: Callable[[datetime], date] = field(init=False)  # UTC -> marketplace date
    decimal_comma: bool = field(init=False)

    def __post_init__(self) -> None:
        self.quantum = Decimal(1).scaleb(-minor_units(self.currency))
        self.zone = ZoneInfo(self.timezone)
        # Report dates repeat (one per day at midnight): cache their conversion.
        self.utc = lru_cache(maxsize=4096)(self._utc)
        self.local_day = lru_cache(maxsize=4096)(lambda at: at.astimezone(self.zone).date())
        self.decimal_comma = self.market.decimal_comma

    def _utc(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.zone).astimezone(UTC)


def is_total_or_blank(cells: list[Cell]) -> bool:
    """Blank rows and the totals line some exports end with carry no record."""
    for cell in cells:
        text = cell.strip() if type(cell) is str else to_text(cell)
        if text:
            return text.lower().startswith(_TOTAL_WORDS)
    return True


class RowMapper:
    """Maps one table's rows; keeps that table's occurrence counter for ids."""

    def __init__(self, table: ReportTable, ctx: MapContext) -> None:
        self.table = table
        self.ctx = ctx
        self._seen: dict[bytes, int] = {}
        self._map: Callable[[list[Cell]], Mapped | None] = getattr(
            self, "_" + table.kind.name.lower()
        )
        # Rows are padded to the header's width plus one empty cell, which is where
        # columns this file does not have point: every lookup is a plain index.
        self._width = max([len(table.header), *(i + 1 for i in table.columns.values())])
        self._ix = {name: self._width for spec in SPECS.values() for name in spec[0] + spec[1]}
        self._ix.update(table.columns)
        self._raw_columns = [(i, h) for i, h in enumerate(table.header) if h]
        self._column = ""  # the column being converted, named when a cell is wrong
        self._prefix = _PREFIX.get(table.kind, "amz")

    def map(self, cells: list[Cell]) -> Mapped | None:
        """A record for the row, None to skip it; CellError names the column at fault."""
        if is_total_or_blank(cells):
            return None
        missing = self._width + 1 - len(cells)
        if missing > 0:
            cells = [*cells, *([""] * missing)]
        try:
            return self._map(cells)
        except CellError as exc:
            index = self.table.columns.get(self._column)
            header = self.table.header[index] if index is not None else self._column
            raise CellError(f"column {header!r}: {exc}") from None

    def _cell(self, cells: list[Cell], name: str) -> Cell:
        self._column = name
        return cells[self._ix[name]]

    def _get(self, cells: list[Cell], name: str, convert: Callable[..., Any], **kw: Any) -> Any:
        return convert(self._cell(cells, name), **kw)

    def _money(self, cells: list[Cell], name: str) -> Decimal:
        ctx = self.ctx
        return to_money(self._cell(cells, name), ctx.quantum, decimal_comma=ctx.decimal_comma)

    def _opt(self, cells: list[Cell], name: str, convert: Callable[..., Any], **kw: Any) -> Any:
        value = self._cell(cells, name)
        return None if to_text(value) == "" else convert(value, **kw)

    def _text(self, cells: list[Cell], name: str, *, required: bool = False) -> str:
        cell = self._cell(cells, name)
        text = cell.strip() if type(cell) is str else to_text(cell)
        if required and not text:
            raise CellError("is empty")
        return text

    def _date(self, cells: list[Cell], name: str) -> datetime:
        return to_datetime(self._cell(cells, name), day_first=self.ctx.market.day_first)

    def _id(self, parts: tuple[str, ...]) -> str:
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).digest()
        n = self._seen.get(digest, 0)
        self._seen[digest] = n + 1
        return f"{self._prefix}-{digest.hex()}" + (f"-{n}" if n else "")

    def _record(
        self, cells: list[Cell], tracking_id: str, local: datetime, **kw: Any
    ) -> TransactionRecord:
        ctx = self.ctx
        event_at = ctx.utc(local)
        raw = {
            h: c.strip() if type(c := cells[i]) is str else to_text(c) for i, h in self._raw_columns
        }
        raw["report"] = self.table.kind.value
        name = self._text(cells, "name")
        return TransactionRecord(
            event_at=event_at,
            currency=ctx.currency,
            raw=raw,
            click_ref=tracking_id,
            sub_ids={"tracking_id": tracking_id},
            advertiser_id=ADVERTISER_ID,
            advertiser_name=ctx.market.advertiser_name,
            country=ctx.market.country,
            device=self._text(cells, "device") or None,
            product=(name or self._text(cells, "asin"))[:500] or None,
            source_timezone=ctx.timezone,
            **kw,
        )

    def _earnings(self, cells: list[Cell]) -> TransactionRecord | None:
        asin = self._text(cells, "asin").upper()
        if not asin:
            return None  # a totals line without an ASIN
        asin = asin.zfill(10) if asin.isdigit() else asin  # ISBN ASINs lose leading zeros
        tag = self._text(cells, "tracking_id", required=True)
        local = self._date(cells, "date_shipped")
        price, revenue, fees = (self._money(cells, c) for c in ("price", "revenue", "ad_fees"))
        shipped = self._get(cells, "items_shipped", to_count)
        returned = self._get(cells, "returns", to_count)
        word = (
            "Returned"
            if returned and not shipped
            else "Shipped and returned"
            if returned
            else "Shipped"
        )
        key = ("E", tag, asin, local.isoformat(), str(price), str(shipped), str(returned))
        return self._record(
            cells,
            tag,
            local,
            external_id=self._id((*key, str(revenue), str(fees))),
            # Earnings are final: Amazon pays them ~60 days after the month. A return is its
            # own negative line, approved too, so approved totals are net of returns.
            status="approved",
            network_status=word,
            commission_amount=fees,
            sale_amount=revenue,
            validated_at=self.ctx.utc(local),
        )

    def _orders(self, cells: list[Cell]) -> OrderedItem | None:
        asin = self._text(cells, "asin").upper()
        if not asin:
            return None
        asin = asin.zfill(10) if asin.isdigit() else asin
        tag = self._text(cells, "tracking_id", required=True)
        local = self._date(cells, "date")
        price = self._money(cells, "price")
        qty = self._get(cells, "qty", to_count)
        record = self._record(
            cells,
            tag,
            local,
            external_id=self._id(("O", tag, asin, local.isoformat(), str(price), str(qty))),
            # An ordered item is not money yet (it may be cancelled) and the file shows no
            # fee: pending with zero commission, the order value as the sale.
            status="pending",
            network_status="Ordered",
            commission_amount=Decimal(0).quantize(self.ctx.quantum),
            sale_amount=(price * qty).quantize(self.ctx.quantum),
        )
        return OrderedItem(record, qty)

    def _bounty(self, cells: list[Cell]) -> TransactionRecord | None:
        tag = self._text(cells, "tracking_id", required=True)
        local = self._date(cells, "date_shipped")
        fees = self._money(cells, "ad_fees")
        qty = self._opt(cells, "quantity", to_count)
        name = self._text(cells, "name")
        key = ("B", tag, name, local.isoformat(), str(qty), str(fees))
        return self._record(
            cells,
            tag,
            local,
            external_id=self._id(key),
            status="approved",
            network_status="Bounty",
            commission_amount=fees,
            validated_at=self.ctx.utc(local),
        )

    def _daily_trends(self, cells: list[Cell]) -> DailyStat:
        dc = self.ctx.market.decimal_comma
        return DailyStat(
            day=self._date(cells, "date").date(),
            clicks=self._get(cells, "clicks", to_count),
            ordered_items=self._get(cells, "total_items_ordered", to_count),
            ordered_items_amazon=self._opt(cells, "items_ordered_amazon", to_count),
            ordered_items_third_party=self._opt(cells, "items_ordered_3p", to_count),
            conversion=self._opt(cells, "conversion", to_decimal, decimal_comma=dc),
        )

    def _tracking(self, cells: list[Cell]) -> TrackingTotals:
        return TrackingTotals(
            tracking_id=self._text(cells, "tracking_id", required=True),
            clicks=self._get(cells, "clicks", to_count),
            items_ordered=self._get(cells, "items_ordered", to_count),
            items_shipped=self._get(cells, "items_shipped", to_count),
            revenue=self._money(cells, "revenue"),
            ad_fees=self._money(cells, "ad_fees"),
        )

    def _link_type(self, cells: list[Cell]) -> LinkTypeTotals:
        dc = self.ctx.market.decimal_comma
        money = {"quantum": self.ctx.quantum, "decimal_comma": dc}
        return LinkTypeTotals(
            link_type=self._text(cells, "link_type", required=True),
            clicks=self._get(cells, "clicks", to_count),
            items_ordered=self._get(cells, "items_ordered", to_count),
            items_shipped=self._get(cells, "items_shipped", to_count),
            ad_fees=self._money(cells, "ad_fees"),
            ordered_revenue=self._opt(cells, "ordered_revenue", to_money, **money),
            revenue=self._opt(cells, "revenue", to_money, **money),
            conversion=self._opt(cells, "conversion", to_decimal, decimal_comma=dc),
        )
