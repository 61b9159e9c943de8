"""Realistic Amazon "Download Reports" zips for tests, the demo and the benchmark.

Each day's rows come from a generator seeded by (seed, marketplace, day), so two samples
whose date ranges overlap hold identical rows on the shared days, as two real downloads
would. XLSX samples are one workbook with a sheet per report (title in row 1, header in
row 2), written in xlsxwriter's constant-memory mode; CSV samples are one file per report.
Returns, exact duplicate rows, empty reports and a trailing totals line are knobs.
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
import uuid
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from app.amazon.markets import get_marketplace

_CENT = Decimal("0.01")
_CATEGORIES = (
    ("Electronics", "0.04"),
    ("Kitchen", "0.045"),
    ("Books", "0.045"),
    ("Toys", "0.03"),
    ("Beauty", "0.06"),
    ("Home", "0.03"),
)
_SYMBOL = {"USD": "$", "GBP": "£", "EUR": "€", "CAD": "$", "JPY": "¥", "INR": "₹"}
_CURRENCY = {"US": "USD", "CA": "CAD", "UK": "GBP", "JP": "JPY", "IN": "INR"}
_DEVICES = ("DESKTOP", "PHONE", "TABLET")
_LINKS = ("Text+Image", "Text Only", "SiteStripe", "Mobile")
_BOUNTIES = ("Prime Free Trial", "Audible Free Trial", "Kindle Unlimited")


@dataclass
class SampleTotals:
    """What the sample holds, kept by the generator for assertions."""

    earnings_rows: int = 0
    returns: int = 0
    duplicates: int = 0
    commission: Decimal = Decimal(0)  # earnings + bounties
    sales: Decimal = Decimal(0)  # earnings revenue
    orders_rows: int = 0
    ordered_items: int = 0  # the orders report's quantities
    ordered_amount: Decimal = Decimal(0)  # the orders report's price x quantity
    bounty_rows: int = 0
    days: int = 0
    clicks: int = 0


@dataclass
class Sample:
    path: Path | None
    data: bytes | None
    totals: SampleTotals = field(default_factory=SampleTotals)


def _headers(symbol: str) -> dict[str, list[str]]:
    s = f"({symbol})"
    earnings = "Category,Name,ASIN,Seller,Tracking ID,Date Shipped,Price{s},Items Shipped,Returns"
    earnings += ",Revenue{s},Ad Fees{s},Device Type Group,Direct Sale"
    lines = {
        "Fee-Tracking": "Tracking ID,Clicks,Items Ordered,Items Shipped,Revenue{s},Ad Fees{s}",
        "Fee-DailyTrends": "Date,Clicks,Items Ordered (Amazon),Items Ordered (3rd Party),"
        "Total Items Ordered,Conversion",
        "Fee-Orders": "Category,Name,ASIN,Date,Qty,Price{s},Link Type,Tag,Indirect Sales,"
        "Device Type Group",
        "Fee-LinkType": "Link Type,Clicks,Items Ordered,Conversion,Ordered Revenue{s},"
        "Items Shipped,Ad Fees{s}",
        "Fee-Earnings": earnings,
        "Bounty": "Name,Date Shipped,Tracking Id,Quantity,Ad Fees{s}",
    }
    return {report: line.format(s=s).split(",") for report, line in lines.items()}


class _Out:
    """One report's rows to an xlsx sheet or a csv file, with numbers kept numeric."""

    def __init__(self, book: Any, name: str, csv_file: io.TextIOBase | None) -> None:
        self.sheet = book.add_worksheet(name) if book is not None else None
        self.csv = csv.writer(csv_file) if csv_file is not None else None
        self.row = 0
        self.date_format = book.add_format({"num_format": "yyyy-mm-dd"}) if book else None

    def write(self, values: list[Any]) -> None:
        if self.csv is not None:
            self.csv.writerow([v.isoformat() if isinstance(v, date) else v for v in values])
        elif self.sheet is not None:
            for col, value in enumerate(values):
                if isinstance(value, Decimal):
                    self.sheet.write_number(self.row, col, float(value))
                elif isinstance(value, date):
                    dt = datetime(value.year, value.month, value.day)
                    self.sheet.write_datetime(self.row, col, dt, self.date_format)
                elif value != "":
                    self.sheet.write(self.row, col, value)
        self.row += 1


