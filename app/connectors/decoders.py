"""Body decoders a connector declares (`decoder = Xml()`): bytes in, plain Python out.

Each raises `ValueError` with a short reason when a body does not parse, and decodes an
empty (or whitespace-only) body to None, which a connector reads as "no records".
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any, Protocol
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from app import jsonutil

_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


class Decoder(Protocol):
    def decode(self, content: bytes, content_type: str = "") -> Any: ...


def as_list(value: Any) -> list[Any]:
    """A decoded XML value as a list: a child that appeared once is not one (None -> [])."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(content: bytes, encoding: str) -> str:
    try:
        return content.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the body is not {encoding} text (byte {exc.start})") from exc


@dataclass(frozen=True)
class Json:
    """JSON, numbers as Decimal (never float)."""

    def decode(self, content: bytes, content_type: str = "") -> Any:
        if not content.strip():
            return None
        try:
            return jsonutil.loads(content)
        except ValueError as exc:
            raise ValueError(f"the body is not JSON: {exc}") from exc


@dataclass(frozen=True)
class Xml:
    """XML (parsed by defusedxml: no DTD entities, no external references) as the root
    element's value, where an element's value is:

    - None when it is empty or carries `xsi:nil="true"`;
    - its text (stripped) when it has no children and no attributes;
    - otherwise a dict: each child's tag -> that child's value, a list of values when the
      tag repeats (a tag seen once is not a list: use `as_list`), each attribute under
      "@name", and any text under "#text".

    With `strip_namespaces` tags and attribute names lose their namespace
    (`{uri}tag` -> `tag`); otherwise they keep it in that `{uri}tag` form.
    """

    strip_namespaces: bool = True

    def decode(self, content: bytes, content_type: str = "") -> Any:
        if not content.strip():
            return None
        try:
            root = defusedxml.ElementTree.fromstring(content)
        except defusedxml.DefusedXmlException as exc:
            raise ValueError(f"the XML body was refused: {type(exc).__name__}") from exc
        except ParseError as exc:
            raise ValueError(f"the body is not XML: {exc}") from exc
        return self._value(root)

    def _name(self, tag: str) -> str:
        return tag.rpartition("}")[2] if self.strip_namespaces else tag

    def _value(self, element: Element) -> Any:
        if element.get(f"{_XSI}nil") in ("true", "1"):
            return None
        text = (element.text or "").strip()
        if len(element) == 0 and not element.attrib:
            return text or None
        value: dict[str, Any] = {f"@{self._name(k)}": v for k, v in element.attrib.items()}
        children: dict[str, list[Any]] = {}
        for child in element:
            children.setdefault(self._name(child.tag), []).append(self._value(child))
        for name, values in children.items():
            value[name] = values if len(values) > 1 else values[0]
        if text:
            value["#text"] = text
        return value


@dataclass(frozen=True)
class Csv:
    """CSV with a header row, as one dict per row (header -> cell). A UTF-8 BOM is
    dropped, CRLF and LF both end lines, blank lines are skipped, and a row with more or
    fewer cells than the header is a ValueError naming its line."""

    delimiter: str = ","
    encoding: str = "utf-8"

    def decode(self, content: bytes, content_type: str = "") -> Any:
        text = _text(content, self.encoding)
        if not text.strip():
            return None
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter, strict=True)
        try:
            header = [name.strip() for name in next(reader)]
            if len(set(header)) != len(header):
                raise ValueError(f"the CSV header repeats a column: {header}")
            rows = []
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise ValueError(
                        f"CSV line {reader.line_num} has {len(row)} cells, "
                        f"the header has {len(header)}"
                    )
                rows.append(dict(zip(header, row, strict=True)))
        except csv.Error as exc:
            raise ValueError(f"CSV line {reader.line_num}: {exc}") from exc
        return rows


@dataclass(frozen=True)
class StatusBody:
    """A status-line body: `ok`, the count after `OK` if any, the text after the status
    word (the whole failure message after `KO`), and the lines that followed."""

    ok: bool
    count: int | None
    message: str
    rows: list[dict[str, str]] | list[list[str]]


_STATUS = re.compile(r"(?i)(OK|KO)(?:\s+(.*))?")


@dataclass(frozen=True)
class StatusText:
    """A first line `OK 12` / `OK` / `KO message` (any case), then one record a line,
    fields split on `delimiter` (no quoting). With `columns` each line becomes a dict and
    must have exactly that many fields. After `KO` the following lines join the message.
    A count after `OK` is reported, not checked against the rows."""

    delimiter: str = ";"
    columns: tuple[str, ...] | None = None
    encoding: str = "utf-8"

    def decode(self, content: bytes, content_type: str = "") -> StatusBody | None:
        text = _text(content, self.encoding)
        if not text.strip():
            return None
        lines = list(enumerate(text.splitlines(), 1))
        numbered = [(n, line) for n, line in lines if line.strip()]
        (_, first), rest = numbered[0], numbered[1:]
        status = _STATUS.fullmatch(first.strip())
        if status is None:
            raise ValueError(f"the first line is not OK or KO: {first[:60]!r}")
        word, tail = status[1].upper(), (status[2] or "").strip()
        if word == "KO":
            message = "\n".join([tail, *(line.strip() for _, line in rest)])
            return StatusBody(False, None, message.strip(), [])
        count = int(tail) if tail.isdigit() else None
        return StatusBody(True, count, "" if count is not None else tail, self._rows(rest))

    def _rows(self, lines: list[tuple[int, str]]) -> list[dict[str, str]] | list[list[str]]:
        fields = [(n, line.split(self.delimiter)) for n, line in lines]
        if self.columns is None:
            return [row for _, row in fields]
        columns = self.columns
        for number, row in fields:
            if len(row) != len(columns):
                raise ValueError(f"line {number} has {len(row)} fields, expected {len(columns)}")
        return [dict(zip(columns, row, strict=True)) for _, row in fields]
