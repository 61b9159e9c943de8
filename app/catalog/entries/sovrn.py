"""Sovrn Commerce (formerly VigLink): keys belong to one site, so one connection per site."""

from app.catalog.fields import currency, secret
from app.catalog.model import Network

NETWORK = Network(
    slug="sovrn",
    name="Sovrn Commerce",
    aliases=("VigLink", "Sovrn"),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.sovrn.com",
    notes="Sovrn issues keys per site: add one connection per site.",
    fields=(
        secret(
            "api_key",
            "API key",
            "In Sovrn Commerce's settings, select the key icon next to the site you want to "
            "connect; its API key is shown there.",
        ),
        secret(
            "secret_key",
            "Secret key",
            "Shown with the API key of the same site. If there is none, generate a secret API "
            "key there.",
        ),
        currency(
            "The currency your Sovrn account reports earnings in (USD unless you changed it), "
            "as an ISO 4217 code."
        ),
    ),
)
