"""Pepperjam (now Ascend by Partnerize): the API reads with an API key alone."""

from app.catalog.fields import currency, password, secret, username
from app.catalog.model import Network

NETWORK = Network(
    slug="pepperjam",
    name="Pepperjam",
    aliases=(
        "Ascend",
        "Ascend by Partnerize",
        "Pepperjam Network",
        "eBay Enterprise Affiliate Network",
    ),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.pepperjam.com",
    fields=(
        username("Pepperjam"),
        password("Pepperjam"),
        secret(
            "api_key",
            "API key",
            "In Pepperjam choose Resources, then API Keys, in the left menu. Copy the key shown "
            "there, or generate one if there is none.",
        ),
        currency(
            "The currency your Pepperjam account shows its figures in, as an ISO 4217 code such "
            "as USD."
        ),
    ),
)
