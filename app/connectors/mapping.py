"""Reading a network's record: fields by path, money, times and status words, each failure a
`BadPayload` naming the network and the field."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from app.connectors.errors import BadPayload

_TRAILING_ZONE_NAME = re.compile(r"\s*\([A-Za-z ]+\)$")


class Mapper:
    """Helpers a record mapper uses, raising `BadPayload` that names network and field."""

    def __init__(self, network: str, record: dict[str, Any]) -> None:
        self.network = network
        self.record = record

    def fail(self, field_name: str, problem: str) -> BadPayload:
        return BadPayload(self.network, f"{self.network} record field '{field_name}' {problem}")

    def get(self, path: str) -> Any:
        value: Any = self.record
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def text(self, path: str, *, required: bool = False) -> str | None:
        value = self.get(path)
        if value is None or value == "":
            if required:
                raise self.fail(path, "is missing")
            return None
        if isinstance(value, (dict, list)):
            raise self.fail(path, f"should be text, got {type(value).__name__}")
        return str(value)

    def required_text(self, path: str) -> str:
        value = self.text(path, required=True)
        assert value is not None
        return value

    def money(self, path: str, *, required: bool = False) -> Decimal | None:
        value = self.get(path)
        if value is None or value == "":
            if required:
                raise self.fail(path, "is missing")
            return None
        if isinstance(value, (bool, float)):
            raise self.fail(path, "is a float; money must parse exactly")
        try:
            return Decimal(str(value).replace(",", "")) if not isinstance(value, Decimal) else value
        except InvalidOperation as exc:
            raise self.fail(path, f"is not a number: {str(value)[:40]!r}") from exc

    def required_money(self, path: str) -> Decimal:
        value = self.money(path, required=True)
        assert value is not None
        return value

    def time(
        self, path: str, zone: str = "UTC", *, formats: tuple[str, ...] = (), required: bool = False
    ) -> datetime | None:
        """A timestamp in UTC: ISO 8601 (with or without offset; without means `zone`), or
        one of `formats` (strptime)."""
        value = self.text(path, required=required)
        if value is None:
            return None
        # "... GMT+0000 (UTC)": a trailing zone name in parentheses repeats the offset.
        value = _TRAILING_ZONE_NAME.sub("", value)
        parsed: datetime | None = None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            for fmt in formats:
                try:
                    parsed = datetime.strptime(value, fmt)
                    break
                except ValueError:
                    continue
        if parsed is None:
            raise self.fail(path, f"is not a date/time: {value[:40]!r}")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(zone))
        return parsed.astimezone(ZoneInfo("UTC"))

    def required_time(
        self, path: str, zone: str = "UTC", *, formats: tuple[str, ...] = ()
    ) -> datetime:
        value = self.time(path, zone, formats=formats, required=True)
        assert value is not None
        return value

    def status(self, path: str, table: dict[str, str]) -> tuple[str, str]:
        """(our status, the network's word) through the network's status table."""
        word = self.required_text(path)
        ours = table.get(word.lower())
        if ours is None:
            raise self.fail(path, f"has an unknown status {word!r}")
        return ours, word
