"""Tradedoubler: a password grant made with a client you create in the publisher UI."""

from app.catalog.fields import numeric_id, password, secret, text, username
from app.catalog.model import Network

NETWORK = Network(
    slug="tradedoubler",
    name="Tradedoubler",
    aliases=(),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.tradedoubler.com",
    fields=(
        username("Tradedoubler"),
        password("Tradedoubler"),
        text(
            "client_id",
            "Client ID",
            "In Tradedoubler go to Account, then Clients, and add a client (call it netledger "
            "so nobody removes it). The new client's ID appears in the list.",
        ),
        secret(
            "client_secret",
            "Client secret",
            "Shown only once, in the message that confirms the new client. If it is lost, "
            "delete that client and add another.",
        ),
        numeric_id(
            "source_id",
            "Source (site) ID",
            "Optional. The number of one of your Tradedoubler sites (sources), shown beside "
            "the site's name in the publisher UI's list of sites: only that site's commissions "
            "and programs are synced. Leave it empty to sync every site of the login.",
            required=False,
            example="654321",
        ),
    ),
)
