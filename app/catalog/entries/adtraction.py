"""AdTraction: one API token per partner account, covering all its channels and markets."""

from app.catalog.fields import country, currency, numeric_id, secret
from app.catalog.model import Network

NETWORK = Network(
    slug="adtraction",
    name="AdTraction",
    aliases=(),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://adtraction.com",
    fields=(
        secret(
            "api_token",
            "API token",
            "In AdTraction's left-hand menu open Account, then Settings, then API, and copy "
            "the token listed there. No token yet? Create a new API key on that page first.",
        ),
        currency(
            "The currency your AdTraction account displays its figures in, as a three-letter "
            "ISO 4217 code such as SEK, EUR or GBP."
        ),
        numeric_id(
            "channel_id",
            "Channel ID",
            "Optional. The number of one of your AdTraction channels (the sites and apps you "
            "promote from) to read only that channel; leave it empty to read them all. "
            "Checking the connection lists the channel numbers your token reaches.",
            required=False,
            example="1532500727",
        ),
        country(
            "market",
            "Market",
            "Optional. The two-letter code of one AdTraction market, such as SE, NO, DK or FI, "
            "to read only that market; leave it empty for every market.",
            required=False,
            example="SE",
        ),
    ),
)
