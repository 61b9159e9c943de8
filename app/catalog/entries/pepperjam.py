"""Pepperjam (now Ascend by Partnerize): the API reads with an API key alone; the login
names the publisher account, and the form keeps the password for whoever renews the key."""

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
        username(
            "Pepperjam", " (netledger shows it as the account's name; the API needs only the key)"
        ),
        password("Pepperjam"),
        secret(
            "api_key",
            "API key",
            "Sign in to Pepperjam (Ascend, at ascendpartner.com) and choose Resources, then API "
            "Keys, in the left menu. Copy the key shown there, or generate one if there is none "
            "or it has expired.",
        ),
        currency(
            "The currency your Pepperjam account shows its figures in, as an ISO 4217 code such "
            "as USD: Pepperjam's transaction report names no currency."
        ),
    ),
)
