"""Amazon upload, end to end: a 50 MB Download Reports zip (760,000 earnings rows)
from `POST /v1/connections/{id}/uploads` to `succeeded`, against calamine reading the same
file's rows and nothing else, in the same run; and the peak memory of the worker and of
the process it parses uploads in.

    python -m bench.amazon [--rows 760000]

The zip is generated once (about a minute) and kept under the data dir. The API and the
worker run as their own processes (`netledger api`, `netledger worker`) on a scratch
database; peak resident memory is read from /proc (each process's VmHWM, and the sum of
the worker's and its children's RSS sampled every 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import datetime
from pathlib import Path

import httpx
from python_calamine import CalamineWorkbook

from app.amazon.sample import build_sample
from app.fx.seed import seed_database
from bench.common import scratch_database


def sample_zip(rows: int) -> Path:
    path = Path(os.environ.get("NETLEDGER_DATA_DIR", ".netledger")) / "bench" / f"amazon-{rows}.zip"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"  generating {path} ...", file=sys.stderr)
        build_sample(path, rows=rows, days=90, orders_ratio=0.05, seed=7)
    return path


def calamine_rows(path: Path) -> int:
    """Every row of every workbook in the zip, read by calamine (the parse-only floor)."""
    count = 0
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as tmp:
        for name in archive.namelist():
            if not name.lower().endswith(".xlsx"):
                continue
            target = Path(tmp) / "book.xlsx"
            target.write_bytes(archive.read(name))
            book = CalamineWorkbook.from_path(str(target))
            for sheet in book.sheet_names:
                for _ in book.get_sheet_by_name(sheet).iter_rows():
                    count += 1
    return count


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


class TreeMemory:
    """The worker's resident memory plus its children's (the upload parser runs in one),
    sampled every 100 ms while the upload runs; each process's own peak (VmHWM) too."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_total = 0.0
        self.peak_child = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            children = _children(self.pid)
            child_peaks = [_status_mb(c, "VmHWM") for c in children]
            total = _status_mb(self.pid, "VmRSS") + sum(_status_mb(c, "VmRSS") for c in children)
            self.peak_total = max(self.peak_total, total)
            self.peak_child = max([self.peak_child, *child_peaks])


async def create_workspace(url: str) -> str:
    from app.db import create_engine, session_factory, transaction
    from app.workspaces.service import create_workspace as create

    engine = create_engine(url, pool_size=1)
    async with transaction(session_factory(engine)) as session:
        created = await create(session, "Bench", "USD")
    await engine.dispose()
    return created.api_key


async def main(rows: int) -> None:
    path = sample_zip(rows)
    started = time.perf_counter()
    parsed_rows = calamine_rows(path)
    parse_seconds = time.perf_counter() - started

    async with scratch_database("amazon") as url:
        await seed_database(url)
        key = await create_workspace(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"),
            "NETLEDGER_SECRET_KEY": "bench",
        }
        port = _free_port()
        api = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "api", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with TreeMemory(worker.pid) as memory:
                result = await asyncio.to_thread(drive, port, key, path)
            worker_peak = _status_mb(worker.pid, "VmHWM")
        finally:
            for process in (api, worker):
                process.terminate()
                process.wait(timeout=30)

    seconds, upload, posted = result
    started_at = datetime.fromisoformat(upload["started_at"])
    finished_at = datetime.fromisoformat(upload["finished_at"])
    created_at = datetime.fromisoformat(upload["created_at"])
    e2e_rate = upload["rows_parsed"] / seconds
    parse_rate = parsed_rows / parse_seconds
    print(f"amazon upload benchmark: {path.stat().st_size / 1e6:.1f} MB zip")
    print(
        f"  calamine parse only:  {parsed_rows:>9,} rows in {parse_seconds:6.1f} s"
        f" = {parse_rate:9,.0f} rows/s"
    )
    print(
        f"  upload to succeeded:  {upload['rows_parsed']:>9,} rows in {seconds:6.1f} s"
        f" = {e2e_rate:9,.0f} rows/s"
        f"  ({upload['inserted']:,} lines inserted)"
    )
    queued = (started_at - created_at).total_seconds()
    processing = (finished_at - started_at).total_seconds()
    print(
        f"    of which: POST answered {posted:.1f} s, queued {queued:.1f} s,"
        f" processing {processing:.1f} s"
    )
    print(f"  ratio end to end / parse only: {e2e_rate / parse_rate:.2f}")
    print(
        f"  peak memory: worker {worker_peak:,.0f} MB (VmHWM), its parser process"
        f" {memory.peak_child:,.0f} MB (VmHWM), both together {memory.peak_total:,.0f} MB"
        " (sampled every 100 ms)"
    )


def drive(port: int, key: str, path: Path) -> tuple[float, dict, float]:  # type: ignore[type-arg]
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=300) as c:
        for _ in range(300):
            try:
                if c.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        connection = (
            c.post(
                "/v1/connections",
                json={
                    "network": "amazon",
                    "credentials": {
                        "store_id": "mysite-20",
                        "currency": "USD",
                        "marketplace": "US",
                    },
                },
            )
            .raise_for_status()
            .json()
        )
        started = time.perf_counter()
        with path.open("rb") as handle:
            upload = (
                c.post(
                    f"/v1/connections/{connection['id']}/uploads",
                    files={"file": (path.name, handle, "application/zip")},
                )
                .raise_for_status()
                .json()
            )
        posted = time.perf_counter() - started
        while upload["state"] not in ("succeeded", "failed"):
            time.sleep(0.25)
            upload = c.get(f"/v1/uploads/{upload['id']}").json()
        if upload["state"] == "failed":
            raise SystemExit(f"upload failed: {upload['errors']}")
        return time.perf_counter() - started, upload, posted


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=760_000)
    args = parser.parse_args()
    asyncio.run(main(args.rows))
