"""AvantLink: affiliate id plus an API authorisation key, on the US or Canadian platform."""

from app.catalog.fields import choice, numeric_id, secret
from app.catalog.model import Network

NETWORK = Network(
    slug="avantlink",
    name="AvantLink",
    aliases=(),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.avantlink.com",
    fields=(
        numeric_id(
            "affiliate_id",
            "Affiliate ID",
            "In AvantLink go to Ad Tools, scroll down to AvantLink API and choose Create. Your "
            "affiliate ID is shown next to your API key on the API Keys tab.",
            example="123456",
        ),
        secret(
            "api_key",
            "API authorization key",
            "Copy the key listed on that same API Keys tab. If no key is listed, generate a new "
            "one there.",
            pattern=r"^[A-Za-z0-9]{32}$",
            format_hint="the 32-character key AvantLink generated (letters and digits only)",
        ),
        numeric_id(
            "website_id",
            "Website ID",
            "Optional. The number of one of your AvantLink websites (Account > Edit Websites), "
            "to read only that site's sales and credit it with the links netledger makes; "
            "leave it empty to read every website, and links credit your default website.",
            required=False,
            example="209735",
        ),
        choice(
            "region",
            "Platform",
            "Optional. Pick Canada if you sign in at avantlink.ca; otherwise the US platform "
            "is used.",
            (("us", "United States (avantlink.com)"), ("ca", "Canada (avantlink.ca)")),
            required=False,
        ),
    ),
)
