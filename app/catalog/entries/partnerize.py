"""Partnerize (formerly Performance Horizon): the user application key and the user API key,
sent as HTTP Basic; an optional publisher ID narrows the sync to one account."""

from app.catalog.fields import secret, text
from app.catalog.model import Network

_PAGE = "open the menu under the Partnerize logo at the top left, then Settings > Your account"

NETWORK = Network(
    slug="partnerize",
    name="Partnerize",
    aliases=("Performance Horizon", "PHG"),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://partnerize.com",
    docs="https://api-docs.partnerize.com/partner/",
    fields=(
        secret(
            "application_key",
            "User application key",
            f"In the Partnerize console, {_PAGE}: the page shows your User application key.",
        ),
        secret(
            "user_api_key",
            "User API key",
            "On the same Your account page, next to the User application key. It belongs to "
            "your user: the sync sees the publisher accounts that user can open.",
        ),
        text(
            "publisher_id",
            "Publisher ID",
            "Optional. One publisher (partner) account to read, such as 1l1007802. Leave it "
            "empty to read every publisher account the keys reach; checking the connection "
            "lists them with their IDs.",
            required=False,
            example="1l1007802",
            pattern=r"^[A-Za-z0-9]+$",
            format_hint="a Partnerize publisher ID of letters and digits, e.g. 1l1007802",
            max_length=64,
        ),
    ),
)
