"""Tune (HasOffers): each white-label network has its own API host and affiliate API keys."""

from app.catalog.fields import secret, text
from app.catalog.model import FormField, Network

NETWORK = Network(
    slug="tune",
    name="Tune (HasOffers)",
    aliases=("HasOffers",),
    capabilities=frozenset({"api_sync", "programs", "deeplinks"}),
    website="https://www.tune.com",
    fields=(
        secret(
            "api_key",
            "API key",
            "In the network's affiliate panel choose Support at the bottom left, then API, and "
            "copy the API key. If the key is locked to IP addresses, adding 0.0.0.0 there lifts "
            "that restriction.",
        ),
        text(
            "network_id",
            "Network ID",
            "Shown on the same API page. It is the network's short name, the first part of its "
            "API address, such as arabclicks in arabclicks.api.hasoffers.com.",
            example="arabclicks",
            pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$",
            format_hint=(
                "the network's short name, e.g. arabclicks (letters, digits and inner hyphens)"
            ),
        ),
        FormField(
            "timezone",
            "Timezone",
            "Optional. The network's default timezone, as an IANA name: the Partner API reports "
            "times in it without saying which it is. Ask the network's affiliate manager, or "
            "compare a conversion's time in the panel with its time in your own records. "
            "Leave it empty for UTC.",
            "timezone",
            required=False,
            example="Europe/Amsterdam",
        ),
    ),
)
