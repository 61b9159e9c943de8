"""Parse an Amazon Download Reports upload into batches of ledger records.

One pass, bounded memory: the zip is read entry by entry, workbooks sheet by sheet in
chunks, and records leave in batches of `batch_size`. What stays in memory for the whole
run is small: the summary, per-tracking-id totals, and one occurrence counter per report
table (about 100 bytes per distinct row while that table is read).

Failure policy:
- A row whose cells do not parse is skipped and listed (file, sheet, row, message); past
  `max_row_errors` such rows the upload fails (the file is evidently not what we think).
- Anything that makes the whole upload wrong fails it: unsafe archive, no report, missing
  columns, another currency, and a tracking id of another store (`StoreIdMismatch`).
  These can surface after batches were yielded (a foreign tag on row 700,000), so the
  caller must write all batches in one database transaction and roll back on any
  `UploadRejected`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from app.amazon.archive import ArchiveLimits, UploadArchive
from app.amazon.errors import CurrencyMismatch, NoAmazonReport, StoreIdMismatch, TooManyBadRows
from app.amazon.mapping import (
    DailyStat,
    LinkTypeTotals,
    MapContext,
    OrderedDay,
    OrderedItem,
    RowMapper,
    TrackingTotals,
)
from app.amazon.markets import CURRENCY_SYMBOLS, get_marketplace
from app.amazon.reports import Ignored, ReportKind, ReportTable, iter_tables
from app.amazon.values import CellError
from app.ledger.records import TransactionRecord

_KEPT_ERRORS = 100  # listed in the summary; all are counted
_KEPT_TOTALS = 10_000  # tracking-id / link-type summary rows kept


@dataclass
class ReportSummary:
    kind: str
    file: str
    sheet: str | None
    title: str | None
    period: tuple[date, date] | None
    rows: int = 0  # data rows read (below the header)
    records: int = 0
    skipped: int = 0  # blank and totals rows
    errors: int = 0
    first_day: date | None = None
    last_day: date | None = None


@dataclass
class UploadSummary:
    """Progress while parsing, the final account after it."""

    reports: list[ReportSummary] = field(default_factory=list)
    rows_parsed: int = 0
    date_start: date | None = None  # local (marketplace) dates of the records found
    date_end: date | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    ignored: list[dict[str, Any]] = field(default_factory=list)
    tracking: list[TrackingTotals] = field(default_factory=list)
    link_types: list[LinkTypeTotals] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def report_counts(self) -> dict[str, int]:
        """Records per report kind, e.g. {"Fee-Earnings": 1200, "Fee-Orders": 1500}."""
        counts: dict[str, int] = {}
        for report in self.reports:
            counts[report.kind] = counts.get(report.kind, 0) + report.records
        return counts

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates ISO, Decimals as strings), e.g. for `upload.errors` and logs."""

        def plain(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            if isinstance(value, (date, Decimal)):
                return str(value)
            return value

        return plain(asdict(self))


@dataclass
class ParsedBatch:
    """Records ready for the ledger. `orders` are kept apart: nothing links an ordered item
    to the earnings line it becomes once shipped, so as ledger lines they would count each
    sale twice. What they say goes into the daily statistics instead (`ordered`)."""

    transactions: list[TransactionRecord] = field(default_factory=list)  # earnings, bounties
    orders: list[TransactionRecord] = field(default_factory=list)  # pending ordered items
    ordered: dict[date, OrderedDay] = field(default_factory=dict)  # the orders, per day
    daily_stats: list[DailyStat] = field(default_factory=list)
    rows_parsed: int = 0  # progress: data rows read so far over the whole upload

    def __len__(self) -> int:
        return len(self.transactions) + len(self.orders) + len(self.daily_stats)


class TagPolicy:
    """Which tracking ids belong to the connection's store.

    Accepted: the store id itself, the connection's extra tracking ids, and ids that start
    with the store id's base and end in its marketplace suffix (`mysite-20` accepts
    `mysiteblog-20`, refuses `mysite-21` and `other-20`).
    """

    def __init__(self, store_id: str, extra: Collection[str] = ()) -> None:
        match = re.fullmatch(r"(.+)(-\d{2})", store_id.strip().lower())
        if not match:
            raise ValueError(f"store id {store_id!r} does not end in -NN")
        self.store_id = store_id
        self.base, self.suffix = match.groups()
        self._accepted = {store_id.strip().lower(), *(t.strip().lower() for t in extra)}

    def allows(self, tracking_id: str) -> bool:
        tag = tracking_id.strip().lower()
        if tag in self._accepted:
            return True
        if tag.startswith(self.base) and tag.endswith(self.suffix):
            self._accepted.add(tag)
            return True
        return False


class UploadParser:
    """Iterate to get `ParsedBatch`es; `summary` fills in as it goes."""

    def __init__(
        self,
        source: str | os.PathLike[str] | bytes,
        *,
        currency: str,
        marketplace: str,
        store_id: str,
        tracking_ids: Collection[str] = (),
        timezone: str | None = None,
        filename: str = "upload.xlsx",
        batch_size: int = 5000,
        max_row_errors: int = 1000,
        limits: ArchiveLimits | None = None,
        xlsx_chunk_bytes: int = 16 << 20,
    ) -> None:
        self.source = source
        self.market = get_marketplace(marketplace)
        self.ctx = MapContext(currency.upper(), self.market, timezone or self.market.timezone)
        self.tags = TagPolicy(store_id, tracking_ids)
        self.filename = filename
        self.batch_size = batch_size
        self.max_row_errors = max_row_errors
        self.limits = limits or ArchiveLimits()
        self.xlsx_chunk_bytes = xlsx_chunk_bytes
        self.summary = UploadSummary()
        self._fees_by_tag: dict[str, Decimal] = {}
        self._periods: dict[str, tuple[date, date] | None] = {}

    def __iter__(self) -> Iterator[ParsedBatch]:
        summary = self.summary
        batch = ParsedBatch()
        found = False
        with UploadArchive(self.source, self.limits, name=self.filename) as archive:
            day_first = self.market.day_first
            tables = iter_tables(archive, day_first=day_first, chunk_bytes=self.xlsx_chunk_bytes)
            for table in tables:
                if isinstance(table, Ignored):
                    summary.ignored.append(asdict(table))
                    continue
                found = True
                self._check_currency(table)
                report = ReportSummary(
                    table.kind.value, table.file, table.sheet, table.title, table.period
                )
                summary.reports.append(report)
                self._periods.setdefault(table.kind.value, table.period)
                mapper = RowMapper(table, self.ctx)
                for number, cells in table.rows:
                    report.rows += 1
                    summary.rows_parsed += 1
                    try:
                        item = mapper.map(cells)
                    except CellError as exc:
                        self._row_error(table, report, number, str(exc))
                        continue
                    if item is None:
                        report.skipped += 1
                        continue
                    report.records += 1
                    self._take(table, report, number, item, batch)
                    if len(batch) >= self.batch_size:
                        batch.rows_parsed = summary.rows_parsed
                        yield batch
                        batch = ParsedBatch()
        if not found:
            names = ", ".join(i["file"] for i in summary.ignored[:5]) or "nothing"
            raise NoAmazonReport(
                f"No Amazon report was found in the upload (it holds {names}). Upload the .zip "
                "from Associates Central, Reports, Download Reports.",
                ignored=summary.ignored,
            )
        self._reconcile()
        if len(batch):
            batch.rows_parsed = summary.rows_parsed
            yield batch

    def _take(
        self, table: ReportTable, report: ReportSummary, row: int, item: object, batch: ParsedBatch
    ) -> None:
        day: date | None = None
        if isinstance(item, OrderedItem):
            record = item.record
            self._check_tag(table, row, record.click_ref or "")
            day = self.ctx.local_day(record.event_at)
            batch.orders.append(record)
            ordered = batch.ordered.setdefault(day, OrderedDay(day))
            ordered.items += item.quantity
            ordered.amount += record.sale_amount or 0
        elif isinstance(item, TransactionRecord):
            self._check_tag(table, row, item.click_ref or "")
            day = self.ctx.local_day(item.event_at)
            batch.transactions.append(item)
            if table.kind is ReportKind.EARNINGS and item.click_ref:
                tag = item.click_ref
                self._fees_by_tag[tag] = (
                    self._fees_by_tag.get(tag, Decimal(0)) + item.commission_amount
                )
        elif isinstance(item, DailyStat):
            day = item.day
            batch.daily_stats.append(item)
        elif isinstance(item, TrackingTotals):
            self._check_tag(table, row, item.tracking_id)
            if len(self.summary.tracking) < _KEPT_TOTALS:
                self.summary.tracking.append(item)
        elif isinstance(item, LinkTypeTotals) and len(self.summary.link_types) < _KEPT_TOTALS:
            self.summary.link_types.append(item)
        if day is not None:
            s = self.summary
            report.first_day = min(day, report.first_day or day)
            report.last_day = max(day, report.last_day or day)
            s.date_start = min(day, s.date_start or day)
            s.date_end = max(day, s.date_end or day)

    def _check_tag(self, table: ReportTable, row: int, tag: str) -> None:
        if not self.tags.allows(tag):
            where = f"{table.file!r}" + (f", sheet {table.sheet!r}" if table.sheet else "")
            raise StoreIdMismatch(
                f"Tracking id {tag!r} ({where}, row {row}) does not belong to store "
                f"{self.tags.store_id!r}. Upload this file to the connection of that store, "
                "or add the tracking id to this connection.",
                tracking_id=tag,
                file=table.file,
                sheet=table.sheet,
                row=row,
            )

    def _check_currency(self, table: ReportTable) -> None:
        for symbol in sorted(table.currency_symbols):
            allowed = CURRENCY_SYMBOLS.get(symbol) or {symbol.upper()}
            if self.ctx.currency not in allowed:
                where = f"{table.file!r}" + (f", sheet {table.sheet!r}" if table.sheet else "")
                raise CurrencyMismatch(
                    f"The {table.kind.value} report in {where} is in {symbol!r}; this "
                    f"connection's currency is {self.ctx.currency}.",
                    file=table.file,
                    sheet=table.sheet,
                )

    def _row_error(self, table: ReportTable, report: ReportSummary, row: int, message: str) -> None:
        report.errors += 1
        summary = self.summary
        summary.error_count += 1
        if len(summary.errors) < _KEPT_ERRORS:
            summary.errors.append(
                {"file": table.file, "sheet": table.sheet, "row": row, "message": message}
            )
        if summary.error_count > self.max_row_errors:
            raise TooManyBadRows(
                f"More than {self.max_row_errors} rows could not be read; the first was in "
                f"{summary.errors[0]['file']!r} row {summary.errors[0]['row']}: "
                f"{summary.errors[0]['message']}",
                errors=summary.errors[:20],
            )

    def _reconcile(self) -> None:
        # Fee-Tracking totals should equal the earnings summed per tracking id when both
        # cover the same period; a difference is worth a warning, not a failure.
        period = self._periods.get(ReportKind.EARNINGS.value)
        if not self.summary.tracking or period is None:
            return
        if self._periods.get(ReportKind.TRACKING.value) != period:
            return
        for totals in self.summary.tracking:
            earned = self._fees_by_tag.get(totals.tracking_id, Decimal(0))
            if earned != totals.ad_fees:
                self.summary.warnings.append(
                    f"Tracking id {totals.tracking_id!r}: earnings rows add up to {earned}, "
                    f"the Fee-Tracking report says {totals.ad_fees}."
                )


def parse_upload(
    source: str | os.PathLike[str] | bytes,
    *,
    currency: str,
    marketplace: str,
    store_id: str,
    **options: Any,
) -> UploadParser:
    """Parse an upload lazily: iterate the result for batches, read `.summary` for progress.

    `options`: tracking_ids, timezone, filename, batch_size, max_row_errors, limits,
    xlsx_chunk_bytes (see `UploadParser`).
    """
    return UploadParser(
        source, currency=currency, marketplace=marketplace, store_id=store_id, **options
    )
