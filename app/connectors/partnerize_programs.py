"""Partnerize campaigns as programs (shared/networks/partnerize.md): the v1 lists by the
publisher's status on them (`campaign/{a|p|r}.json`), each campaign's default rate, and the
campaign reference (`camref`) a tracking link needs, which only the v3 participations
resource gives (`fields[]=camref`, or inside the campaign's `tracking_link`)."""

from __future__ import annotations

import re
from typing import Any

from app.connectors.mapping import Mapper
from app.errors import ValidationFailed
from app.ledger.records import CommissionTerm
from app.links.format import LinkProgram, unlinkable

NETWORK = "partnerize"
# The campaign lists by the publisher's status on them, and the word for each letter.
STANDINGS = {"a": "approved", "p": "pending", "r": "rejected"}
RELATIONSHIPS = {"approved": "joined", "pending": "pending", "rejected": "declined"}
LIST = re.compile(r"/user/publisher/(?P<publisher>[^/]+)/campaign/(?P<status>[a-z])\.json$")
CAMREF = re.compile(r"/camref:(?P<camref>[^/?#]+)")


def camrefs(payload: Any) -> dict[str, dict[str, str]]:
    """A participations answer's camrefs and tracking links, by campaign id."""
    rows = payload.get("data") if isinstance(payload, dict) else None
    out: dict[str, dict[str, str]] = {}
    for row in rows if isinstance(rows, list) else []:
        m = Mapper(NETWORK, row if isinstance(row, dict) else {})
        link = m.text("campaign_info.tracking_link")
        in_link = CAMREF.search(link or "")
        camref = m.text("camref") or (in_link["camref"] if in_link else None)
        if (campaign := m.text("campaign_id")) and camref:
            out[campaign] = {"camref": camref, "tracking_link": link or ""}
    return out


def default_terms(m: Mapper) -> tuple[CommissionTerm, ...]:
    """The campaign's default rate: a percentage, or a flat value in its default currency."""
    rate = m.money("default_commission_rate")
    if rate is not None and rate > 0:
        return (CommissionTerm("percent", rate),)
    value = m.money("default_commission_value")
    if value is not None and value > 0:
        return (CommissionTerm("flat", value, m.text("default_currency")),)
    return ()


def domains(m: Mapper) -> tuple[str | None, ...]:
    """The campaign's destination, and its destination per language where it has some."""
    languages = m.get("campaign_languages")
    localised = languages.values() if isinstance(languages, dict) else []
    urls = (v.get("destination_url") for v in localised if isinstance(v, dict))
    return (m.text("destination_url"), *urls)


def no_camref(program: LinkProgram) -> ValidationFailed:
    return unlinkable(
        "program_id",
        f"Partnerize gave no camref for {program.label}: list this connection's programs "
        "again once the publisher is approved on the campaign",
    )
