"""Pepperjam advertisers as programs, and their generic creatives (shared/networks/
pepperjam.md section 6; Ascend's "Generic Creatives Resource" page): each joined program
has exactly one generic link, whose `code` never changes, carrying the creative token that
tracking links are built on (`https://www.pjtra.com/t/{token}?url=...&sid=...`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.errors import ValidationFailed
from app.links.format import LinkProgram, unlinkable

# The advertiser resource's statuses, ours for each; `no_relationship` (the directory) is
# not listed. An invitation not taken up, or a relationship the publisher ended, is not one
# the publisher can link through: not joined.
RELATIONSHIPS = {
    "joined": "joined",
    "applied": "pending",
    "invited": "not_joined",
    "declined_advertiser": "declined",
    "revoked_advertiser": "declined",
    "declined_publisher": "not_joined",
    "revoked_publisher": "not_joined",
}
# Pepperjam's click hosts, all `/t/{creative token}`; links are built on the first.
CLICK_HOSTS = ("pjtra.com", "pntra.com", "pntrs.com", "pntrac.com", "gopjn.com", "pjatr.com")
# A click URL in a creative's code, which may be the URL itself or HTML around it.
CLICK_URL = re.compile(r"https?://[^/\s\"'<>]+/t/(?P<token>[^/?#\s\"'<>]+)[^\s\"'<>]*")


@dataclass(frozen=True)
class GenericLink:
    """What a program's generic creative gives a link (nothing without one)."""

    token: str | None = None
    url: str | None = None
    deeplinks: bool | None = None

    @classmethod
    def of(cls, creative: dict[str, Any]) -> GenericLink:
        found = CLICK_URL.search(str(creative.get("code") or ""))
        deep = creative.get("allow_deep_link")
        return cls(
            found["token"] if found else None,
            found[0] if found else None,
            None if deep in (None, "") else str(deep).lower() in ("1", "true", "yes"),
        )


def no_generic_link(program: LinkProgram) -> ValidationFailed:
    return unlinkable(
        "program_id",
        f"Pepperjam gave no generic link for {program.label}: list this connection's programs "
        "again once the publisher has joined it",
    )
