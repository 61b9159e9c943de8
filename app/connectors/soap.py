"""SOAP 1.1 rpc/encoded, as PHP's SoapClient and SoapServer speak it (TradeTracker-style
services), for connectors (requests out, responses in) and the sandbox (the reverse).

No WSDL is fetched: a caller names the namespace and the method. Values map to XSD types:
str -> xsd:string, bool -> xsd:boolean, int -> xsd:int (xsd:long beyond 32 bits),
Decimal -> xsd:decimal, datetime (aware) -> xsd:dateTime, date -> xsd:date,
None -> xsi:nil, dict -> SOAP-ENC:Struct (keys in order), list/tuple -> SOAP-ENC:Array
of `item` elements. Floats are refused: amounts travel as Decimal.

Reading matches elements by local name whatever their prefix, and decodes by xsi:type
(integers -> int, boolean -> bool, decimal/float/double -> Decimal, dateTime -> aware UTC
datetime, where a time without an offset is read as UTC, date -> date, an array -> list,
an Apache `Map` -> dict); without a type an element with children is a dict (a repeated
child becomes a list) and a leaf is its text. Multi-reference values (`href="#id"`) are
not supported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape, quoteattr

import defusedxml
import defusedxml.ElementTree

from app.connectors.values import parse_time

ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
ENCODING_NS = "http://schemas.xmlsoap.org/soap/encoding/"
_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ENVELOPE_NS}"{{ns}}'
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    f' xmlns:SOAP-ENC="{ENCODING_NS}" SOAP-ENV:encodingStyle="{ENCODING_NS}">'
    "<SOAP-ENV:Body>"
)
_CLOSE = "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
_NAME = re.compile(r"[A-Za-z_][\w.\-]*")
_INT32 = range(-(2**31), 2**31)
_INTEGERS = frozenset(
    {"int", "integer", "long", "short", "byte", "nonNegativeInteger", "positiveInteger"}
    | {"negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong"}
    | {"unsignedShort", "unsignedByte"}
)
_DECIMALS = frozenset({"decimal", "float", "double"})


class SoapFault(Exception):
    """A SOAP Fault: `code` without its prefix ("Server", "Client"), and its message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SoapMessage:
    """A parsed call or response: the Body element's local name and its decoded parts."""

    method: str
    args: dict[str, Any]


def _envelope(namespace: str | None, body: str) -> bytes:
    ns = f" xmlns:ns1={quoteattr(namespace)}" if namespace else ""
    return (_OPEN.format(ns=ns) + body + _CLOSE).encode()


def request_envelope(namespace: str, method: str, args: Sequence[tuple[str, Any]]) -> bytes:
    """A call of `method` in `namespace` with named, ordered arguments."""
    parts = "".join(_encode(_checked(name), value) for name, value in args)
    return _envelope(namespace, f"<ns1:{_checked(method)}>{parts}</ns1:{method}>")


def response_envelope(namespace: str, method: str, result: Any, name: str = "return") -> bytes:
    """The answer to `method`: `<ns1:{method}Response>` holding `result` as part `name`."""
    tag = f"ns1:{_checked(method)}Response"
    return _envelope(namespace, f"<{tag}>{_encode(_checked(name), result)}</{tag}>")


def fault_envelope(code: str, message: str) -> bytes:
    """A Fault (send it with HTTP 500); an unprefixed code such as "Server" gets SOAP-ENV:."""
    qualified = code if ":" in code else f"SOAP-ENV:{code}"
    body = (
        f"<SOAP-ENV:Fault><faultcode>{escape(qualified)}</faultcode>"
        f"<faultstring>{escape(message)}</faultstring></SOAP-ENV:Fault>"
    )
    return _envelope(None, body)


