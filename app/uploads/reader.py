"""Reading an upload in a process of its own.

Parsing a workbook and preparing its rows for the ledger is pure-Python work, about 30 µs a
row. In the worker's process it would hold the GIL while the event loop feeds Postgres, so
parsing and merging would take turns. Here a child process parses and stages batches and
hands them over a small bounded queue: the parser, Postgres and the event loop each get a
core, and the queue's bound keeps memory flat (the parser waits when the database lags).

The child sends plain data only: staged batches, then the summary, or the problem that
rejected the upload. A child that dies without a word (killed, out of memory) is reported
as a crash, never as an empty file.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import queue
import resource
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.amazon.errors import UploadRejected
from app.amazon.mapping import DailyStat, OrderedDay
from app.amazon.parse import UploadSummary, parse_upload
from app.ledger.ingest import StagedBatch, stage

log = logging.getLogger("netledger.uploads")

_POLL_SECONDS = 0.5


@dataclass
class ReadBatch:
    staged: StagedBatch  # earnings and bounties, ready for `ingest_staged`
    ordered: dict[date, OrderedDay]
    daily_stats: list[DailyStat]
    rows_parsed: int  # over the whole upload so far


@dataclass
class _Done:
    summary: UploadSummary
    peak_rss_mb: float


@dataclass
class _Rejected:
    body: dict[str, Any]


@dataclass
class _Crashed:
    error: str


class ReadRejected(Exception):
    """The file is wrong; `body` is the problem the parser raised (file, sheet, row...)."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("detail", "upload rejected"))
        self.body = body


class ReadCrashed(Exception):
    """The parser process failed for a reason that is not the file's fault."""


class _Orphaned(Exception):
    pass


def _send(out: Any, item: object, parent: int) -> None:
    # A parent killed outright (SIGKILL, OOM) cannot stop its child: rather than wait on a
    # full queue forever, the child notices it was re-parented and quits.
    while True:
        try:
            out.put(item, timeout=_POLL_SECONDS)
            return
        except queue.Full:
            if os.getppid() != parent:
                raise _Orphaned from None


def _read(path: str, options: dict[str, Any], out: Any, parent: int) -> None:
    """The child: parse, stage, send. Runs in a spawned process."""
    try:
        parser = parse_upload(path, **options)
        for batch in parser:
            staged = stage(batch.transactions)
            item = ReadBatch(staged, batch.ordered, batch.daily_stats, batch.rows_parsed)
            _send(out, item, parent)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        _send(out, _Done(parser.summary, peak), parent)
    except _Orphaned:
        return
    except UploadRejected as exc:
        _send(out, _Rejected(exc.body()), parent)
    except BaseException as exc:  # the parent logs the crash and fails the upload
        log.exception("parsing %s crashed", path)
        _send(out, _Crashed(type(exc).__name__), parent)


class UploadReader:
    """`async with UploadReader(path, options) as reader: async for batch in reader: ...`,
    then `reader.summary`. Leaving the block stops the child whatever happened."""

    def __init__(self, path: Path, options: dict[str, Any], *, depth: int = 2) -> None:
        self.path = path
        self.options = options
        self.summary: UploadSummary | None = None
        self.peak_rss_mb = 0.0
        context = multiprocessing.get_context("spawn")  # never fork an event loop
        self._queue = context.Queue(maxsize=depth)
        self._process = context.Process(
            target=_read, args=(str(path), options, self._queue, os.getpid()), daemon=True
        )

    async def __aenter__(self) -> UploadReader:
        self._process.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._process.is_alive():
            self._process.terminate()
        await asyncio.to_thread(self._process.join, 10)
        if self._process.is_alive():
            self._process.kill()
            await asyncio.to_thread(self._process.join, 10)
        self._queue.cancel_join_thread()
        self._queue.close()

    def __aiter__(self) -> AsyncIterator[ReadBatch]:
        return self._batches()

    async def _batches(self) -> AsyncIterator[ReadBatch]:
        while True:
            item = await asyncio.to_thread(self._next)
            if isinstance(item, ReadBatch):
                yield item
            elif isinstance(item, _Done):
                self.summary, self.peak_rss_mb = item.summary, item.peak_rss_mb
                return
            elif isinstance(item, _Rejected):
                raise ReadRejected(item.body)
            else:
                raise ReadCrashed(f"the upload parser failed: {item.error}")

    def _next(self) -> ReadBatch | _Done | _Rejected | _Crashed:
        while True:
            try:
                return self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if self._process.is_alive():
                    continue
            # The child is gone: take what it sent last, if anything.
            try:
                return self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                return _Crashed(f"exit code {self._process.exitcode}")
