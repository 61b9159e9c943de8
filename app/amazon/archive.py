"""Safe opening of an uploaded Download Reports zip: limits first, then streams.

Everything is checked against the central directory before a byte is inflated (entry count,
declared sizes, compression ratio, encryption, names), and again while reading: every
entry is read through a counter, so the total inflated bytes never pass the cap even if a
header lies. Python's zipfile stops at the declared size and checks the CRC, so a lying
header cannot make it inflate more. Nothing is extracted by its own name: a workbook is
copied to `entry-N.xlsx` inside a private temporary directory removed on close.

A bare .xlsx (itself a zip) is accepted as a one-workbook upload, as Amazon's UI lets the
publisher save the workbook alone.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from app.amazon.errors import NotAZip, UnreadableReport, UnsafeArchive

_NESTED_EXTENSIONS: tuple[str, ...] = (
    ".zip",
    ".7z",
    ".rar",
    ".gz",
    ".tgz",
    ".tar",
    ".bz2",
    ".xz",
    ".zst",
)
_NESTED_EXTENSIONS += (".jar", ".cab", ".lz", ".lzma", ".z", ".xlsm", ".xlsb", ".xls", ".ods")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # password-protected Office files and legacy .xls
_IGNORED_PREFIXES = ("__MACOSX/",)
_IGNORED_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_entries: int = 200
    max_total_bytes: int = 1 << 30  # inflated, over every entry and workbook part read
    max_ratio: int = 200  # inflated : compressed, for entries above ratio_min_bytes
    ratio_min_bytes: int = 1 << 20
    max_workbook_parts: int = 500


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    name: str
    size: int
    kind: str  # "xlsx", "csv", "tsv", "txt", "xml" or "other"
    index: int


def _kind(name: str) -> str:
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    return ext if ext in ("xlsx", "csv", "tsv", "txt", "xml") else "other"


def _check_name(name: str) -> None:
    problem = None
    if "\\" in name:
        problem = "contains a backslash"
    elif name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        problem = "is an absolute path"
    elif ".." in name.split("/"):
        problem = "climbs out of the archive with '..'"
    elif any(ord(ch) < 32 for ch in name):
        problem = "contains control characters"
    if problem:
        raise UnsafeArchive(f"Archive entry {name!r} {problem}.", entry=name)


def _check_info(info: zipfile.ZipInfo, limits: ArchiveLimits, where: str) -> None:
    if info.flag_bits & 0x41:  # bit 0: encrypted; bit 6: strong encryption
        raise UnsafeArchive(f"{where} {info.filename!r} is encrypted.", entry=info.filename)
    if info.file_size > limits.ratio_min_bytes:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise UnsafeArchive(
                f"{where} {info.filename!r} inflates {ratio:.0f}:1 (at most "
                f"{limits.max_ratio}:1 is accepted); this looks like a zip bomb.",
                entry=info.filename,
            )


def _check_total(infos: list[zipfile.ZipInfo], limits: ArchiveLimits, what: str) -> None:
    total = sum(i.file_size for i in infos)
    if total > limits.max_total_bytes:
        raise UnsafeArchive(
            f"{what} would inflate to {total:,} bytes; the limit is "
            f"{limits.max_total_bytes:,}. Download fewer months per file."
        )


def _is_workbook(names: set[str]) -> bool:
    return "xl/workbook.xml" in names and "[Content_Types].xml" in names


class _Counted(io.RawIOBase):
    """A zip entry stream that counts inflated bytes against the upload's budget."""

    def __init__(self, raw: IO[bytes], owner: UploadArchive, name: str) -> None:
        self._raw = raw
        self._owner = owner
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._raw.read(len(buffer))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise UnreadableReport(
                f"Archive entry {self._name!r} is corrupt: {exc}", entry=self._name
            ) from exc
        self._owner._charge(len(data), self._name)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class UploadArchive:
    """An uploaded zip (path or bytes), validated on open; use as a context manager."""

    def __init__(
        self,
        source: str | os.PathLike[str] | bytes,
        limits: ArchiveLimits | None = None,
        *,
        name: str = "upload.xlsx",
    ) -> None:
        self.limits = limits or ArchiveLimits()
        self.name = name
        self._inflated = 0
        self._tmp = tempfile.TemporaryDirectory(prefix="netledger-amazon-")
        self._file: BinaryIO = (
            io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
        )
        try:
            self._zip, self.bare_workbook = self._open()
            self.entries = self._list_entries()
        except BaseException:
            self.close()
            raise

    def _open(self) -> tuple[zipfile.ZipFile, bool]:
        head = self._file.read(8)
        self._file.seek(0)
        try:
            archive = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            hint = "It looks like a password-protected or legacy Excel file. " * (
                head.startswith(_OLE_MAGIC)
            )
            raise NotAZip(
                f"The upload is not a zip archive. {hint}Upload the .zip that Amazon's "
                "Download Reports gives you."
            ) from exc
        infos = archive.infolist()
        if len(infos) > self.limits.max_entries:
            raise UnsafeArchive(
                f"The archive holds {len(infos)} entries; at most "
                f"{self.limits.max_entries} are accepted."
            )
        return archive, _is_workbook({i.filename for i in infos})

    def _list_entries(self) -> list[ArchiveEntry]:
        infos = self._zip.infolist()
        if self.bare_workbook:
            self.check_workbook_infos(infos, "The workbook")
            return [ArchiveEntry(self.name, sum(i.file_size for i in infos), "xlsx", -1)]
        _check_total(infos, self.limits, "The archive")
        entries = []
        for index, info in enumerate(infos):
            _check_name(info.orig_filename)
            base = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or info.filename.startswith(_IGNORED_PREFIXES):
                continue
            if base in _IGNORED_NAMES or base.startswith("._"):
                continue
            _check_info(info, self.limits, "Archive entry")
            if info.filename.lower().endswith(_NESTED_EXTENSIONS):
                raise UnsafeArchive(
                    f"Archive entry {info.filename!r} is itself an archive or an unsupported "
                    "workbook format; upload Amazon's zip as it was downloaded.",
                    entry=info.filename,
                )
            entries.append(ArchiveEntry(info.filename, info.file_size, _kind(base), index))
        return entries

    def check_workbook_infos(self, infos: list[zipfile.ZipInfo], what: str) -> None:
        if len(infos) > self.limits.max_workbook_parts:
            raise UnsafeArchive(f"{what} has {len(infos)} parts; this is not an Amazon report.")
        _check_total(infos, self.limits, what)
        for info in infos:
            _check_info(info, self.limits, f"{what} part")

    def _charge(self, size: int, name: str) -> None:
        self._inflated += size
        if self._inflated > self.limits.max_total_bytes:
            raise UnsafeArchive(
                f"Reading {name!r} passed the limit of {self.limits.max_total_bytes:,} "
                "inflated bytes for one upload.",
                entry=name,
            )

    def open_binary(self, entry: ArchiveEntry) -> io.BufferedReader[_Counted]:
        """The entry's bytes as a counted stream; refuses content that is an archive."""
        try:
            raw = self._zip.open(self._zip.infolist()[entry.index])
        except (NotImplementedError, zipfile.BadZipFile) as exc:
            raise UnreadableReport(
                f"Archive entry {entry.name!r}: {exc}", entry=entry.name
            ) from exc
        stream = io.BufferedReader(_Counted(raw, self, entry.name), 1 << 16)
        if entry.kind != "xlsx" and stream.peek(8)[:4].startswith(_ARCHIVE_MAGIC):
            stream.close()
            raise UnsafeArchive(
                f"Archive entry {entry.name!r} is itself an archive; nested archives are "
                "not accepted.",
                entry=entry.name,
            )
        return stream

    def open_text(self, entry: ArchiveEntry) -> io.TextIOWrapper:
        """A CSV/TSV entry as UTF-8 text (a byte-order mark is dropped), streamed."""
        return io.TextIOWrapper(self.open_binary(entry), encoding="utf-8-sig", newline="")

    def spool_workbook(self, entry: ArchiveEntry) -> Path:
        """Copy a workbook entry into the private temp dir (counted) and check its parts."""
        target = Path(self._tmp.name) / f"entry-{entry.index + 1}.xlsx"
        if self.bare_workbook:
            self._file.seek(0)
            with open(target, "wb") as out:
                shutil.copyfileobj(self._file, out, 1 << 20)
            return target
        with self.open_binary(entry) as src, open(target, "wb") as out:
            head = src.peek(8)[:8]
            if not head.startswith(b"PK\x03\x04"):
                reason = (
                    "is password-protected or a legacy .xls workbook"
                    if head.startswith(_OLE_MAGIC)
                    else "is not an Excel workbook"
                )
                raise UnreadableReport(
                    f"Archive entry {entry.name!r} {reason}.", entry=entry.name, file=entry.name
                )
            shutil.copyfileobj(src, out, 1 << 20)
        try:
            with zipfile.ZipFile(target) as book:
                infos = book.infolist()
        except zipfile.BadZipFile as exc:
            raise UnreadableReport(
                f"Archive entry {entry.name!r} is not a readable workbook.", entry=entry.name
            ) from exc
        if not _is_workbook({i.filename for i in infos}):
            raise UnsafeArchive(
                f"Archive entry {entry.name!r} is a zip archive, not an Excel workbook; "
                "nested archives are not accepted.",
                entry=entry.name,
            )
        self.check_workbook_infos(infos, f"Workbook {entry.name!r}")
        return target

    def charge_reader(self, raw: IO[bytes], name: str) -> io.BufferedReader[_Counted]:
        """Count a workbook part's inflated bytes against the same upload budget."""
        return io.BufferedReader(_Counted(raw, self, name), 1 << 20)

    @property
    def workdir(self) -> Path:
        return Path(self._tmp.name)

    def close(self) -> None:
        if getattr(self, "_zip", None) is not None:
            self._zip.close()
        self._file.close()
        self._tmp.cleanup()

    def __enter__(self) -> UploadArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
