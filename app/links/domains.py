"""Hosts and registrable domains: what groups one merchant's programs across networks.

The public-suffix list is the copy bundled with tldextract, never fetched: netledger runs
without the internet, and a brand's key must not change with a download.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def host_of(value: str | None) -> str | None:
    """The lower-case host of a URL or a bare domain (`Shop.example.com/x` included); None
    for an empty value or one without a dotted host."""
    if not value:
        return None
    text = value.strip()
    if "//" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host.rstrip(".")


def hosts_of(*values: str | None) -> tuple[str, ...]:
    """The distinct hosts of several URLs or domains, in order."""
    return tuple(dict.fromkeys(h for h in map(host_of, values) if h))


@lru_cache(maxsize=65536)
def registrable(host: str | None) -> str | None:
    """The registrable domain (`shop.example.co.uk` -> `example.co.uk`) under the bundled
    public-suffix list; None for an IP address or a bare public suffix. A top-level domain
    the list does not name (`.example`, `.test`) is a one-label suffix, as the list's own
    default rule `*` says."""
    if not host:
        return None
    parts = _EXTRACT(host)
    if parts.top_domain_under_public_suffix:
        return parts.top_domain_under_public_suffix
    if parts.suffix or parts.ipv4 or parts.ipv6:
        return None
    labels = host.lower().rstrip(".").split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else None


def on_domain(host: str | None, domains: tuple[str, ...] | list[str]) -> bool:
    """Whether `host` belongs to the registrable domain of any of `domains`."""
    mine = registrable(host)
    return mine is not None and any(registrable(d) == mine for d in domains)
