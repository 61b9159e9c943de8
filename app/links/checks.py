"""The checks every link passes, whatever its network: an absolute web destination, a
program the publisher may send traffic to (joined, open to deep links, on its domain where
the network credits by domain), and Amazon's marketplace and tracking ids. Each refusal is
a 422 naming the field, with what to do about it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from app.links.amazon import marketplace_domain
from app.links.domains import on_domain, registrable
from app.links.format import LinkFormat, LinkProgram, unlinkable

MAX_URL = 2048
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f]")


def check_destination(value: str, field: str = "destination_url") -> str:
    """An absolute http(s) URL with a dotted host, or a 422 naming `field`."""
    return checked_url(value, field)[0]


def checked_url(value: str, field: str = "destination_url") -> tuple[str, str]:
    """`check_destination`'s URL and its host."""
    text = value.strip()
    if not text:
        raise unlinkable(field, "must not be empty")
    if len(text) > MAX_URL:
        raise unlinkable(field, f"is longer than {MAX_URL} characters")
    if _UNSAFE.search(text):
        raise unlinkable(field, "must not contain spaces or control characters")
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise unlinkable(field, "is not a URL") from None
    if parts.scheme not in ("http", "https"):
        raise unlinkable(field, "must be an absolute http:// or https:// URL")
    if not host or "." not in host:
        raise unlinkable(field, "must name a host, e.g. https://www.example.com/page")
    return text, host


def check_program(program: LinkProgram, fmt: LinkFormat, host: str | None) -> None:
    """Refuse a program the publisher cannot send traffic to, saying why."""
    label = program.label
    word = f" (the network says {program.network_relationship!r})"
    if program.relationship in ("pending", "declined", "not_joined"):
        state = program.relationship.replace("_", " ")
        raise unlinkable(
            "program_id",
            f"{label} is {state}{word if program.network_relationship else ''}: only programs "
            "the publisher has joined can be linked to",
        )
    if program.deeplinks is False:
        raise unlinkable(
            "program_id",
            f"{label} does not allow deep links: link to its home page through the network instead",
        )
    if fmt.on_program_domain and program.domains and not on_domain(host, program.domains):
        raise unlinkable(
            "destination_url",
            f"must be on {label}'s site ({', '.join(program.domains)}): this network credits "
            "the merchant whose site the link opens",
        )


def check_amazon(
    host: str | None, sub_id: str | None, fields: dict[str, str], seen: set[str]
) -> None:
    domain = marketplace_domain(fields.get("marketplace"))
    if registrable(host) != domain:
        raise unlinkable(
            "destination_url",
            f"must be on {domain}, this connection's marketplace: other Amazon stores need a "
            "connection of their own",
        )
    store = fields.get("store_id", "")
    if sub_id is not None and sub_id != store and sub_id not in seen:
        known = ", ".join(sorted({store, *seen})[:10])
        raise unlinkable(
            "sub_id",
            "must be the store id or a tracking id this connection's reports have shown "
            f"({known}): Amazon's tracking id is its sub-id",
        )
