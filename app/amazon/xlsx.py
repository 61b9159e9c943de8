"""Rows of one worksheet with python-calamine, in bounded memory.

calamine loads a whole sheet into Rust memory before the first row comes out (its
`iter_rows` only avoids building every Python list at once): an 800,000-row earnings sheet
peaks near 1 GB. So the sheet's XML is cut, at `</row>` boundaries, into chunks of about
`chunk_bytes`, and each chunk becomes a small workbook calamine reads on its own. The cut is
byte-level and safe: `<` never appears unescaped inside XML text. Row numbers are the
sheet's own (`r` attributes are kept), so errors still point at the right row.

Every chunk workbook is written STORED (uncompressed) from bytes Python inflated through
the upload's byte counter, so calamine never inflates anything the uploader wrote.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from defusedxml import ElementTree
from python_calamine import CalamineError, CalamineWorkbook

from app.amazon.archive import UploadArchive
from app.amazon.errors import UnreadableReport
from app.amazon.values import Cell

_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"<(\w+:)?dimension\b[^>]*/>")
_MAX_HEAD = 16 << 20  # bytes before <sheetData>: view settings, column widths
_MAX_ROW = 64 << 20  # one row's XML; anything longer is not an Amazon report
_MAX_META_PART = 32 << 20  # workbook.xml and its relationships
_EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData/></worksheet>"
)
_READ = 4 << 20


@dataclass(frozen=True, slots=True)
class SheetRef:
    name: str
    part: str  # e.g. "xl/worksheets/sheet1.xml"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_part(archive: UploadArchive, book: zipfile.ZipFile, part: str, file: str) -> bytes:
    info = book.getinfo(part)
    if info.file_size > _MAX_META_PART:
        raise UnreadableReport(f"Workbook {file!r} has an oversized {part}.", file=file)
    with archive.charge_reader(book.open(info), f"{file}:{part}") as stream:
        return stream.read()


def _parse_xml(data: bytes, file: str, part: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise UnreadableReport(f"Workbook {file!r}: {part} is broken: {exc}", file=file) from exc


def _target(base: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else f"{base}/{target}"


class Workbook:
    """One spooled .xlsx: its worksheets, and a stored skeleton the chunks are built on."""

    def __init__(self, archive: UploadArchive, path: Path, file: str) -> None:
        self.archive = archive
        self.file = file
        self._book = zipfile.ZipFile(path)
        names = set(self._book.namelist())
        rels = _parse_xml(
            _read_part(archive, self._book, "xl/_rels/workbook.xml.rels", file), file, "rels"
        )
        targets = {
            r.get("Id", ""): (
                r.get("Type", "").rsplit("/", 1)[-1],
                _target("xl", r.get("Target", "")),
            )
            for r in rels
            if _local(r.tag) == "Relationship"
        }
        workbook = _parse_xml(_read_part(archive, self._book, "xl/workbook.xml", file), file, "wb")
        self.sheets: list[SheetRef] = []
        for element in workbook.iter():
            if _local(element.tag) != "sheet":
                continue
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
            kind, part = targets.get(rel_id, ("", ""))
            if kind == "worksheet" and part in names:
                self.sheets.append(SheetRef(element.get("name", ""), part))
        self._worksheet_parts = [s.part for s in self.sheets]
        self._skeleton = path.with_suffix(".skeleton.xlsx")
        keep = [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
        ]
        keep += [p for k, p in targets.values() if k in ("styles", "sharedStrings") and p in names]
        with zipfile.ZipFile(self._skeleton, "w", zipfile.ZIP_STORED) as out:
            for part in keep:
                if part not in names:
                    continue
                with (
                    out.open(part, "w", force_zip64=True) as dst,
                    archive.charge_reader(self._book.open(part), f"{file}:{part}") as src,
                ):
                    shutil.copyfileobj(src, dst, 1 << 20)
        # calamine re-reads the shared strings for every chunk: keep chunks at least that big.
        self._min_chunk = self._skeleton.stat().st_size

    def rows(
        self, sheet: SheetRef, chunk_bytes: int = 16 << 20
    ) -> Iterator[tuple[int, list[Cell]]]:
        """(1-based row number, cells) for every row of `sheet`, chunk by chunk."""
        for chunk in self._chunks(sheet, max(chunk_bytes, self._min_chunk)):
            try:
                yield from _calamine_rows(chunk, sheet.name, self.file)
            finally:
                chunk.unlink(missing_ok=True)

    def _chunks(self, sheet: SheetRef, chunk_bytes: int) -> Iterator[Path]:
        label = f"{self.file}:{sheet.name}"
        with self.archive.charge_reader(self._book.open(sheet.part), label) as src:
            buf = b""
            while (match := _SHEET_DATA.search(buf)) is None:
                data = src.read(1 << 16)
                if not data or len(buf) > _MAX_HEAD:
                    return  # no rows at all
                buf += data
            if match.group(2):
                return  # <sheetData/>: an empty sheet
            prefix = match.group(1) or b""
            head = _DIMENSION.sub(b"", buf[: match.end()])  # a stale size would mis-size the range
            tail = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
            buf = buf[match.end() :]
            step = max(min(_READ, chunk_bytes), 1024)  # reads no bigger than a chunk
            done, number = False, 0
            while not done:
                number += 1
                path = self._skeleton.with_name(f"{self._skeleton.stem}-{number}.xlsx")
                shutil.copyfile(self._skeleton, path)
                with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as out:
                    for part in self._worksheet_parts:
                        if part != sheet.part:
                            out.writestr(part, _EMPTY_SHEET)
                    with out.open(sheet.part, "w", force_zip64=True) as dst:
                        dst.write(head)
                        buf, done = self._fill(dst, src, buf, chunk_bytes, step, prefix, sheet)
                        dst.write(tail)
                yield path

    def _fill(
        self,
        dst: IO[bytes],
        src: IO[bytes],
        buf: bytes,
        chunk_bytes: int,
        step: int,
        prefix: bytes,
        sheet: SheetRef,
    ) -> tuple[bytes, bool]:
        """Copy whole rows into one chunk; return what is left over and whether rows ended."""
        row_end, data_end = b"</" + prefix + b"row>", b"</" + prefix + b"sheetData>"
        written = 0
        while True:
            end = buf.find(data_end)
            stop = end if end >= 0 else len(buf)
            cut = buf.rfind(row_end, 0, min(stop, chunk_bytes - written))
            if cut < 0 and written == 0:
                cut = buf.find(row_end, 0, stop)  # a row bigger than a chunk goes alone
            if cut >= 0:
                cut += len(row_end)
                dst.write(buf[:cut])
                written += cut
                buf = buf[cut:]
                continue
            has_row = buf.find(row_end, 0, stop) >= 0
            if end >= 0 and not has_row:
                dst.write(buf[:end])  # the last (empty, self-closed) rows
                return b"", True
            if has_row:
                return buf, False  # the next row would not fit: this chunk is full
            data = src.read(step)
            if not data or len(buf) > _MAX_ROW:
                raise UnreadableReport(
                    f"Sheet {sheet.name!r} of {self.file!r} is truncated or has an oversized row.",
                    file=self.file,
                    sheet=sheet.name,
                )
            buf += data

    def close(self) -> None:
        self._book.close()
        self._skeleton.unlink(missing_ok=True)


def _calamine_rows(path: Path, sheet_name: str, file: str) -> Iterator[tuple[int, list[Cell]]]:
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_name(sheet_name)
    except CalamineError as exc:
        raise UnreadableReport(
            f"Sheet {sheet_name!r} of {file!r} cannot be read: {exc}", file=file, sheet=sheet_name
        ) from exc
    try:
        start = sheet.start
        if start is None:
            return
        first_row, first_col = start
        # `iter_rows` pads every chunk with empty rows from row 1 (quadratic over chunks);
        # `to_python` starts at the first used row, and a chunk is small enough to list.
        rows = sheet.to_python(skip_empty_area=True)
        del sheet  # frees the Rust copy of the chunk before its rows are used
    finally:
        book.close()
    # calamine trims leading empty columns; put them back so positions stay true.
    pad: list[Cell] = [""] * first_col
    for offset, row in enumerate(rows):
        cells: list[Cell] = list(row)
        yield first_row + offset + 1, (pad + cells if first_col else cells)
