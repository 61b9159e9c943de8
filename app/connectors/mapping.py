"""Reading a network's record: fields by path, money, times, currencies and status words, each
failure a `BadPayload` naming the network and the field (values parse in `values`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from app.connectors.errors import BadPayload
from app.connectors.values import parse_currency, parse_money, parse_time


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

    def money(
        self, path: str, *, required: bool = False, decimal_comma: bool | None = None
    ) -> Decimal | None:
        """An exact amount (see `values.parse_money`; `decimal_comma` settles "12,345")."""
        value = self.get(path)
        if value is None or value == "":
            if required:
                raise self.fail(path, "is missing")
            return None
        if isinstance(value, (bool, float)):
            raise self.fail(path, f"is a {type(value).__name__}; money must parse exactly")
        try:
            return parse_money(value, decimal_comma=decimal_comma)
        except ValueError as exc:
            raise self.fail(path, f"is not a number: {str(value)[:40]!r}") from exc

    def required_money(self, path: str) -> Decimal:
        value = self.money(path, required=True)
        assert value is not None
        return value

    def time(
        self, path: str, zone: str = "UTC", *, formats: tuple[str, ...] = (), required: bool = False
    ) -> datetime | None:
        """A timestamp in UTC (see `values.parse_time`): ISO 8601 (without an offset read in
        `zone`), one of `formats` (strptime), or epoch seconds/milliseconds."""
        value = self.get(path)
        if value is None or value == "":
            if required:
                raise self.fail(path, "is missing")
            return None
        try:
            return parse_time(value, zone, formats=formats)
        except ValueError as exc:
            raise self.fail(path, f"is not a date/time: {str(value)[:40]!r}") from exc

    def required_time(
        self, path: str, zone: str = "UTC", *, formats: tuple[str, ...] = ()
    ) -> datetime:
        value = self.time(path, zone, formats=formats, required=True)
        assert value is not None
        return value

    def currency(self, path: str, default: str | None = None) -> str:
        """An ISO 4217 code (see `values.parse_currency`); `default` when the field is empty
        or an ambiguous symbol such as "$"."""
        value = self.get(path)
        if (value is None or value == "") and default is None:
            raise self.fail(path, "is missing")
        try:
            return parse_currency(value, default)
        except ValueError as exc:
            raise self.fail(path, f"is not a currency: {str(value)[:40]!r}") from exc

    def status(self, path: str, table: dict[str, str]) -> tuple[str, str]:
        """(our status, the network's word) through the network's status table."""
        word = self.required_text(path)
        ours = table.get(word.lower())
        if ours is None:
            raise self.fail(path, f"has an unknown status {word!r}")
        return ours, word
