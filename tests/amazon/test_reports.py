"""Recognising reports by title and header, whatever the files are called."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.amazon.errors import CurrencyMismatch, ReportColumnsMissing, UnreadableReport
from tests.amazon.support import EARNINGS_CSV, EARNINGS_HEADER, parse, xlsx_of, zip_of

TRACKING_CSV = """Fee-Tracking reports from 03-01-2024 to 03-31-2024
Tracking ID,Clicks,Items Ordered,Items Shipped,Revenue($),Ad Fees($)
mysite-20,1200,40,3,70.00,3.15
"""


def test_recognised_by_title_not_by_file_name() -> None:
    parsed = parse(zip_of({"20240401-upload-7.csv": EARNINGS_CSV, "x.csv": TRACKING_CSV}))
    kinds = [(r.kind, r.file, r.period) for r in parsed.summary.reports]
    period = (date(2024, 3, 1), date(2024, 3, 31))
    assert sorted(kinds) == [
        ("Fee-Earnings", "20240401-upload-7.csv", period),
        ("Fee-Tracking", "x.csv", period),
    ]


def test_recognised_by_header_alone() -> None:
    body = "\n".join(EARNINGS_CSV.splitlines()[1:]) + "\n"
    parsed = parse(zip_of({"data.csv": body}))
    assert parsed.summary.reports[0].kind == "Fee-Earnings"
    assert parsed.summary.reports[0].title is None
    assert len(parsed.transactions) == 3


def test_several_title_rows_and_blank_rows_above_the_header_are_skipped() -> None:
    lines = EARNINGS_CSV.splitlines()
    body = "\n".join([lines[0], "Generated for mysite-20", "", *lines[1:]]) + "\n"
    parsed = parse(zip_of({"Fee-Earnings.csv": body}))
    assert parsed.summary.reports[0].title == lines[0]
    assert parsed.summary.reports[0].rows == 3


def test_xlsx_sheets_are_recognised_by_content() -> None:
    header = EARNINGS_HEADER.split(",")
    row = ["Toys", "Kite", "B0KITE0001", "Amazon.com", "mysite-20", "2024-03-04", 10, 1, 0, 10, 0.3]
    book = xlsx_of(
        {
            "Sheet1": [["Fee-Earnings reports from 03-01-2024 to 03-31-2024"], header, row],
            "Notes": [["hello"], ["world"]],
        }
    )
    parsed = parse(zip_of({"Report.xlsx": book}))
    assert [r.kind for r in parsed.summary.reports] == ["Fee-Earnings"]
    assert parsed.summary.reports[0].sheet == "Sheet1"
    assert parsed.summary.ignored == [
        {"file": "Report.xlsx", "sheet": "Notes", "reason": "no Amazon report header found"}
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_missing_columns_name_file_sheet_and_columns(fmt: str) -> None:
    lines = EARNINGS_CSV.splitlines()
    header = lines[1].replace(",Returns", "").replace(",Ad Fees($)", "")
    if fmt == "csv":
        data = zip_of({"Fee-Earnings.csv": "\n".join([lines[0], header])})
    else:
        data = zip_of({"r.xlsx": xlsx_of({"Fee-Earnings": [[lines[0]], header.split(",")]})})
    with pytest.raises(ReportColumnsMissing) as caught:
        parse(data)
    body = caught.value.body()
    assert body["status"] == 422
    assert body["columns"] == ["returns", "ad_fees"]
    assert body["file"] == ("Fee-Earnings.csv" if fmt == "csv" else "r.xlsx")
    assert body.get("sheet") == (None if fmt == "csv" else "Fee-Earnings")
    assert "lacks the column(s): returns, ad_fees" in body["detail"]


def test_missing_column_without_title_is_not_mistaken_for_another_report() -> None:
    header = EARNINGS_HEADER.replace(",Returns", "")
    with pytest.raises(ReportColumnsMissing, match="Fee-Earnings report"):
        parse(zip_of({"data.csv": header + "\n"}))


def test_empty_reports_title_only_or_header_only() -> None:
    data = zip_of(
        {
            "Bounty-1.csv": "Bounty reports from 03-01-2024 to 03-31-2024\n",
            "Fee-Orders-1.csv": "Fee-Orders reports from 03-01-2024 to 03-31-2024\n"
            "Category,Name,ASIN,Date,Qty,Price($),Link Type,Tag,Indirect Sales,Device Type Group\n",
        }
    )
    parsed = parse(data)
    assert sorted((r.kind, r.rows) for r in parsed.summary.reports) == [
        ("Bounty", 0),
        ("Fee-Orders", 0),
    ]
    assert parsed.transactions == []
    assert parsed.orders == []


def test_tsv_and_byte_order_mark() -> None:
    tsv = EARNINGS_CSV.replace('"Wireless Earbuds, Black"', "Wireless Earbuds").replace(",", "\t")
    parsed = parse(zip_of({"Fee-Earnings.tsv": "\ufeff" + tsv}))
    assert len(parsed.transactions) == 3
    assert parsed.summary.reports[0].title.startswith("Fee-Earnings")


def test_italian_report_with_decimal_commas() -> None:
    csv_text = (
        "Fee-Earnings reports from 01-03-2024 to 31-03-2024\n"
        "Categoria,Prodotto,ASIN,Venditore,TrackingID,Data Spedizione,Prezzo (€),"
        "Prodotti spediti,Resi,Ricavi (€),Commissioni pubblicitarie (€),Tipo di dispositivo,"
        "Acquisto idoneo diretto\n"
        'Casa,Lampada,B0LAMP0001,Amazon.it,miosito-21,2024-03-04,"16,39",1,0,"16,39","0,49",'
        "PHONE,Y\n"
    )
    parsed = parse(
        zip_of({"Fee-Earnings.csv": csv_text}),
        currency="EUR",
        marketplace="IT",
        store_id="miosito-21",
    )
    (record,) = parsed.transactions
    assert (record.sale_amount, record.commission_amount) == (Decimal("16.39"), Decimal("0.49"))
    assert parsed.summary.reports[0].period == (date(2024, 3, 1), date(2024, 3, 31))
    assert record.advertiser_name == "Amazon.it"


def test_currency_of_the_file_must_match_the_connection() -> None:
    uk = EARNINGS_CSV.replace("($)", "(£)").replace("mysite-20", "mysite-21")
    with pytest.raises(CurrencyMismatch, match=r"is in '£'; this connection's currency is USD"):
        parse(zip_of({"Fee-Earnings.csv": uk}))


def test_bonus_earnings_and_xml_reports_are_listed_as_ignored() -> None:
    data = zip_of(
        {
            "Fee-Earnings.csv": EARNINGS_CSV,
            "Fee-BonusEarnings.csv": "Fee-BonusEarnings reports from 03-01-2024 to 03-31-2024\n"
            "date,category,revenue,commission,bonus\n",
            "Fee-DailyTrends.xml": "<xml/>",
        }
    )
    ignored = {i["file"]: i["reason"] for i in parse(data).summary.ignored}
    assert ignored["Fee-BonusEarnings.csv"] == (
        "Fee-BonusEarnings reports are recognised but not imported"
    )
    assert "XML is not supported" in ignored["Fee-DailyTrends.xml"]


def test_non_utf8_csv_is_unreadable() -> None:
    data = zip_of({"Fee-Earnings.csv": EARNINGS_CSV.encode() + "Caf\xe9\n".encode("latin-1")})
    with pytest.raises(UnreadableReport, match="not UTF-8"):
        parse(data)