def build_sample(
    dest: str | Path | None = None,
    *,
    seed: int = 1,
    marketplace: str = "US",
    store_id: str | None = None,
    start: date = date(2024, 1, 1),
    days: int = 90,
    rows: int | None = None,
    rows_per_day: int = 12,
    orders_ratio: float = 1.2,
    fmt: str = "xlsx",
    empty: Collection[str] = ("Bounty",),
    returns_every: int = 20,
    duplicates_every: int = 30,
    totals_row: bool = False,
) -> Sample:
    """Write a Download Reports zip to `dest` (or return its bytes when `dest` is None).

    `rows` (total earnings rows, e.g. 800_000 for the benchmark) overrides `rows_per_day`;
    `empty` names reports written with title and header only.
    """
    market = get_marketplace(marketplace)
    currency = _CURRENCY.get(market.code, "EUR")
    symbol = _SYMBOL[currency]
    store = store_id or f"mysite{market.tag_suffix}"
    base = store.rsplit("-", 1)[0]
    tags = [store, f"{base}blog{market.tag_suffix}", f"{base}news{market.tag_suffix}"]
    per_day = -(-rows // days) if rows else rows_per_day
    end = start + timedelta(days=days - 1)
    date_fmt = "%m-%d-%Y" if not market.day_first else "%d-%m-%Y"
    period = f"reports from {start.strftime(date_fmt)} to {end.strftime(date_fmt)}"
    products = _products(seed)
    totals = SampleTotals(days=days)
    names = random.Random(f"names:{seed}")
    headers = _headers(symbol)

    with tempfile.TemporaryDirectory(prefix="netledger-sample-") as tmp:
        files: list[Path] = []
        book = None
        if fmt == "xlsx":
            ident = uuid.UUID(int=names.getrandbits(128), version=4)
            files.append(Path(tmp) / f"Fee-Tracking-{ident}-XLSX.xlsx")
            book = xlsxwriter.Workbook(str(files[0]), {"constant_memory": True})
        outs: dict[str, _Out] = {}
        handles = []
        for report, header in headers.items():
            handle = None
            if book is None:
                ident = uuid.UUID(int=names.getrandbits(128), version=4)
                files.append(Path(tmp) / f"{report}-{ident}-{fmt.upper()}.{fmt}")
                handle = open(files[-1], "w", newline="", encoding="utf-8")  # noqa: SIM115
                handles.append(handle)
            outs[report] = out = _Out(book, report, handle)
            out.write([f"{report} {period}"])
            out.write(header)

        by_tag: dict[str, list[Any]] = {t: [0, 0, 0, Decimal(0), Decimal(0)] for t in tags}
        by_link: dict[str, list[Any]] = {k: [0, 0, Decimal(0), 0, Decimal(0)] for k in _LINKS}
        seller = market.advertiser_name
        for offset in range(days):
            day = start + timedelta(days=offset)
            rng = random.Random(f"{seed}:{market.code}:{day.isoformat()}")
            stamp = f"{day.isoformat()} 00:00:00"
            ordered = {"amazon": 0, "3p": 0}
            for _ in range(int(per_day * orders_ratio) if "Fee-Orders" not in empty else 0):
                asin, name, category, rate, price = rng.choice(products)
                qty, tag, link = rng.choice((1, 1, 1, 2, 3)), rng.choice(tags), rng.choice(_LINKS)
                direct, device = rng.choice(("DI", "DI", "NDI")), rng.choice(_DEVICES)
                outs["Fee-Orders"].write(
                    [category, name, asin, stamp, qty, price, link, tag, direct, device]
                )
                ordered["amazon" if rng.random() < 0.7 else "3p"] += qty
                by_tag[tag][1] += qty
                by_link[link][1] += qty
                by_link[link][2] += price * qty
                totals.orders_rows += 1
                totals.ordered_items += qty
                totals.ordered_amount += price * qty
            previous: list[Any] | None = None
            for _ in range(per_day if "Fee-Earnings" not in empty else 0):
                if previous is not None and rng.randrange(duplicates_every) == 0:
                    row = previous  # an identical second sale: must count twice
                    totals.duplicates += 1
                else:
                    asin, name, category, rate, price = rng.choice(products)
                    tag = rng.choice(tags)
                    returned = rng.randrange(returns_every) == 0
                    qty = 0 if returned else rng.choice((1, 1, 1, 2))
                    revenue = -price if returned else price * qty
                    fees = (revenue * Decimal(rate)).quantize(_CENT)
                    row = [category, name, asin, seller if rng.random() < 0.7 else "3rd Party"]
                    row += [tag, stamp, price, qty, int(returned), revenue, fees]
                    row += [rng.choice(_DEVICES), rng.choice("YN")]
                    totals.returns += returned
                previous = row
                outs["Fee-Earnings"].write(row)
                totals.earnings_rows += 1
                totals.commission += row[10]
                totals.sales += row[9]
                by_tag[row[4]][2] += row[7]
                by_tag[row[4]][3] += row[9]
                by_tag[row[4]][4] += row[10]
                link = _LINKS[int(row[2][-1], 36) % len(_LINKS)]
                by_link[link][3] += row[7]
                by_link[link][4] += row[10]
            clicks = rng.randint(40, 60) * max(per_day, 1)
            totals.clicks += clicks
            for i, tag in enumerate(tags):
                by_tag[tag][0] += clicks // len(tags) + (clicks % len(tags) if i == 0 else 0)
            for i, link in enumerate(_LINKS):
                by_link[link][0] += clicks // len(_LINKS) + (clicks % len(_LINKS) if i == 0 else 0)
            total = ordered["amazon"] + ordered["3p"]
            conversion = (Decimal(total * 100) / clicks).quantize(_CENT)
            outs["Fee-DailyTrends"].write(
                [day, clicks, ordered["amazon"], ordered["3p"], total, conversion]
            )
            if "Bounty" not in empty and rng.random() < 0.3:
                fee, tag = Decimal(rng.choice(("3.00", "5.00"))), rng.choice(tags)
                outs["Bounty"].write([rng.choice(_BOUNTIES), stamp, tag, 1, fee])
                totals.bounty_rows += 1
                totals.commission += fee
        for tag, (clicks, items, shipped, revenue, fees) in by_tag.items():
            outs["Fee-Tracking"].write([tag, clicks, items, shipped, revenue, fees])
        for link, (clicks, items, ordered_rev, shipped, fees) in by_link.items():
            conversion = (Decimal(items * 100) / max(clicks, 1)).quantize(_CENT)
            outs["Fee-LinkType"].write(
                [link, clicks, items, conversion, ordered_rev, shipped, fees]
            )
        if totals_row:
            outs["Fee-Earnings"].write([""] * 9 + ["Total", totals.sales, totals.commission])
        if book is not None:
            book.close()
        for handle in handles:
            handle.close()
        target: Path | io.BytesIO = Path(dest) if dest is not None else io.BytesIO()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, path.name)
    if isinstance(target, io.BytesIO):
        return Sample(None, target.getvalue(), totals)
    return Sample(target, None, totals)


def _products(seed: int) -> list[tuple[str, str, str, str, Decimal]]:
    rng = random.Random(f"products:{seed}")
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    products = []
    for n in range(500):
        category, rate = rng.choice(_CATEGORIES)
        asin = "B0" + "".join(rng.choice(alphabet) for _ in range(8))
        name = f"{category} item {n}, {rng.choice(('black', 'white', 'large', 'pack of 2'))}"
        products.append((asin, name, category, rate, Decimal(rng.randint(299, 19999)) / 100))
    return products
