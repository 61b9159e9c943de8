"""Post Affiliate Pro: a white-label platform; each merchant runs its own installation."""

from app.catalog.fields import currency, domain, password, username
from app.catalog.model import FormField, Network

NETWORK = Network(
    slug="postaffiliatepro",
    name="Post Affiliate Pro",
    aliases=("Post Aff Pro", "PAP", "Quality Unit"),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.postaffiliatepro.com",
    notes="One connection is one affiliate login on one merchant's installation.",
    fields=(
        username("Post Affiliate Pro", " (often your e-mail address)"),
        password("Post Affiliate Pro"),
        domain(
            "domain",
            "Domain",
            "The host name of the merchant's Post Affiliate Pro installation, without http:// "
            "or https:// and without a path, such as company.postaffiliatepro.com.",
            example="demo.postaffiliatepro.com",
        ),
        currency(
            "The currency this Post Affiliate Pro installation shows commissions in, as an "
            "ISO 4217 code such as USD or EUR."
        ),
        FormField(
            "timezone",
            "Timezone",
            "Optional. The timezone the installation keeps its dates in, as an IANA name. "
            "Leave it empty unless the merchant changed it from Post Affiliate Pro's default, "
            "America/Los_Angeles.",
            "timezone",
            required=False,
            example="America/Los_Angeles",
        ),
    ),
)
