"""Webgains: the publisher REST API takes a personal API token (or the login of the platform,
through the operator's OAuth client), the publisher id its paths name, and the campaign
(site) id of the site to read."""

from app.catalog.fields import choice, numeric_id, password, secret, username
from app.catalog.model import Network

# (value, label): the platforms offered above the login form.
PLATFORMS = (
    ("uk", "United Kingdom (webgains.com)"),
    ("ie", "Ireland (webgains.ie)"),
    ("fr", "France (webgains.fr)"),
    ("de", "Germany (webgains.de)"),
    ("nl", "Netherlands (webgains.nl)"),
    ("dk", "Denmark (webgains.dk)"),
    ("se", "Sweden (webgains.se)"),
    ("es", "Spain (webgains.es)"),
    ("it", "Italy (webgains.it)"),
    ("us", "United States (us.webgains.com)"),
)

NETWORK = Network(
    slug="webgains",
    name="Webgains",
    aliases=(),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.webgains.com",
    docs="https://docs.webgains.dev",
    notes=(
        "With an API token netledger never signs in with the username and password. "
        "Without one it signs in through this server's Webgains OAuth client "
        "(NETLEDGER_WEBGAINS_CLIENT_ID / _SECRET); with neither, the connection cannot sync."
    ),
    # The API token, or the platform's login.
    one_of=(("api_token",), ("username", "password")),
    fields=(
        username("Webgains", "; needed only without an API token", required=False),
        password("Webgains", required=False),
        choice(
            "network",
            "Network",
            "The Webgains platform you sign in to: pick the same option the Webgains login "
            "screen shows above its username and password boxes.",
            PLATFORMS,
        ),
        numeric_id(
            "campaign_id",
            "Campaign ID",
            "The number of your site, which Webgains calls a campaign: listed under Websites "
            "& apps in the Webgains platform. Add one connection per site.",
            example="123456",
        ),
        numeric_id(
            "publisher_id",
            "Publisher ID",
            "Your publisher number, shown on the Account information page of the Webgains "
            "platform. It is a different number from the site's campaign ID.",
            example="234567",
        ),
        secret(
            "api_token",
            "API token",
            "Optional, recommended. A personal API token: create one in your user settings "
            "in the Webgains platform and paste it whole. Without it, netledger signs in "
            "with your username and password.",
            required=False,
            min_length=20,
        ),
    ),
)
