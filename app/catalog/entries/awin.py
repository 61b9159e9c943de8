"""Awin: a user's API token reads every publisher account that user can see."""

from app.catalog.fields import choice, numeric_id, secret
from app.catalog.model import Network

# The only values Awin's transactions API accepts for its `timezone` parameter.
AWIN_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "US/Eastern",
    "US/Central",
    "US/Mountain",
    "US/Pacific",
    "Canada/Eastern",
    "Canada/Central",
    "Canada/Mountain",
    "Canada/Pacific",
)

NETWORK = Network(
    slug="awin",
    name="Awin",
    aliases=("Affiliate Window",),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.awin.com",
    docs="https://help.awin.com/apidocs/api-authentication",
    fields=(
        secret(
            "api_token",
            "API token",
            "In Awin open API Credentials from the menu at the top right, type your login "
            "password to reveal your API token, and copy it here.",
        ),
        choice(
            "timezone",
            "Timezone",
            "The timezone Awin should report dates in. Pick the primary timezone your Awin "
            "account shows under Account, then Regions, once you have opened that account.",
            ((zone, zone) for zone in AWIN_TIMEZONES),
            example="Europe/London",
        ),
        numeric_id(
            "publisher_id",
            "Publisher ID",
            "Optional. The number of one Awin publisher account, as in the address of its "
            "dashboard. Leave it empty to read every publisher account the token can see.",
            required=False,
            example="189069",
        ),
    ),
)
