"""Big uploads stream: chunked workbooks give every row once, memory stays bounded."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from app.amazon.archive import UploadArchive
from app.amazon.parse import parse_upload
from app.amazon.sample import SampleTotals, build_sample
from app.amazon.xlsx import Workbook
from tests.amazon.support import EARNINGS_HEADER, xlsx_of, zip_of

ROOT = Path(__file__).resolve().parents[2]


def _trimmed(cells: list[object]) -> list[object]:
    while cells and cells[-1] == "":
        cells = cells[:-1]
    return cells


def _rows(data: bytes, chunk_bytes: int) -> list[tuple[int, list[object]]]:
    # A chunk is as wide as its own widest row, so only trailing empty cells may differ.
    with UploadArchive(data) as archive:
        book = Workbook(archive, archive.spool_workbook(archive.entries[0]), "r.xlsx")
        try:
            rows = [row for sheet in book.sheets for row in book.rows(sheet, chunk_bytes)]
        finally:
            book.close()
    return [(n, _trimmed(cells)) for n, cells in rows]


def test_chunks_give_every_row_once_with_its_own_number() -> None:
    rows: list[list[object]] = [["Fee-Earnings reports"], EARNINGS_HEADER.split(",")]
    for n in range(600):
        # Column A is empty in most rows: chunks without it must keep positions.
        rows.append(["" if n else "Toys", f"Kite {n}", f"B0KITE{n:04}", 1.5 * n])
    rows[150:150] = [[], []]  # blank rows in the middle
    data = zip_of({"r.xlsx": xlsx_of({"Fee-Earnings": rows})})
    whole = _rows(data, 1 << 30)
    chunked = _rows(data, 2000)  # dozens of chunks
    assert chunked == whole
    with UploadArchive(data) as archive:
        book = Workbook(archive, archive.spool_workbook(archive.entries[0]), "r.xlsx")
        assert len(list(book._chunks(book.sheets[0], 2000))) > 10
        book.close()
    assert [n for n, _ in whole][:3] == [1, 2, 3]
    kite = next(cells for n, cells in whole if n == 102)
    assert kite[:4] == ["", "Kite 99", "B0KITE0099", 148.5]


@pytest.fixture(scope="module")
def big_upload(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleTotals]:
    path = tmp_path_factory.mktemp("big") / "big.zip"
    sample = build_sample(path, rows=100_000, days=30, empty=("Fee-Orders", "Bounty"), seed=9)
    return path, sample.totals


def test_large_workbook_streams_with_bounded_python_memory(
    big_upload: tuple[Path, SampleTotals],
) -> None:
    path, totals = big_upload
    parser = parse_upload(
        path, currency="USD", marketplace="US", store_id="mysite-20", xlsx_chunk_bytes=4 << 20
    )
    count, commission, batches = 0, Decimal(0), 0
    tracemalloc.start()
    try:
        for batch in parser:  # records are dropped batch by batch, as the worker will
            batches += 1
            count += len(batch.transactions)
            commission += sum(t.commission_amount for t in batch.transactions)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == totals.earnings_rows > 100_000 - 100
    assert commission == totals.commission
    assert batches > 20
    assert parser.summary.rows_parsed == count + 30 + 3 + 4  # trends, tracking, link types
    # One chunk's rows, one batch, the id counter (~100 B a row): far below holding the
    # report (holding the 100k records alone takes several hundred MB).
    assert peak < 80 << 20, f"peak {peak / 2**20:.0f} MiB"


def test_large_workbook_parse_peak_rss_is_bounded(big_upload: tuple[Path, SampleTotals]) -> None:
    path, totals = big_upload
    script = f"""
import json
from app.amazon.parse import parse_upload
parser = parse_upload({str(path)!r}, currency="USD", marketplace="US", store_id="mysite-20",
                      xlsx_chunk_bytes=4 << 20)
records = sum(len(batch.transactions) for batch in parser)
# VmHWM, not ru_maxrss: the latter keeps the (big) pytest parent's peak across fork + exec.
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({{"records": records, "rss_mb": int(hwm.split()[1]) / 1024}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout)
    assert result["records"] == totals.earnings_rows
    # Loading the same sheet whole in calamine alone peaks several times higher.
    assert result["rss_mb"] < 250, result