def _checked(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not an XML element name")
    return name


def _xsd_type(value: Any) -> str:
    if value is None:
        return "xsd:anyType"
    if isinstance(value, bool):
        return "xsd:boolean"
    if isinstance(value, int):
        return "xsd:int" if value in _INT32 else "xsd:long"
    if isinstance(value, Decimal):
        return "xsd:decimal"
    if isinstance(value, datetime):
        return "xsd:dateTime"
    if isinstance(value, date):
        return "xsd:date"
    if isinstance(value, str):
        return "xsd:string"
    if isinstance(value, dict):
        return "SOAP-ENC:Struct"
    if isinstance(value, (list, tuple)):
        return "SOAP-ENC:Array"
    raise TypeError(f"{type(value).__name__} has no SOAP encoding here")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} is not a finite decimal")
        return format(value, "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{value!r} has no offset; send aware datetimes")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return escape(str(value))


def _encode(name: str, value: Any) -> str:
    kind = _xsd_type(value)
    if value is None:
        return f'<{name} xsi:nil="true"/>'
    if isinstance(value, dict):
        inner = "".join(_encode(_checked(str(k)), v) for k, v in value.items())
        return f'<{name} xsi:type="{kind}">{inner}</{name}>'
    if isinstance(value, (list, tuple)):
        kinds = {_xsd_type(item) for item in value}
        item_type = kinds.pop() if len(kinds) == 1 else "xsd:anyType"
        inner = "".join(_encode("item", item) for item in value)
        array_type = f'SOAP-ENC:arrayType="{item_type}[{len(value)}]"'
        return f'<{name} xsi:type="{kind}" {array_type}>{inner}</{name}>'
    return f'<{name} xsi:type="{kind}">{_text(value)}</{name}>'


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parse_envelope(body: bytes) -> SoapMessage:
    """The call or response in a SOAP envelope; `SoapFault` when it holds a Fault, and
    ValueError when it is not a SOAP envelope (or a value does not match its type)."""
    try:
        root = defusedxml.ElementTree.fromstring(body)
    except defusedxml.DefusedXmlException as exc:
        raise ValueError(f"the SOAP body was refused: {type(exc).__name__}") from exc
    except ParseError as exc:
        raise ValueError(f"the body is not XML: {exc}") from exc
    if _local(root.tag) != "Envelope":
        raise ValueError(f"the body is not a SOAP envelope (root <{_local(root.tag)}>)")
    soap_body = next((child for child in root if _local(child.tag) == "Body"), None)
    if soap_body is None or len(soap_body) == 0:
        raise ValueError("the SOAP envelope has no Body content")
    call = soap_body[0]
    if _local(call.tag) == "Fault":
        parts = {_local(child.tag): (child.text or "").strip() for child in call}
        code = parts.get("faultcode", "").rpartition(":")[2]
        raise SoapFault(code, parts.get("faultstring", ""))
    return SoapMessage(_local(call.tag), {_local(part.tag): _decode(part) for part in call})


def _attribute(element: Element, local: str) -> str | None:
    return next((v for k, v in element.attrib.items() if _local(k) == local), None)


def _decode(element: Element) -> Any:
    if element.get(f"{_XSI}nil") in ("true", "1"):
        return None
    kind = (element.get(f"{_XSI}type") or "").rpartition(":")[2]
    text = element.text or ""
    if kind == "Array" or _attribute(element, "arrayType") is not None:
        return [_decode(item) for item in element]
    if kind == "Map":
        return {_decode(item[0]): _decode(item[1]) for item in element if len(item) == 2}
    try:
        if kind in _INTEGERS:
            return int(text.strip())
        if kind in _DECIMALS:
            return Decimal(text.strip())
    except (ValueError, InvalidOperation) as exc:
        raise ValueError(f"<{_local(element.tag)}> is not a {kind}: {text[:40]!r}") from exc
    if kind == "boolean":
        return _boolean(element, text.strip())
    if kind == "dateTime":
        return parse_time(text.strip())
    if kind == "date":
        return date.fromisoformat(text.strip()[:10])
    if len(element) == 0:
        return {} if kind == "Struct" else text
    children: dict[str, list[Any]] = {}
    for child in element:
        children.setdefault(_local(child.tag), []).append(_decode(child))
    return {name: values if len(values) > 1 else values[0] for name, values in children.items()}


def _boolean(element: Element, text: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(f"<{_local(element.tag)}> is not a boolean: {text[:40]!r}")
