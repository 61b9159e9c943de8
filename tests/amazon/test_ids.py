"""Stable ids: overlapping uploads converge, identical rows in one report count each."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from app.amazon.sample import build_sample
from tests.amazon.support import EARNINGS_CSV, parse, zip_of


def _earnings(start: date, days: int, **kw: object) -> dict[str, Decimal]:
    sample = build_sample(start=start, days=days, empty=("Fee-Orders", "Bounty"), **kw)  # type: ignore[arg-type]
    parsed = parse(sample.data)
    records = parsed.by_id()
    assert len(records) == len(parsed.transactions)  # no id collides within one upload
    assert sum(r.commission_amount for r in records.values()) == sample.totals.commission
    return {k: r.commission_amount for k, r in records.items()}


def test_overlapping_uploads_share_ids_and_the_union_is_exact() -> None:
    jan_mar = _earnings(date(2024, 1, 1), 91)  # Jan 1 - Mar 31
    feb_apr = _earnings(date(2024, 2, 1), 90)  # Feb 1 - Apr 30
    jan_apr = _earnings(date(2024, 1, 1), 121)  # what one download of the whole span holds
    union = {**jan_mar, **feb_apr}
    assert union == jan_apr
    overlap = jan_mar.keys() & feb_apr.keys()
    feb_mar = _earnings(date(2024, 2, 1), 60)
    assert overlap == feb_mar.keys()
    assert sum(union.values()) == sum(jan_apr.values())


def test_identical_rows_in_one_report_each_count() -> None:
    lines = EARNINGS_CSV.splitlines()
    body = "\n".join([*lines[:3], lines[2], lines[2], *lines[3:]]) + "\n"
    parsed = parse(zip_of({"Fee-Earnings.csv": body}))
    ids = [t.external_id for t in parsed.transactions]
    assert len(set(ids)) == 5
    assert ids[1] == ids[0] + "-1"
    assert ids[2] == ids[0] + "-2"
    assert sum(t.commission_amount for t in parsed.transactions) == Decimal("7.15")


def test_ids_do_not_depend_on_row_order_or_cosmetic_columns() -> None:
    lines = EARNINGS_CSV.splitlines()
    rows = [lines[2], lines[2], lines[3], lines[4]]
    shuffled = rows[:]
    random.Random(4).shuffle(shuffled)
    renamed = [r.replace('"Wireless Earbuds, Black"', "Earbuds (2024 model)") for r in shuffled]
    first = parse(zip_of({"a.csv": "\n".join([*lines[:2], *rows])}))
    second = parse(zip_of({"b.csv": "\n".join([*lines[:2], *renamed])}))
    assert set(first.by_id()) == set(second.by_id())


def test_a_fuller_download_of_a_day_adds_only_the_new_rows() -> None:
    lines = EARNINGS_CSV.splitlines()
    morning = parse(zip_of({"a.csv": "\n".join([*lines[:2], lines[2]])})).by_id()
    evening = parse(zip_of({"b.csv": "\n".join([*lines[:2], lines[2], lines[2]])})).by_id()
    assert morning.keys() < evening.keys()
    assert len(evening) == 2


def test_the_same_rows_in_two_files_of_one_upload_are_not_doubled() -> None:
    parsed = parse(zip_of({"a.csv": EARNINGS_CSV, "b.csv": EARNINGS_CSV}))
    assert len(parsed.transactions) == 6
    assert len(parsed.by_id()) == 3
