"""Find the Amazon reports in an upload and where their columns are.

Amazon names files `Fee-Earnings-<uuid>-CSV.csv` and workbook sheets `Fee-Earnings`, but
names are only a hint (uploading apps rename files): a report is recognised by its title
row (`Fee-Earnings reports from 03-01-2024 to 03-31-2024`) and its header row, matched
through a synonym table (US English, Italian, some Spanish) with the currency symbol in
`Price($)` / `Prezzo (€)` taken off and remembered. Rows above the header are skipped.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from app.amazon.archive import ArchiveEntry, UploadArchive
from app.amazon.errors import ReportColumnsMissing, UnreadableReport
from app.amazon.markets import CURRENCY_SYMBOLS
from app.amazon.values import Cell, parse_title_date, to_text
from app.amazon.xlsx import Workbook

_HEADER_SCAN = 10  # rows looked at for the header; Amazon has one title row above it


class ReportKind(StrEnum):
    TRACKING = "Fee-Tracking"
    LINK_TYPE = "Fee-LinkType"
    DAILY_TRENDS = "Fee-DailyTrends"
    BOUNTY = "Bounty"
    ORDERS = "Fee-Orders"
    EARNINGS = "Fee-Earnings"
    BONUS_EARNINGS = "Fee-BonusEarnings"
    ORDERS_WITH_CLICKS = "Fee-OrdersWithClicks"


_MONEY = ("revenue", "ad_fees")
# (required, optional) canonical columns of each report we map.
SPECS: dict[ReportKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ReportKind.EARNINGS: (
        ("asin", "tracking_id", "date_shipped", "price", "items_shipped", "returns", *_MONEY),
        ("category", "name", "seller", "device", "direct"),
    ),
    ReportKind.ORDERS: (
        ("asin", "date", "qty", "price", "tracking_id"),
        ("category", "name", "link_type", "indirect", "device"),
    ),
    ReportKind.TRACKING: (
        ("tracking_id", "clicks", "items_ordered", "items_shipped", "revenue", "ad_fees"),
        (),
    ),
    ReportKind.LINK_TYPE: (
        ("link_type", "clicks", "items_ordered", "items_shipped", "ad_fees"),
        ("conversion", "ordered_revenue", "revenue"),
    ),
    ReportKind.DAILY_TRENDS: (
        ("date", "clicks", "total_items_ordered"),
        ("items_ordered_amazon", "items_ordered_3p", "conversion"),
    ),
    ReportKind.BOUNTY: (("date_shipped", "tracking_id", "ad_fees"), ("name", "quantity")),
}

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "category": ("category", "categoria", "categoría", "kategorie", "catégorie"),
    "name": ("name", "product title", "title", "prodotto", "nombre", "produkt", "produit"),
    "asin": ("asin",),
    "seller": ("seller", "venditore", "vendedor", "verkäufer", "vendeur"),
    "tracking_id": ("tracking id", "trackingid", "tag", "monitoraggio id", "id de seguimiento"),
    "date_shipped": ("date shipped", "data spedizione", "fecha de envío", "versanddatum"),
    "date": ("date", "data", "fecha", "datum"),
    "price": ("price", "prezzo", "precio", "preis", "prix"),
    "qty": ("qty", "quantità", "cantidad", "menge"),
    "quantity": ("quantity",),
    "items_shipped": ("items shipped", "prodotti spediti", "oggetti spediti", "artículos enviados"),
    "returns": ("returns", "resi", "devoluciones", "rücksendungen", "retours"),
    "revenue": ("revenue", "ricavi", "delle entrate", "ingresos", "umsatz", "revenus"),
    "ordered_revenue": ("ordered revenue",),
    "ad_fees": ("ad fees", "commissioni pubblicitarie", "tasse pubblicitarie", "comisiones"),
    "device": ("device type group", "tipo di dispositivo", "device type"),
    "direct": ("direct sale", "direct/indirect", "acquisto idoneo diretto"),
    "indirect": ("indirect sales", "ordini attraverso il link del prodotto"),
    "link_type": ("link type", "tipo di link"),
    "clicks": ("clicks", "clic", "klicks"),
    "items_ordered": ("items ordered", "articoli ordinati", "ordered items"),
    "items_ordered_amazon": ("items ordered (amazon)", "articoli ordinati (amazon)"),
    "items_ordered_3p": ("items ordered (3rd party)", "articoli ordinati (3rd party)"),
    "total_items_ordered": ("total items ordered", "totale articoli ordinati"),
    "conversion": ("conversion", "conversione"),
}
_CANONICAL = {word: key for key, words in _SYNONYMS.items() for word in words}
_TITLE_KINDS = {kind.value.lower().replace("-", ""): kind for kind in ReportKind}
_TITLE = re.compile(r"^\s*([A-Za-z][\w-]*)\s")
_TITLE_DATE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}\b")
_CURRENCY_SUFFIX = re.compile(r"^(.*?)\s*\(([^)]{1,5})\)$")


@dataclass
class ReportTable:
    """One recognised report: where its columns are and an iterator over its data rows."""

    kind: ReportKind
    file: str
    sheet: str | None
    header: list[str]
    columns: dict[str, int]
    currency_symbols: set[str]
    title: str | None
    period: tuple[date, date] | None
    rows: Iterator[tuple[int, list[Cell]]] = field(repr=False)


@dataclass(frozen=True)
class Ignored:
    file: str
    sheet: str | None
    reason: str


def _normalise(cell: Cell) -> tuple[str, str | None]:
    text = " ".join(to_text(cell).lower().split())
    match = _CURRENCY_SUFFIX.match(text)
    if match and (match.group(2) in CURRENCY_SYMBOLS or re.fullmatch(r"[a-z]{3}", match.group(2))):
        return match.group(1), match.group(2)
    return text, None


def _kind_from_text(text: str) -> ReportKind | None:
    key = text.lower().replace("-", "").replace("_", "")
    for prefix, kind in sorted(_TITLE_KINDS.items(), key=lambda kv: -len(kv[0])):
        if key.startswith(prefix):
            return kind
    return None


def _hint(name: str) -> ReportKind | None:
    return _kind_from_text(name.rsplit("/", 1)[-1])


def _order(name: str) -> int:
    # Tracking first: it lists every tracking id, so a foreign store fails before any work.
    kind = _hint(name)
    return list(ReportKind).index(kind) if kind else len(ReportKind)


def _classify(
    title_kind: ReportKind | None, hint: ReportKind | None, columns: dict[str, int]
) -> ReportKind | None:
    if title_kind:
        return title_kind
    scores = {kind: len(set(req + opt) & columns.keys()) for kind, (req, opt) in SPECS.items()}
    best = max(scores.values())
    tied = [kind for kind, score in scores.items() if score == best]
    if best < 3:
        return hint if hint in SPECS else None
    return hint if hint in tied else tied[-1]


def detect(
    rows: Iterator[tuple[int, list[Cell]]], file: str, sheet: str | None, *, day_first: bool
) -> ReportTable | Ignored:
    """Skip title rows, find the header, work out which report this is (or why not)."""
    hint = _hint(sheet or file)
    title: str | None = None
    for number, cells in itertools.islice(rows, _HEADER_SCAN):
        columns: dict[str, int] = {}
        symbols: set[str] = set()
        for index, cell in enumerate(cells):
            text, symbol = _normalise(cell)
            key = _CANONICAL.get(text)
            if key and key not in columns:
                columns[key] = index
                if symbol:
                    symbols.add(symbol)
        if len(columns) < 3:
            first = next((to_text(c) for c in cells if to_text(c)), "")
            title = title or first or None
            continue
        title_match = _TITLE.match(title or "")
        title_kind = _kind_from_text(title_match.group(1)) if title_match else None
        kind = _classify(title_kind, hint, columns)
        if kind is None:
            return Ignored(file, sheet, f"row {number} is not the header of a known Amazon report")
        if kind not in SPECS:
            return Ignored(file, sheet, f"{kind.value} reports are recognised but not imported")
        missing = [c for c in SPECS[kind][0] if c not in columns]
        if missing:
            where = f"{file!r}" + (f", sheet {sheet!r}" if sheet else "")
            raise ReportColumnsMissing(
                f"The {kind.value} report in {where} lacks the column(s): {', '.join(missing)}.",
                file=file,
                sheet=sheet,
                columns=missing,
            )
        found = _TITLE_DATE.findall(title or "")
        period = None
        if len(found) >= 2:
            start, end = (parse_title_date(t, day_first=day_first) for t in found[:2])
            period = (start, end) if start and end else None
        header = [to_text(c) for c in cells]
        return ReportTable(kind, file, sheet, header, columns, symbols, title, period, rows)
    kind_only = _kind_from_text(title or "")
    if kind_only in SPECS:  # a title row and nothing else: an empty report
        return ReportTable(kind_only, file, sheet, [], {}, set(), title, None, iter(()))
    return Ignored(file, sheet, "no Amazon report header found")


def _csv_rows(stream: Iterator[str], file: str) -> Iterator[tuple[int, list[Cell]]]:
    line = 0
    try:
        head = list(itertools.islice(stream, _HEADER_SCAN))
        sample = "".join(head)
        delimiter = (
            "\t" if "\t" in sample else ";" if sample.count(";") > sample.count(",") else ","
        )
        reader = csv.reader(itertools.chain(head, stream), delimiter=delimiter)
        for cells in reader:
            line = reader.line_num
            yield line, list(cells)
    except UnicodeDecodeError as exc:
        raise UnreadableReport(
            f"{file!r} is not UTF-8 text (after line {line}).", file=file
        ) from exc
    except csv.Error as exc:
        raise UnreadableReport(f"{file!r} after line {line}: {exc}", file=file) from exc


def iter_tables(
    archive: UploadArchive, *, day_first: bool, chunk_bytes: int = 16 << 20
) -> Iterator[ReportTable | Ignored]:
    """Every report in the upload, Tracking first. Consume each table's rows before the next."""
    for entry in sorted(archive.entries, key=lambda e: (_order(e.name), e.index)):
        yield from _entry_tables(archive, entry, day_first=day_first, chunk_bytes=chunk_bytes)


def _entry_tables(
    archive: UploadArchive, entry: ArchiveEntry, *, day_first: bool, chunk_bytes: int
) -> Iterator[ReportTable | Ignored]:
    if entry.kind == "xlsx":
        book = Workbook(archive, archive.spool_workbook(entry), entry.name)
        try:
            for sheet in sorted(book.sheets, key=lambda s: _order(s.name)):
                rows = book.rows(sheet, chunk_bytes)
                yield detect(rows, entry.name, sheet.name, day_first=day_first)
        finally:
            book.close()
    elif entry.kind in ("csv", "tsv", "txt"):
        with archive.open_text(entry) as text:
            yield detect(_csv_rows(text, entry.name), entry.name, None, day_first=day_first)
    else:
        yield Ignored(entry.name, None, "not an XLSX, CSV or TSV report (XML is not supported)")
