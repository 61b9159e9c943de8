"""Partnerize (formerly Performance Horizon): an application key and a user API key."""

from app.catalog.fields import secret, text
from app.catalog.model import Network

_PAGE = "select the Partnerize logo at the top left, then Settings and Your account"

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
            "Application key",
            f"In the Partnerize dashboard {_PAGE}; your application key is shown there.",
        ),
        secret(
            "user_api_key",
            "User API key",
            "Shown on the same Your account page, next to the application key.",
        ),
        text(
            "publisher_id",
            "Publisher ID",
            "Optional. The ID of one publisher account to read, such as 1l1007802. Leave it "
            "empty to read every publisher account these keys can see.",
            required=False,
            example="1l1007802",
            pattern=r"^[A-Za-z0-9]+$",
            format_hint="a Partnerize publisher ID of letters and digits, e.g. 1l1007802",
            max_length=64,
        ),
    ),
)
