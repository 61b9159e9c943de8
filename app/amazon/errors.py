"""Problems an Amazon upload can have. All are 422: the file, not the server, is wrong.

Each names what is wrong and where (`entry`, `file`, `sheet`, `row`, `columns` travel in the
problem body too), so a publisher can fix the download and try again.
"""

from __future__ import annotations

from typing import Any

from app.errors import ProblemError


class UploadRejected(ProblemError):
    """Base of every refused upload; the detail says what and where."""

    status = 422
    slug = "upload-rejected"
    title = "Upload rejected"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, **{k: v for k, v in extra.items() if v is not None})


class NotAZip(UploadRejected):
    slug = "upload-not-a-zip"
    title = "Upload is not a zip archive"


class UnsafeArchive(UploadRejected):
    """Encrypted, nested, oversized, bomb-like or path-escaping archive content."""

    slug = "upload-unsafe-archive"
    title = "Upload archive refused"


class NoAmazonReport(UploadRejected):
    slug = "upload-no-amazon-report"
    title = "No Amazon report found in upload"


class ReportColumnsMissing(UploadRejected):
    slug = "upload-report-columns-missing"
    title = "Amazon report is missing columns"


class StoreIdMismatch(UploadRejected):
    slug = "upload-store-id-mismatch"
    title = "Upload belongs to another Amazon store"


class CurrencyMismatch(UploadRejected):
    slug = "upload-currency-mismatch"
    title = "Upload is in another currency"


class UnreadableReport(UploadRejected):
    """A report file that cannot be decoded at all (not UTF-8, broken workbook XML...)."""

    slug = "upload-unreadable-report"
    title = "Amazon report cannot be read"


class TooManyBadRows(UploadRejected):
    slug = "upload-too-many-bad-rows"
    title = "Too many unreadable rows"
