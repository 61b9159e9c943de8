"""CJ's advertiser lookup (REST, XML): the document read into plain records, and the
commission rates it states per action ("8.00%" or "USD 0.50", shared/networks/cj.md)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException, ElementTree

from app.connectors.errors import BadPayload, RequestRejected
from app.ledger.records import CommissionTerm

PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
FLAT = re.compile(r"([A-Z]{3})\s*(\d+(?:\.\d+)?)")


def advertisers(text: str) -> dict[str, Any]:
    """`{"advertisers": {"total-matched": n, "list": [record, ...]}}`: each record the
    advertiser's fields as text, its `actions` as `{name, type, rates: [(label, text)]}`
    and its `link-types` as a list."""
    try:
        root = ElementTree.fromstring(text)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise BadPayload("cj", f"CJ advertiser lookup is not XML: {exc}") from exc
    node = root.find("advertisers")
    if node is None:
        message = root.findtext("error-message") or "no <advertisers> element"
        raise RequestRejected("cj", f"CJ advertiser lookup: {message}")
    return {
        "advertisers": {
            "total-matched": node.get("total-matched") or node.findtext("total-matched") or "0",
            "list": [_advertiser(a) for a in node.findall("advertiser")],
        }
    }


def _advertiser(node: Element) -> dict[str, Any]:
    record: dict[str, Any] = {
        child.tag: (child.text or "").strip() for child in node if len(child) == 0
    }
    record["actions"] = [_action(a) for a in node.iter("action")]
    record["link-types"] = [(t.text or "").strip() for t in node.iter("link-type")]
    return record


def _action(node: Element) -> dict[str, Any]:
    commission = node.find("commission")
    rates = [
        (item.get("name") or "", (item.text or "").strip())
        for item in (commission if commission is not None else ())
        if item.tag == "itemlist"
    ]
    default = node.findtext("commission/default")
    if default:
        rates.insert(0, ("", default.strip()))
    return {"name": node.findtext("name", "").strip(), "rates": rates}


def rate(text: str) -> tuple[str, Decimal, str | None] | None:
    """("percent", 8.00, None) for "8.00%", ("flat", 0.50, "USD") for "USD 0.50"; None for
    what CJ words otherwise."""
    if found := PERCENT.fullmatch(text.strip()):
        return "percent", Decimal(found[1]), None
    if found := FLAT.fullmatch(text.strip()):
        return "flat", Decimal(found[2]), found[1]
    return None


def terms(actions: list[dict[str, Any]]) -> tuple[CommissionTerm, ...]:
    """Each action's default rate, and the rate of each of its item lists, named after the
    action (and the list)."""
    out = []
    for action in actions:
        for label, text in action["rates"]:
            if (parsed := rate(text)) is not None:
                kind, value, currency = parsed
                category = " / ".join(p for p in (action["name"], label) if p) or None
                out.append(CommissionTerm(kind, value, currency, category))
    return tuple(out)
