"""Response bodies in the shapes networks send: JSON, CSV, `OK n` status text, XML."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal
from xml.etree import ElementTree as ET

from starlette.responses import Response

from app import jsonutil


def _decimals_as_strings(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _decimals_as_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimals_as_strings(v) for v in value]
    return value


def json_body(
    obj: Any,
    status: int = 200,
    *,
    decimals: Literal["number", "string"] = "number",
    headers: Mapping[str, str] | None = None,
) -> Response:
    """JSON with Decimals as exact numbers (`12.50`, never a float's `12.5000001`), or as
    strings (`"12.50"`) where the network sends amounts as strings."""
    payload = _decimals_as_strings(obj) if decimals == "string" else obj
    return Response(jsonutil.dumps(payload), status, headers=headers, media_type="application/json")


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def csv_body(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    delimiter: str = ",",
    *,
    header: bool = True,
    status: int = 200,
    media_type: str = "text/csv",
) -> Response:
    """A CSV report: a header line of `columns`, then each row's values in that order
    (None -> empty, Decimal -> its exact text)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return Response(out.getvalue(), status, media_type=f"{media_type}; charset=utf-8")


def status_text_body(
    rows: Sequence[Mapping[str, Any]] = (),
    columns: Sequence[str] | None = None,
    delimiter: str = ";",
    *,
    ok: bool = True,
    message: str = "",
    status: int = 200,
) -> Response:
    """NetAffiliation-style text: `OK <n>` then one line per row (values of `columns`, or
    of each row in order, joined by `delimiter`); or `KO <message>` when not `ok`."""
    if not ok:
        return Response(f"KO {message}".rstrip() + "\n", status, media_type="text/plain")
    lines = [f"OK {len(rows)}"]
    for row in rows:
        values = [row.get(c) for c in columns] if columns else list(row.values())
        lines.append(delimiter.join(_cell(v) for v in values))
    return Response("\n".join(lines) + "\n", status, media_type="text/plain; charset=utf-8")


def _fill(element: ET.Element, value: Any, item_tag: str | Mapping[str, str]) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            if key.startswith("@"):
                element.set(key[1:], _cell(child))
            elif isinstance(child, list | tuple):
                holder = ET.SubElement(element, key)
                tag = item_tag.get(key, "item") if isinstance(item_tag, Mapping) else item_tag
                for item in child:
                    _fill(ET.SubElement(holder, tag), item, item_tag)
            else:
                _fill(ET.SubElement(element, key), child, item_tag)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def xml_element(root_tag: str, obj: Any, item_tag: str | Mapping[str, str] = "item") -> ET.Element:
    """`obj` as an element tree: dict keys become child elements (`@name` keys become
    attributes), a list becomes an element holding one `item_tag` child per item
    (`item_tag` may map a list's key to its item tag: `{"programs": "program"}`), and a
    top-level list repeats `item_tag` under the root."""
    root = ET.Element(root_tag)
    if isinstance(obj, list | tuple):
        tag = item_tag if isinstance(item_tag, str) else item_tag.get(root_tag, "item")
        for item in obj:
            _fill(ET.SubElement(root, tag), item, item_tag)
    else:
        _fill(root, obj, item_tag)
    return root


def xml_body(
    root_tag: str,
    obj: Any,
    item_tag: str | Mapping[str, str] = "item",
    *,
    status: int = 200,
    media_type: str = "application/xml",
) -> Response:
    """An XML document of `xml_element(root_tag, obj, item_tag)` with a declaration."""
    body = ET.tostring(xml_element(root_tag, obj, item_tag), encoding="utf-8", xml_declaration=True)
    return Response(body, status, media_type=media_type)
