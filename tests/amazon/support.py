"""Builders for hand-made uploads and a helper that drains a parser."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter

from app.amazon.mapping import DailyStat
from app.amazon.parse import UploadParser, parse_upload
from app.ledger.records import TransactionRecord

EARNINGS_HEADER = (
    "Category,Name,ASIN,Seller,Tracking ID,Date Shipped,Price($),Items Shipped,Returns,"
    "Revenue($),Ad Fees($),Device Type Group,Direct Sale"
)
_EARNINGS_ROWS = (
    'Electronics,"Wireless Earbuds, Black",B0TEST0001,Amazon.com,mysite-20,2024-03-04 00:00:00,'
    "49.99,1,0,49.99,2.00,PHONE,Y",
    "Kitchen,Chef Knife 8 inch,B0TEST0002,3rd Party,mysite-20,2024-03-05 00:00:00,"
    "35.00,2,0,70.00,3.15,DESKTOP,N",
    'Electronics,"Wireless Earbuds, Black",B0TEST0001,Amazon.com,mysite-20,2024-03-18 00:00:00,'
    "49.99,0,1,-49.99,-2.00,PHONE,Y",
)
# The fact sheet's example Fee-Earnings CSV: a sale, a two-item sale, a return.
EARNINGS_CSV = "\n".join(
    ["Fee-Earnings reports from 03-01-2024 to 03-31-2024", EARNINGS_HEADER, *_EARNINGS_ROWS, ""]
)


def zip_of(entries: dict[str, bytes | str], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data.encode() if isinstance(data, str) else data)
    return out.getvalue()


def xlsx_of(sheets: dict[str, list[list[Any]]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and value != "":
                    sheet.write(r, c, value)
    book.close()
    return out.getvalue()


@dataclass
class Parsed:
    parser: UploadParser
    transactions: list[TransactionRecord] = field(default_factory=list)
    orders: list[TransactionRecord] = field(default_factory=list)
    stats: list[DailyStat] = field(default_factory=list)
    batches: int = 0

    @property
    def summary(self) -> Any:
        return self.parser.summary

    def by_id(self) -> dict[str, TransactionRecord]:
        return {t.external_id: t for t in self.transactions}


def parse(source: bytes | Any, **options: Any) -> Parsed:
    options.setdefault("currency", "USD")
    options.setdefault("marketplace", "US")
    options.setdefault("store_id", "mysite-20")
    parsed = Parsed(parse_upload(source, **options))
    for batch in parsed.parser:
        parsed.batches += 1
        parsed.transactions += batch.transactions
        parsed.orders += batch.orders
        parsed.stats += batch.daily_stats
    return parsed


def encrypt_flag(data: bytes) -> bytes:
    """Mark every entry as encrypted (the flag is all a reader checks first)."""
    raw = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := raw.find(signature, start)) >= 0:
            raw[at + offset] |= 0x01
            start = at + 4
    return bytes(raw)
