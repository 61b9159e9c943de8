"""NetAffiliation (now Kwanko): the legacy web services, with their own login and password."""

from app.catalog.fields import secret, text, url
from app.catalog.model import FormField, Network

_PAGE = "Tools, then Deduplication, then Web Services"

NETWORK = Network(
    slug="netaffiliation",
    name="NetAffiliation (Kwanko)",
    aliases=("Kwanko",),
    # Tracking links carry an opaque link code per program that cannot be derived: deep
    # links need the tracking-links feed, which gives each joined program's code.
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.kwanko.com",
    fields=(
        text(
            "login",
            "Web services login",
            "The login of NetAffiliation's web services, usually your account e-mail address. "
            f"It is listed in your NetAffiliation (Kwanko) account under {_PAGE}.",
        ),
        secret(
            "webservices_password",
            "Web services password",
            "This is not the password you sign in with: create a separate one for the web "
            f"services in your NetAffiliation (Kwanko) account under {_PAGE}.",
        ),
        url(
            "xml_feed_url",
            "XML feed URL",
            f"The address of your campaigns' XML feed, on the same {_PAGE} page. Copy the "
            "whole link, including everything after the question mark.",
            example="https://flux.netaffiliation.com/flux_prog.php?taff=0123456789abcdef",
        ),
        FormField(
            "tracking_feed_url",
            "Tracking links XML feed URL",
            "Optional. The address of your tracking links XML feed (xmltrack.php, with its "
            "generic links): it gives each program's link code, which netledger needs to build "
            "tracking links. Without it, programs are listed but no links can be made.",
            "url",
            required=False,
            example="https://flux.netaffiliation.com/xmltrack.php?sec=0123456789ABCDEF012345"
            "&site=512345&supp=liens_generiques",
        ),
    ),
)
