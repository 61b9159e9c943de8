"""Skimlinks: client credentials are exchanged for a token; reports live under the publisher."""

from app.catalog.fields import numeric_id, secret, text
from app.catalog.model import Network

_PAGE = "Toolbox, then APIs, then API Authentication credentials"
_HEX32 = r"^[0-9A-Fa-f]{32}$"
_HEX32_HINT = "32 hexadecimal characters (0-9 and a-f)"

NETWORK = Network(
    slug="skimlinks",
    name="Skimlinks",
    aliases=("Skimbit",),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://skimlinks.com",
    fields=(
        numeric_id(
            "publisher_id",
            "Publisher ID",
            f"In the Skimlinks Publisher Hub open {_PAGE} in the top menu; all three values "
            "this form asks for are on that page. This is the numeric publisher ID.",
            example="189513",
        ),
        text(
            "client_id",
            "Client ID",
            f"The client ID from the same page ({_PAGE}).",
            pattern=_HEX32,
            format_hint=_HEX32_HINT,
        ),
        secret(
            "client_secret",
            "Client secret",
            f"The client secret from the same page ({_PAGE}).",
            pattern=_HEX32,
            format_hint=_HEX32_HINT,
        ),
        numeric_id(
            "domain_id",
            "Site (domain) ID",
            "Optional. The number of one of your registered sites (Publisher Hub: Settings, "
            "then Install), to report on that site alone and credit links to it; leave it "
            "empty for every site (links then name your first registered site).",
            required=False,
            example="1055589",
        ),
    ),
)
