"""Calendar periods a report's time series is cut into (days in the workspace's zone)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

TIME_KEYS = ("day", "week", "month")


def period_start(day: date, key: str) -> date:
    if key == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if key == "month":
        return day.replace(day=1)
    return day


def periods(start: date, end: date, key: str) -> Iterator[date]:
    """Every period of kind `key` touching [start, end], by its first day."""
    cursor = period_start(start, key)
    while cursor <= end:
        yield cursor
        if key == "day":
            cursor += timedelta(days=1)
        elif key == "week":
            cursor += timedelta(days=7)
        else:
            cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
