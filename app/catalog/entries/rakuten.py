"""Rakuten Advertising (LinkShare): a password grant scoped to one site id (SID), and
optionally the Reporting API's token for the authoritative commission report."""

from app.catalog.fields import numeric_id, password, secret, text, username
from app.catalog.model import Network

NETWORK = Network(
    slug="rakuten",
    name="Rakuten Advertising (LinkShare)",
    aliases=("LinkShare", "Rakuten Advertising", "Rakuten Marketing", "Rakuten"),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://rakutenadvertising.com",
    docs="https://developers.rakutenadvertising.com",
    notes=(
        "When a connection brings no app credentials of its own, the operator's "
        "developer-portal app (NETLEDGER_RAKUTEN_CLIENT_ID / _SECRET) is used."
    ),
    together=(("client_id", "client_secret"),),
    fields=(
        username("Rakuten Advertising"),
        password("Rakuten Advertising"),
        numeric_id(
            "sid",
            "Site ID (SID)",
            "The number of the site to connect, displayed in the top-right corner of the "
            "publisher dashboard's home page. With several sites, add one connection per SID.",
        ),
        text(
            "client_id",
            "Client ID",
            "Optional. The client ID of your own app in the Rakuten Advertising developer "
            "portal. Leave both client fields empty to use this server's app.",
            required=False,
        ),
        secret(
            "client_secret",
            "Client secret",
            "Optional. The client secret of that same developer-portal app; give it together "
            "with the client ID.",
            required=False,
        ),
        secret(
            "report_token",
            "Reporting token (Advanced Reports)",
            "Optional, recommended: without it only the Events API's last two weeks are read, "
            "with no approval status. Save a custom report from the Individual Item Report "
            "adding Transaction ID, Currency, Member ID (U1), Process Date and Process Time; "
            "open it, choose View Report > Get API and copy what follows token= in the address.",
            required=False,
        ),
        text(
            "report_name",
            "Report name",
            "Optional. The saved report's name as its Get API address spells it, between "
            "/reports/ and /filters. Leave it empty if you named the report 'Individual Item "
            "Report + Transaction ID + Currency'.",
            required=False,
            example="Individual-Item-Report-+-Transaction-ID-+-Currency",
        ),
    ),
)
