"""Shared bits of the sandbox tests (no conftest: these tests run with `--noconftest`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from app.sandbox.data import DataSpec

TODAY = date(2026, 6, 15)
SPEC = DataSpec(TODAY)


@contextmanager
def fresh_client(base_url: str, **knobs: Any) -> Iterator[httpx.Client]:
    """A client on a reset sandbox app pinned to TODAY, with `knobs` applied."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        client.post("/_sandbox/reset").raise_for_status()
        client.post(
            "/_sandbox/config", json={"today": TODAY.isoformat(), **knobs}
        ).raise_for_status()
        yield client


def windows(start: date, end: date, days: int) -> Iterator[tuple[datetime, datetime]]:
    """[start, end] cut into half-open datetime windows of at most `days` days."""
    cursor = datetime.combine(start, datetime.min.time())
    stop = datetime.combine(end + timedelta(days=1), datetime.min.time())
    while cursor < stop:
        upper = min(cursor + timedelta(days=days), stop)
        yield cursor, upper
        cursor = upper
