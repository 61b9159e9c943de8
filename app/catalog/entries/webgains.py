"""Webgains: the login of one country platform, plus the campaign (site) id the API needs."""

from app.catalog.fields import choice, numeric_id, password, username
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
    fields=(
        username("Webgains"),
        password("Webgains"),
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
            "The number of your site, which Webgains calls a campaign; your campaigns are "
            "listed in the campaign switcher of the Webgains dashboard. Add one connection per "
            "campaign.",
            example="123456",
        ),
    ),
)
