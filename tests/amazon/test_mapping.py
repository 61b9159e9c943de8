"""Each report mapped field by field: exact Decimals, UTC times, statuses, tags."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.amazon.errors import StoreIdMismatch, TooManyBadRows
from app.amazon.mapping import DailyStat, LinkTypeTotals, TrackingTotals
from app.amazon.parse import parse_upload
from tests.amazon.support import EARNINGS_CSV, EARNINGS_HEADER, parse, xlsx_of, zip_of

ORDERS_CSV = """Fee-Orders reports from 03-01-2024 to 03-31-2024
Category,Name,ASIN,Date,Qty,Price($),Link Type,Tag,Indirect Sales,Device Type Group
Kitchen,Chef Knife 8 inch,B0TEST0002,2024-03-03 00:00:00,2,35.00,Text+Image,mysiteblog-20,DI,DESKTOP
"""
BOUNTY_CSV = """Bounty reports from 03-01-2024 to 03-31-2024
Name,Date Shipped,Tracking Id,Quantity,Ad Fees($)
Audible Free Trial,2024-03-12 00:00:00,mysite-20,1,5.00
"""
TRENDS_CSV = """Fee-DailyTrends reports from 03-01-2024 to 03-31-2024
Date,Clicks,Items Ordered (Amazon),Items Ordered (3rd Party),Total Items Ordered,Conversion
2024-03-04,1200,30,9,39,3.25%
"""
TRACKING_CSV = """Fee-Tracking reports from 03-01-2024 to 03-31-2024
Tracking ID,Clicks,Items Ordered,Items Shipped,Revenue($),Ad Fees($)
mysite-20,1200,40,3,70.00,3.15
Total,1200,40,3,70.00,3.15
"""
LINKTYPE_CSV = """Fee-LinkType reports from 03-01-2024 to 03-31-2024
Link Type,Clicks,Items Ordered,Conversion,Ordered Revenue($),Items Shipped,Ad Fees($)
SiteStripe,800,25,3.13,"1,234.50",20,49.38
"""


def test_earnings_rows_field_by_field() -> None:
    parsed = parse(zip_of({"Fee-Earnings.csv": EARNINGS_CSV}))
    earbuds, knives, returned = parsed.transactions
    assert earbuds.status == "approved"
    assert earbuds.network_status == "Shipped"
    assert earbuds.commission_amount == Decimal("2.00")
    assert earbuds.sale_amount == Decimal("49.99")
    assert earbuds.currency == "USD"
    # Pacific standard time before 10 March, daylight time after.
    assert earbuds.event_at == datetime(2024, 3, 4, 8, tzinfo=UTC)
    assert earbuds.validated_at == earbuds.event_at
    assert earbuds.source_timezone == "America/Los_Angeles"
    assert earbuds.click_ref == "mysite-20"
    assert earbuds.sub_ids == {"tracking_id": "mysite-20"}
    assert (earbuds.advertiser_id, earbuds.advertiser_name) == ("amazon", "Amazon.com")
    assert (earbuds.country, earbuds.device) == ("US", "PHONE")
    assert earbuds.product == "Wireless Earbuds, Black"
    assert earbuds.order_id is None
    assert earbuds.raw["ASIN"] == "B0TEST0001"
    assert earbuds.raw["report"] == "Fee-Earnings"
    assert earbuds.raw["Direct Sale"] == "Y"
    assert earbuds.external_id.startswith("amzE-")
    assert len(earbuds.external_id) == 37
    assert (knives.sale_amount, knives.commission_amount) == (Decimal("70.00"), Decimal("3.15"))
    assert returned.network_status == "Returned"
    assert returned.status == "approved"
    assert (returned.sale_amount, returned.commission_amount) == (
        Decimal("-49.99"),
        Decimal("-2.00"),
    )
    assert returned.event_at == datetime(2024, 3, 18, 7, tzinfo=UTC)
    assert returned.external_id != earbuds.external_id
    assert sum(t.commission_amount for t in parsed.transactions) == Decimal("3.15")
    summary = parsed.summary
    assert (summary.date_start, summary.date_end) == (date(2024, 3, 4), date(2024, 3, 18))
    assert summary.report_counts() == {"Fee-Earnings": 3}


def test_uk_times_are_london_time() -> None:
    uk = EARNINGS_CSV.replace("($)", "(£)").replace("mysite-20", "mysite-21")
    uk = uk.replace("2024-03-04", "2024-06-04")
    parsed = parse(zip_of({"e.csv": uk}), currency="GBP", marketplace="UK", store_id="mysite-21")
    summer, winter = parsed.transactions[0], parsed.transactions[1]
    assert summer.event_at == datetime(2024, 6, 3, 23, tzinfo=UTC)  # BST midnight
    assert winter.event_at == datetime(2024, 3, 5, 0, tzinfo=UTC)  # GMT midnight
    assert (summer.country, summer.advertiser_name) == ("GB", "Amazon.co.uk")


def test_orders_are_pending_with_zero_commission() -> None:
    (order,) = parse(zip_of({"o.csv": ORDERS_CSV})).orders
    assert (order.status, order.network_status) == ("pending", "Ordered")
    assert order.commission_amount == Decimal("0.00")
    assert order.sale_amount == Decimal("70.00")
    assert order.event_at == datetime(2024, 3, 3, 8, tzinfo=UTC)
    assert order.click_ref == "mysiteblog-20"
    assert order.device == "DESKTOP"
    assert order.external_id.startswith("amzO-")
    assert order.raw["Indirect Sales"] == "DI"


def test_bounty_daily_trends_tracking_and_link_type() -> None:
    data = zip_of(
        {"b.csv": BOUNTY_CSV, "d.csv": TRENDS_CSV, "t.csv": TRACKING_CSV, "l.csv": LINKTYPE_CSV}
    )
    parsed = parse(data)
    (bounty,) = parsed.transactions
    assert (bounty.status, bounty.network_status) == ("approved", "Bounty")
    assert bounty.commission_amount == Decimal("5.00")
    assert bounty.sale_amount is None
    assert bounty.product == "Audible Free Trial"
    assert bounty.event_at == datetime(2024, 3, 12, 7, tzinfo=UTC)
    assert parsed.stats == [DailyStat(date(2024, 3, 4), 1200, 39, 30, 9, Decimal("3.25"))]
    assert parsed.summary.tracking == [
        TrackingTotals("mysite-20", 1200, 40, 3, Decimal("70.00"), Decimal("3.15"))
    ]
    assert parsed.summary.link_types == [
        LinkTypeTotals(
            "SiteStripe", 800, 25, 20, Decimal("49.38"), Decimal("1234.50"), None, Decimal("3.13")
        )
    ]
    tracking = next(r for r in parsed.summary.reports if r.kind == "Fee-Tracking")
    assert (tracking.rows, tracking.records, tracking.skipped) == (2, 1, 1)


def test_xlsx_floats_and_date_cells_become_exact_values() -> None:
    header = EARNINGS_HEADER.split(",")
    noisy = 0.1 + 0.2  # 0.30000000000000004 as Excel would store a computed cell
    row = ["Toys", "Kite", "B0KITE0001", "Amazon.com", "mysite-20", 45355.0, 7.1, 3.0, 0.0]
    book = xlsx_of({"Fee-Earnings": [["Fee-Earnings reports"], header, [*row, 21.3, noisy]]})
    (record,) = parse(zip_of({"r.xlsx": book})).transactions
    assert record.commission_amount == Decimal("0.30")
    assert str(record.sale_amount) == "21.30"
    assert record.event_at == datetime(2024, 3, 4, 8, tzinfo=UTC)  # serial 45355


def test_xlsx_float_percentages_keep_their_written_digits() -> None:
    header = TRENDS_CSV.splitlines()[1].split(",")
    book = xlsx_of(
        {
            "Fee-DailyTrends": [
                ["Fee-DailyTrends reports"],
                header,
                ["2024-03-04", 100, 2, 1, 3, 3.27],
            ]
        }
    )
    (stat,) = parse(zip_of({"r.xlsx": book})).stats
    assert stat.conversion == Decimal(
        "3.27"
    )  # not 3.269999999999999840127884453977458178997039794921875


def test_yen_amounts_round_to_whole_units() -> None:
    jp = EARNINGS_CSV.replace("($)", "(¥)").replace("mysite-20", "mysite-22")
    parsed = parse(zip_of({"e.csv": jp}), currency="JPY", marketplace="JP", store_id="mysite-22")
    assert [str(t.commission_amount) for t in parsed.transactions] == ["2", "3", "-2"]


def test_xlsx_and_csv_of_one_download_give_the_same_ids() -> None:
    lines = EARNINGS_CSV.splitlines()
    rows = [line.split(",") for line in lines[2:]]
    rows = [[*r[:1], "Earbuds", *r[3:]] if len(r) == 14 else r for r in rows]
    csv_text = "\n".join([lines[0], lines[1], *(",".join(r) for r in rows)]) + "\n"
    typed = [
        [*r[:6], float(r[6]), int(r[7]), int(r[8]), float(r[9]), float(r[10]), *r[11:]]
        for r in rows
    ]
    book = xlsx_of({"Fee-Earnings": [[lines[0]], lines[1].split(","), *typed]})
    from_csv = parse(zip_of({"e.csv": csv_text})).by_id()
    from_xlsx = parse(zip_of({"e.xlsx": book})).by_id()
    assert from_csv.keys() == from_xlsx.keys()
    assert len(from_csv) == 3


def test_bad_rows_are_skipped_and_named() -> None:
    bad = EARNINGS_CSV.replace("49.99,1,0,49.99,2.00", "49.99,one,0,49.99,2.00", 1)
    bad = bad.replace("2024-03-05 00:00:00", "yesterday")
    parsed = parse(zip_of({"Fee-Earnings.csv": bad}))
    assert len(parsed.transactions) == 1
    assert parsed.summary.error_count == 2
    assert parsed.summary.errors == [
        {
            "file": "Fee-Earnings.csv",
            "sheet": None,
            "row": 3,
            "message": "column 'Items Shipped': 'one' is not a number",
        },
        {
            "file": "Fee-Earnings.csv",
            "sheet": None,
            "row": 4,
            "message": "column 'Date Shipped': 'yesterday' is not a date",
        },
    ]


def test_too_many_bad_rows_fail_the_upload() -> None:
    bad = EARNINGS_CSV.replace("2024-03-", "2024-13-")
    with pytest.raises(TooManyBadRows, match="More than 2 rows"):
        parse(zip_of({"Fee-Earnings.csv": bad}), max_row_errors=2)


def test_totals_line_is_skipped() -> None:
    data = EARNINGS_CSV + ",,,,,,,,,Total,139.84,,\n"
    parsed = parse(zip_of({"Fee-Earnings.csv": data}))
    assert len(parsed.transactions) == 3
    assert parsed.summary.reports[0].skipped == 1


def test_foreign_store_fails_the_upload_naming_the_tracking_id() -> None:
    data = EARNINGS_CSV.replace("3rd Party,mysite-20", "3rd Party,othersite-20")
    with pytest.raises(StoreIdMismatch) as caught:
        parse(zip_of({"Fee-Earnings.csv": data}))
    body = caught.value.body()
    assert (body["tracking_id"], body["file"], body["row"]) == (
        "othersite-20",
        "Fee-Earnings.csv",
        4,
    )
    assert "'othersite-20'" in body["detail"]
    assert "'mysite-20'" in body["detail"]


def test_other_marketplace_suffix_is_another_store() -> None:
    with pytest.raises(StoreIdMismatch, match="mysite-21"):
        parse(zip_of({"e.csv": EARNINGS_CSV.replace("mysite-20", "mysite-21")}))


def test_extra_tracking_ids_and_ids_on_the_store_base_are_accepted() -> None:
    data = EARNINGS_CSV.replace("3rd Party,mysite-20", "3rd Party,newsletter-20")
    data = data.replace("PHONE,Y\nKitchen", "PHONE,Y\nKitchen").replace(
        "Amazon.com,mysite-20,2024-03-18", "Amazon.com,mysiteyt-20,2024-03-18"
    )
    parsed = parse(zip_of({"e.csv": data}), tracking_ids=["newsletter-20"])
    assert [t.click_ref for t in parsed.transactions] == [
        "mysite-20",
        "newsletter-20",
        "mysiteyt-20",
    ]


def test_tracking_report_is_checked_first() -> None:
    # A foreign store fails before any earnings batch leaves the parser.
    foreign = TRACKING_CSV.replace("mysite-20,1200", "stranger-20,1200")
    data = zip_of({"a-earnings.csv": EARNINGS_CSV, "Fee-Tracking-1.csv": foreign})
    parser = parse_upload(
        data, currency="USD", marketplace="US", store_id="mysite-20", batch_size=1
    )
    batches = []
    with pytest.raises(StoreIdMismatch, match="stranger-20"):
        batches.extend(parser)
    assert batches == []
