"""CJ: a personal access token plus the publisher company id (CID) the API must be told."""

from app.catalog.fields import currency, numeric_id, password, secret, username
from app.catalog.model import Network

NETWORK = Network(
    slug="cj",
    name="CJ",
    aliases=("Commission Junction", "CJ Affiliate", "CJ.com"),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.cj.com",
    docs="https://developers.cj.com",
    fields=(
        username("CJ"),
        password("CJ"),
        secret(
            "personal_access_token",
            "Personal access token",
            "Sign in to the CJ developer portal and create a personal access token there (any "
            "name will do, e.g. netledger). CJ displays the 26-character token just once, so "
            "copy it before you close the dialog.",
            # CJ documents 26 characters; accept a little either way rather than lock users out.
            pattern=r"^[A-Za-z0-9._~-]{20,64}$",
            format_hint=(
                "the token from CJ's developer portal: usually 26 letters and digits "
                "(20 to 64 of A-Z, a-z, 0-9, '-', '_', '.', '~' are accepted)"
            ),
        ),
        numeric_id(
            "company_id",
            "Company ID (CID)",
            "The number that identifies your publisher company in CJ, shown in your CJ account. "
            "The API reads commissions for this company only.",
            example="7654321",
        ),
        numeric_id(
            "website_id",
            "Website ID (PID)",
            "Optional. The number of one of your CJ websites (its PID), used to build deep "
            "links and to report on that site alone; leave it empty for all sites.",
            required=False,
            example="101234567",
        ),
        currency(
            "Optional. Your CJ account's functional currency (Account > Settings), to record "
            "commissions in it. CJ does not name that currency in its data, so without it "
            "netledger records the US dollar amounts CJ also reports.",
            required=False,
        ),
    ),
)
