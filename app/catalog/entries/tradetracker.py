"""TradeTracker: web-service credentials are issued per country network."""

from app.catalog.fields import country, numeric_id, secret
from app.catalog.model import Network

_PAGE = "Creatives, then Web Services"

NETWORK = Network(
    slug="tradetracker",
    name="TradeTracker",
    aliases=(),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://tradetracker.com",
    notes="Each TradeTracker country network has its own credentials: one connection per network.",
    fields=(
        numeric_id(
            "customer_id",
            "Customer ID",
            "Not your login. In TradeTracker pick the country network from the settings menu at "
            f"the top right, open {_PAGE}, and find the customer ID under Access.",
            example="12345",
        ),
        secret(
            "passphrase",
            "Passphrase",
            f"Listed under Access with the customer ID, on the {_PAGE} page of the same country "
            "network.",
        ),
        country(
            "country",
            "Country network",
            "The country network these credentials belong to, as a two-letter code such as NL, "
            "BE, ES or BR. Working with several country networks? Add a connection for each.",
            example="NL",
        ),
    ),
)
