"""Safe opening: every refused archive names its problem; good ones stream and clean up."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from app.amazon.archive import ArchiveLimits, UploadArchive
from app.amazon.errors import NoAmazonReport, NotAZip, UnreadableReport, UnsafeArchive
from app.amazon.sample import build_sample
from tests.amazon.support import EARNINGS_CSV, encrypt_flag, parse, xlsx_of, zip_of


def test_not_a_zip_is_refused_with_a_422_problem() -> None:
    with pytest.raises(NotAZip) as caught:
        parse(EARNINGS_CSV.encode())
    assert caught.value.status == 422
    assert "not a zip" in caught.value.detail


def test_legacy_or_password_protected_excel_gets_a_hint() -> None:
    with pytest.raises(NotAZip, match="password-protected or legacy Excel"):
        parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)


def test_encrypted_entry_is_refused() -> None:
    data = encrypt_flag(zip_of({"Fee-Earnings.csv": EARNINGS_CSV}))
    with pytest.raises(UnsafeArchive, match=r"'Fee-Earnings.csv' is encrypted") as caught:
        parse(data)
    assert caught.value.body()["entry"] == "Fee-Earnings.csv"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../Fee-Earnings.csv", "climbs out"),
        ("reports/../../etc/passwd", "climbs out"),
        ("/tmp/Fee-Earnings.csv", "absolute path"),
        ("C:/Fee-Earnings.csv", "absolute path"),
        ("..\\Fee-Earnings.csv", "backslash"),
    ],
)
def test_escaping_entry_names_are_refused(name: str, problem: str) -> None:
    with pytest.raises(UnsafeArchive, match=problem) as caught:
        parse(zip_of({name: EARNINGS_CSV}))
    assert caught.value.body()["entry"] == name


def test_nested_zip_by_name_is_refused() -> None:
    inner = zip_of({"Fee-Earnings.csv": EARNINGS_CSV})
    with pytest.raises(UnsafeArchive, match=r"'inner.zip' is itself an archive"):
        parse(zip_of({"inner.zip": inner}))


def test_nested_zip_disguised_as_csv_is_refused() -> None:
    inner = zip_of({"Fee-Earnings.csv": EARNINGS_CSV})
    with pytest.raises(UnsafeArchive, match=r"'Fee-Earnings.csv' is itself an archive"):
        parse(zip_of({"Fee-Earnings.csv": inner}))


def test_zip_named_xlsx_that_is_no_workbook_is_refused_as_nested() -> None:
    inner = zip_of({"Fee-Earnings.csv": EARNINGS_CSV})
    with pytest.raises(UnsafeArchive, match=r"'Fee-Earnings.xlsx' is a zip archive, not an Excel"):
        parse(zip_of({"Fee-Earnings.xlsx": inner}))


def test_garbage_named_xlsx_is_unreadable() -> None:
    with pytest.raises(UnreadableReport, match="not an Excel workbook"):
        parse(zip_of({"Fee-Earnings.xlsx": b"hello, world"}))


def test_too_many_entries() -> None:
    entries: dict[str, bytes | str] = {f"f{i}.txt": "x" for i in range(201)}
    with pytest.raises(UnsafeArchive, match="201 entries; at most 200"):
        parse(zip_of(entries))


def test_total_inflated_size_over_the_cap() -> None:
    data = zip_of({"Fee-Earnings.csv": EARNINGS_CSV})
    with pytest.raises(UnsafeArchive, match="would inflate to"):
        parse(data, limits=ArchiveLimits(max_total_bytes=100))


def test_compression_ratio_bomb() -> None:
    data = zip_of({"Fee-Earnings.csv": b"0" * (8 << 20)})
    with pytest.raises(UnsafeArchive, match=r"inflates \d+:1 .*zip bomb"):
        parse(data)


def test_bomb_inside_a_workbook_part() -> None:
    sample = build_sample(days=2, fmt="xlsx")
    assert sample.data is not None
    with zipfile.ZipFile(io.BytesIO(sample.data)) as outer:
        name = outer.namelist()[0]
        workbook = io.BytesIO(outer.read(name))
    with zipfile.ZipFile(workbook, "a", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/media/bomb.xml", b"<" * (8 << 20))
    with pytest.raises(UnsafeArchive, match=r"Workbook .* part 'xl/media/bomb.xml' inflates"):
        parse(zip_of({name: workbook.getvalue()}))


def test_byte_budget_is_counted_while_reading() -> None:
    # Declared sizes pass; the real bytes read are what the budget counts.
    data = zip_of({"a.csv": EARNINGS_CSV}, method=zipfile.ZIP_STORED)
    with UploadArchive(data, ArchiveLimits(max_total_bytes=10**6)) as archive:
        with archive.open_binary(archive.entries[0]) as stream:
            assert stream.read() == EARNINGS_CSV.encode()
        assert archive._inflated == len(EARNINGS_CSV)
        archive._inflated = 10**6 - 10
        with pytest.raises(UnsafeArchive, match=r"Reading 'a\.csv' passed the limit"):
            archive.open_binary(archive.entries[0]).read()


def test_zip_without_an_amazon_report() -> None:
    with pytest.raises(NoAmazonReport, match=r"holds readme.txt, photo.png") as caught:
        parse(zip_of({"readme.txt": "hello\nworld\n", "photo.png": b"\x89PNG...."}))
    assert caught.value.status == 422


def test_empty_zip_has_no_report() -> None:
    with pytest.raises(NoAmazonReport):
        parse(zip_of({}))


def test_mac_metadata_entries_are_ignored() -> None:
    data = zip_of(
        {
            "__MACOSX/._Fee-Earnings.csv": b"PK\x03\x04 resource fork",
            ".DS_Store": b"\0\0\0\1Bud1",
            "Fee-Earnings.csv": EARNINGS_CSV,
        }
    )
    assert len(parse(data).transactions) == 3


def test_bare_workbook_upload_is_accepted() -> None:
    header = EARNINGS_CSV.splitlines()[1].split(",")
    row = ["Toys", "Kite", "B0KITE0001", "Amazon.com", "mysite-20", "2024-03-04", 10, 1, 0]
    title = ["Fee-Earnings reports from 03-01-2024 to 03-31-2024"]
    book = xlsx_of({"Fee-Earnings": [title, header, [*row, 10, 0.3]]})
    parsed = parse(book, filename="my-upload.xlsx")
    assert [t.commission_amount for t in parsed.transactions] == [Decimal("0.30")]
    assert parsed.summary.reports[0].file == "my-upload.xlsx"


def test_temporary_files_are_removed(tmp_path: Path) -> None:
    sample = build_sample(tmp_path / "s.zip", days=3)
    archive = UploadArchive(tmp_path / "s.zip")
    with archive:
        workdir = archive.workdir
        path = archive.spool_workbook(archive.entries[0])
        assert path.parent == workdir
        assert path.exists()
    assert not workdir.exists()
    assert sample.path == tmp_path / "s.zip"
