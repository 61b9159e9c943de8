"""Amazon Associates links: the destination on the connection's marketplace with `tag=`
set to the store id or one of its tracking ids. Amazon has no link API and no programs:
the tracking id is its only sub-id, and comes back in the reports as the line's tracking
id (`click_ref`)."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from app.amazon.markets import MARKETPLACES
from app.links.format import LinkFormat, LinkRequest, SubIdRule

# Tracking ids: the store id's shape (letters, digits, '-', ending -NN).
TRACKING_ID = SubIdRule(
    "tag", 64, r"A-Za-z0-9\-", "letters, digits and '-' (a tracking id such as mysite-20)"
)


def marketplace_domain(code: str | None) -> str:
    """The store's domain (`amazon.co.uk`); the US store when the code is unknown."""
    market = MARKETPLACES.get(code or "US") or MARKETPLACES["US"]
    return market.domain


class AmazonLinks:
    links: ClassVar[LinkFormat] = LinkFormat(
        "template", TRACKING_ID, needs_program=False, hosts=("amazon.com",)
    )

    @classmethod
    def link(cls, request: LinkRequest) -> str:
        """The destination with its `tag` replaced (other parameters kept, in order)."""
        parts = urlsplit(request.destination)
        tag = request.sub_id or request.field("store_id")
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "tag"]
        query.append(("tag", tag))
        return urlunsplit(parts._replace(query=urlencode(query)))
