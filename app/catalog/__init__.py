"""The catalog of networks netledger connects to, and the form each one's connection takes.

Slugs and form keys are a public contract (DESIGN.md, "Network catalog: onboarding fields").
"""

from __future__ import annotations

import re

from app.catalog.entries import ALL
from app.catalog.model import Capability, Choice, FieldType, FormField, Network
from app.catalog.validation import validate_credentials, validate_value

__all__ = [
    "CATALOG",
    "Capability",
    "Choice",
    "FieldType",
    "FormField",
    "Network",
    "get_network",
    "search_networks",
    "secret_keys",
    "validate_credentials",
    "validate_value",
]

CATALOG: tuple[Network, ...] = tuple(sorted(ALL, key=lambda n: (n.name.casefold(), n.slug)))
_BY_SLUG: dict[str, Network] = {network.slug: network for network in CATALOG}
if len(_BY_SLUG) != len(CATALOG):
    raise RuntimeError("two catalog entries share a slug")

_NOT_ALNUM = re.compile(r"[\W_]+")


def _squash(text: str) -> str:
    return _NOT_ALNUM.sub("", text.casefold())


def get_network(slug: str) -> Network | None:
    """The network with this slug (exact, lower case), or `None`."""
    return _BY_SLUG.get(slug)


def search_networks(q: str | None) -> list[Network]:
    """Networks whose name, slug or an alias contains `q`, in catalog order.

    Matching ignores case, and also spaces and punctuation, so "post aff pro", "link share"
    and "cj-affiliate" find their networks. A missing or blank `q` returns every network.
    """
    query = (q or "").strip().casefold()
    if not query:
        return list(CATALOG)
    squashed = _squash(query)
    found = []
    for network in CATALOG:
        names = (network.name, network.slug, *network.aliases)
        if any(query in name.casefold() for name in names) or (
            squashed and any(squashed in _squash(name) for name in names)
        ):
            found.append(network)
    return found


def secret_keys(network: Network) -> frozenset[str]:
    """The keys of `network`'s write-only form fields."""
    return frozenset(f.key for f in network.fields if f.secret)
