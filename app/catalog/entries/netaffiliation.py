"""NetAffiliation (now Kwanko): the legacy web services, with their own login and password."""

from app.catalog.fields import secret, text, url
from app.catalog.model import Network

_PAGE = "Tools, then Deduplication, then Web Services"

NETWORK = Network(
    slug="netaffiliation",
    name="NetAffiliation (Kwanko)",
    aliases=("Kwanko",),
    # Tracking links carry an opaque per-creative code that cannot be derived: no deep links.
    capabilities=frozenset({"api_sync", "programs"}),
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
    ),
)
