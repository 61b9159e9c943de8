"""The upload parser's own process: batches, rejections and a child that dies."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.uploads.ingest import PARSERS_PER_WORKER, parser_slots
from app.uploads.reader import ReadCrashed, ReadRejected, UploadReader
from tests.amazon.support import EARNINGS_CSV, zip_of

OPTIONS = {"currency": "USD", "marketplace": "US", "store_id": "mysite-20", "filename": "r.zip"}


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "upload.zip"
    path.write_bytes(data)
    return path


async def test_batches_and_summary_come_from_the_child(tmp_path: Path) -> None:
    path = _file(tmp_path, zip_of({"e.csv": EARNINGS_CSV}))
    async with UploadReader(path, OPTIONS) as reader:
        batches = [batch async for batch in reader]
        pid = reader._process.pid
    assert pid is not None
    assert pid != os.getpid()
    rows = [row for batch in batches for row in batch.staged.rows]
    assert len(rows) == 3
    assert reader.summary is not None
    assert reader.summary.rows_parsed == 3
    assert reader.peak_rss_mb > 0
    assert not reader._process.is_alive()


async def test_a_rejected_file_carries_its_problem(tmp_path: Path) -> None:
    foreign = EARNINGS_CSV.replace("mysite-20", "othersite-20")
    path = _file(tmp_path, zip_of({"e.csv": foreign}))
    with pytest.raises(ReadRejected) as caught:
        async with UploadReader(path, OPTIONS) as reader:
            [batch async for batch in reader]
    assert "othersite-20" in caught.value.body["detail"]
    assert caught.value.body["status"] == 422


async def test_a_child_that_dies_is_a_crash_not_an_empty_file(tmp_path: Path) -> None:
    path = _file(tmp_path, zip_of({"e.csv": EARNINGS_CSV}))

    async def kill_then_read() -> None:
        async with UploadReader(path, OPTIONS, depth=1) as reader:
            assert reader._process.pid is not None
            os.kill(reader._process.pid, signal.SIGKILL)
            [batch async for batch in reader]

    with pytest.raises(ReadCrashed, match="exit code -9"):
        await kill_then_read()


async def test_a_missing_file_is_a_crash(tmp_path: Path) -> None:
    with pytest.raises(ReadCrashed, match="the upload parser failed"):
        async with UploadReader(tmp_path / "gone.zip", OPTIONS) as reader:
            [batch async for batch in reader]


_PARENT = """
import asyncio, sys, time
from pathlib import Path
from app.uploads.reader import UploadReader

async def main():
    options = {**OPTIONS, "batch_size": 1}
    async with UploadReader(Path(sys.argv[1]), options, depth=1) as reader:
        print(reader._process.pid, flush=True)
        time.sleep(600)  # never reads: the child fills the queue and waits

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_a_child_whose_worker_was_killed_does_not_linger(tmp_path: Path) -> None:
    path = _file(tmp_path, zip_of({"e.csv": EARNINGS_CSV}))
    script = tmp_path / "parent.py"
    script.write_text(f"OPTIONS = {OPTIONS!r}\n" + _PARENT)
    parent = subprocess.Popen(
        [sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)  # as an out-of-memory kill would
        parent.wait()
        for _ in range(200):  # a generous deadline, not a timing assertion
            if not _alive(child):
                break
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


async def test_a_worker_parses_a_bounded_number_of_uploads_at_once() -> None:
    slots = parser_slots()
    assert slots is parser_slots()  # one limit per event loop
    running, peak = 0, 0

    async def upload() -> None:
        nonlocal running, peak
        async with slots:
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(upload() for _ in range(PARSERS_PER_WORKER + 3)))
    assert peak == PARSERS_PER_WORKER
