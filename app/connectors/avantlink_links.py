"""AvantLink Custom Links, built offline, and the merchant rates the AssociationFeed states.

A Custom Link (support.avantlink.com, "Anatomy of an Affiliate Tracking Link"; FMTC's
AvantLink link structures) is
`https://www.avantlink.com/click.php?tt=cl&mi={merchant id}&pw={website id}&ctc={custom
tracking code}&url={encoded destination}` (`www.avantlink.ca` on the Canadian platform).
`pw` is the affiliate website the click credits: the connection's Website ID, else the one
in the merchant's Default Tracking URL from the feed (the account's default website). The
custom tracking code comes back as the report's `Custom Tracking Code`: up to 64 letters
and digits, plus periods, spaces, hyphens and underscores."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from app.connectors.terms import terms_in_text
from app.ledger.records import CommissionTerm
from app.links.format import LinkFormat, LinkRequest, SubIdRule, encoded, unlinkable

HOSTS = {"us": "www.avantlink.com", "ca": "www.avantlink.ca"}
FORMAT = LinkFormat(
    "template",
    SubIdRule("ctc", 64, r"A-Za-z0-9._\- ", "letters, digits, spaces, '.', '-' and '_'"),
    hosts=tuple(HOSTS.values()),
)


def terms(text: str | None, currency: str) -> tuple[CommissionTerm, ...]:
    """The feed's `Commission Rate`: percentages of the sale, or dollar amounts in the
    platform's currency."""
    return terms_in_text(text, currency)


def website(request: LinkRequest) -> str:
    """The website a link credits: the form's, else the feed's default tracking link's."""
    chosen = request.field("website_id").strip()
    if chosen:
        return chosen
    default = request.program.tracking_url if request.program else None
    found = parse_qs(urlsplit(default or "").query).get("pw", [""])[0]
    if found:
        return found
    raise unlinkable(
        "connection_id",
        "AvantLink links credit one of your websites: put its number in this "
        "connection's Website ID field (AvantLink: Account > Edit Websites), or "
        "list the connection's programs so the feed's default website is known",
    )


def link(request: LinkRequest) -> str:
    assert request.program is not None
    host = HOSTS["ca" if request.field("region").lower() == "ca" else "us"]
    query = f"tt=cl&mi={encoded(request.program.external_id)}&pw={encoded(website(request))}"
    if request.sub_id:
        query += f"&ctc={encoded(request.sub_id)}"
    return f"https://{host}/click.php?{query}&url={encoded(request.destination)}"
