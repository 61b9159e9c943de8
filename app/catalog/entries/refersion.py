"""Refersion Marketplace: one GraphQL token reads every brand program of the affiliate."""

from app.catalog.fields import secret
from app.catalog.model import Network

NETWORK = Network(
    slug="refersion",
    name="Refersion Marketplace",
    aliases=("Refersion",),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.refersion.com",
    docs="https://developers.refersion.com/graphql-api/getting-started/",
    fields=(
        secret(
            "graphql_token",
            "GraphQL access token",
            "In Refersion Marketplace click your user name at the top right, choose Edit Your "
            "Profile and scroll to Your GraphQL Token. If no token is shown, generate a new one "
            "there.",
        ),
    ),
)
