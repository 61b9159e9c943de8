"""FlexOffers keys are per domain: `GET /domains` lists the domain(s) a key belongs to
(`domainId`, `domainName`, `url`), and the connection's form must name one of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.connectors.base import Scope
from app.connectors.errors import BadPayload, CredentialsRejected
from app.connectors.mapping import Mapper


def host(value: str | None) -> str:
    """`https://www.Example-Blog.com/` -> `example-blog.com`."""
    text = (value or "").strip().lower().split("://", 1)[-1].split("/", 1)[0]
    return text.removeprefix("www.")


def find_domain(network: str, payload: Any, credentials: Mapping[str, str], hint: str) -> Scope:
    """The form's domain among the key's, or what to correct on the form."""
    rows = payload if isinstance(payload, list) else None
    if rows is None or not all(isinstance(r, dict) for r in rows):
        raise BadPayload(network, "FlexOffers sent no list of domains for the key")
    found = [
        (m.required_text("domainid"), m.text("domainname") or "", m.text("url") or "")
        for m in (Mapper(network, {k.lower(): v for k, v in r.items()}) for r in rows)
    ]
    want_id = credentials["domain_id"].strip()
    want_url, want_name = host(credentials["domain_url"]), host(credentials["domain_name"])
    listed = ", ".join(f"{n or host(u)} (ID {i})" for i, n, u in found) or "no domain"
    for domain_id, name, url in found:
        same_site = want_url in (host(url), host(name))
        if domain_id == want_id:
            if not same_site:
                raise CredentialsRejected(
                    network,
                    f"FlexOffers domain {domain_id} is {url or name}, but the Domain URL field "
                    f"says {credentials['domain_url']!r}. {hint}",
                )
            if want_name not in (host(name), host(url)):
                raise CredentialsRejected(
                    network,
                    f"FlexOffers domain {domain_id} is named {name!r}, but the Domain name "
                    f"field says {credentials['domain_name']!r}. {hint}",
                )
            return Scope(domain_id, name or host(url))
        if same_site:
            raise CredentialsRejected(
                network,
                f"The API key belongs to {name or host(url)}, whose FlexOffers Domain ID is "
                f"{domain_id}, not {want_id!r}: correct the Domain ID field. {hint}",
            )
    raise CredentialsRejected(
        network,
        f"This API key belongs to {listed}, not to {credentials['domain_url']} (Domain ID "
        f"{want_id}): use the key listed for that domain. {hint}",
    )
