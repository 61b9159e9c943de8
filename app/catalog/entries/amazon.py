"""Amazon Associates: no reporting API, so earnings arrive as uploaded report files."""

from app.catalog.fields import choice, currency, text
from app.catalog.model import Network

# (value, label). The value is what a connection stores; one connection per marketplace.
MARKETPLACES = (
    ("US", "United States (amazon.com)"),
    ("CA", "Canada (amazon.ca)"),
    ("MX", "Mexico (amazon.com.mx)"),
    ("BR", "Brazil (amazon.com.br)"),
    ("UK", "United Kingdom (amazon.co.uk)"),
    ("DE", "Germany (amazon.de)"),
    ("FR", "France (amazon.fr)"),
    ("IT", "Italy (amazon.it)"),
    ("ES", "Spain (amazon.es)"),
    ("NL", "Netherlands (amazon.nl)"),
    ("SE", "Sweden (amazon.se)"),
    ("PL", "Poland (amazon.pl)"),
    ("IN", "India (amazon.in)"),
    ("JP", "Japan (amazon.co.jp)"),
    ("AU", "Australia (amazon.com.au)"),
)

NETWORK = Network(
    slug="amazon",
    name="Amazon Associates",
    aliases=("Amazon", "Amazon Associates Central"),
    capabilities=frozenset({"file_upload", "deeplinks"}),
    website="https://affiliate-program.amazon.com",
    notes=(
        "Amazon offers no reporting API to third parties. In Associates Central choose "
        "Reports, then Download Reports, tick every report, pick XLSX and generate; upload "
        "the .zip Amazon gives you (up to 50 MB, about three months at a time)."
    ),
    fields=(
        text(
            "store_id",
            "Store ID",
            "Your Amazon Associates store (tracking) ID, found in your Associates account. Its "
            "last part shows the marketplace: IDs end in -20 for the US and -21 for the UK.",
            example="mysite-20",
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*-[0-9]{2}$",
            format_hint="an Amazon store ID that ends in a hyphen and two digits, e.g. mysite-20",
            max_length=128,
        ),
        currency(
            "The currency your Amazon reports are in, as an ISO 4217 code such as USD, GBP or EUR."
        ),
        choice(
            "marketplace",
            "Marketplace",
            "The Amazon store whose reports you will upload to this connection. Earning on "
            "several Amazon stores? Add a connection for each one.",
            MARKETPLACES,
        ),
    ),
)
