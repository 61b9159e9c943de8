"""FlexOffers: one API key per publisher domain, so one connection per domain."""

from app.catalog.fields import domain, numeric_id, secret, url
from app.catalog.model import Network

_PAGE = "Data Feeds, then Web Services, then API Keys"

NETWORK = Network(
    slug="flexoffers",
    name="FlexOffers",
    aliases=(),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.flexoffers.com",
    notes="FlexOffers issues a separate key for each domain: add one connection per domain.",
    fields=(
        numeric_id(
            "domain_id",
            "Domain ID",
            f"In FlexOffers open {_PAGE}. Every domain of yours is listed there with its ID, "
            "name, URL and key; copy the ID of the domain to connect.",
            example="165",
        ),
        domain(
            "domain_name",
            "Domain name",
            f"The name of the same domain as listed under {_PAGE}.",
            example="example-blog.com",
        ),
        url(
            "domain_url",
            "Domain URL",
            f"The full web address of the same domain as listed under {_PAGE}.",
            example="https://example-blog.com",
        ),
        secret(
            "api_key",
            "API key",
            f"The API key listed for that domain under {_PAGE}.",
        ),
    ),
)
