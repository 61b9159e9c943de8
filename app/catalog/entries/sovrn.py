"""Sovrn Commerce (formerly VigLink): keys belong to one site, so one connection per site.
No `programs`: Sovrn monetises tens of thousands of merchants and lists no site's own
programs; a link names none (Sovrn finds the merchant from the destination)."""

from app.catalog.fields import secret
from app.catalog.model import FormField, Network

NETWORK = Network(
    slug="sovrn",
    name="Sovrn Commerce",
    aliases=("VigLink", "Sovrn"),
    capabilities=frozenset({"api_sync", "deeplinks"}),
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
        FormField(
            "currency",
            "Reporting currency",
            "Sovrn converts every commission to US dollars before it reports or pays it, so "
            "this is always USD.",
            "currency",
            example="USD",
            pattern=r"^USD$",
            format_hint="USD: Sovrn Commerce reports and pays only in US dollars",
        ),
    ),
)
