"""FlexOffers deep links, from the advertiser's own `deeplinkURL`, and the rates its
`payout` text states.

FlexOffers' link ids (`foid`, `trid`) are its own encoding of link, account and domain:
netledger does not make them up. The advertiser listing gives each deep-linkable
advertiser a `deeplinkURL` already made for the key's domain
(`https://track.flexlinkspro.com/g.ashx?foid=..&trid={account}.{domain}&foc=..&fot=..&fos=..`);
a deep link is that URL with the encoded destination in `URL` (what FlexOffers' deeplink
API returns: `...&fos=1&URL=https%3A%2F%2F...&fobs=...`) and the sub-id in `fobs`, which
the sale reports as `subTracking` (FlexOffers support: "Include a parameter such as fobs=
in your tracking link"). FlexOffers documents no length or character set for `fobs`: the
rule is a conservative 50 letters, digits, '-' and '_' [I]."""

from __future__ import annotations

from app.connectors.terms import terms_in_text
from app.ledger.records import CommissionTerm
from app.links.format import LinkFormat, LinkRequest, SubIdRule, encoded, unlinkable

FORMAT = LinkFormat("template", SubIdRule("fobs", 50), hosts=("track.flexlinkspro.com",))


def terms(payout: str | None) -> tuple[CommissionTerm, ...]:
    """The rates in an advertiser's `payout` text; FlexOffers pays in US dollars."""
    return terms_in_text(payout, "USD")


def link(request: LinkRequest) -> str:
    assert request.program is not None
    base = request.program.tracking_url
    if not base:
        name = request.program.label
        raise unlinkable(
            "program_id",
            f"FlexOffers listed no deep link URL for {name}: list the connection's "
            "programs again, or link to it from FlexOffers' own link builder",
        )
    url = f"{base}{'&' if '?' in base else '?'}URL={encoded(request.destination)}"
    return f"{url}&fobs={encoded(request.sub_id)}" if request.sub_id else url
