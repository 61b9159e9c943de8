"""Checks for the value kinds forms share: currency, country, timezone, URL, host name, e-mail.

Each `check_*` takes an already trimmed string and returns an error message, or `None`
when the value is fine. They never echo secrets (none of these kinds is secret).
"""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from urllib.parse import urlsplit

import pycountry

# ISO 4217 codes that are not money anyone is paid in: precious metals, bond-market and
# other units of account, the testing code and "no currency".
_METALS = {"XAG", "XAU", "XPD", "XPT"}
_UNITS_OF_ACCOUNT = {"XAD", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA"}
NON_MONEY_CURRENCIES = frozenset(_METALS | _UNITS_OF_ACCOUNT | {"XTS", "XXX"})
# Codes people type that are not ISO 3166-1 alpha-2, and what they mean.
COUNTRY_SYNONYMS = {"UK": "GB", "EL": "GR"}

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@cache
def currency_codes() -> frozenset[str]:
    """Active ISO 4217 codes (pycountry's list) that are money."""
    return frozenset(c.alpha_3 for c in pycountry.currencies) - NON_MONEY_CURRENCIES


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _timezones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def canonical_timezone(value: str) -> str | None:
    """The IANA spelling of `value` (matched case-insensitively), or `None` if unknown."""
    return _timezones_by_folded_name().get(value.casefold())


def check_currency(value: str) -> str | None:
    """`None` if `value` is an ISO 4217 currency code (any case), else why not."""
    if value.upper() in currency_codes():
        return None
    return f"'{value}' is not an ISO 4217 currency code; use three letters such as USD, EUR or GBP"


def check_country(value: str) -> str | None:
    """`None` if `value` is an ISO 3166-1 alpha-2 country code (any case), else why not."""
    code = value.upper()
    if code in country_codes():
        return None
    if code in COUNTRY_SYNONYMS:
        return f"use the ISO 3166-1 code {COUNTRY_SYNONYMS[code]} instead of {code}"
    return f"'{value}' is not an ISO 3166-1 alpha-2 country code; use two letters such as US or GB"


def check_timezone(value: str) -> str | None:
    """`None` if `value` is an IANA timezone name spelt exactly, else why not."""
    canonical = canonical_timezone(value)
    if canonical == value:
        return None
    if canonical is not None:
        return f"write the timezone as '{canonical}'"
    return f"'{value}' is not an IANA timezone name; use a name such as Europe/London or UTC"


def _host_problem(host: str) -> str | None:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return "is not a valid host name"
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return "is not a valid host name"
    if len(labels) < 2 or labels[-1].isdigit():
        return "must be a full host name with a dot, such as example.com"
    return None


def to_ascii_host(host: str) -> str:
    """`host` in lower case with any international labels in their ASCII (punycode) form."""
    return host.lower().encode("idna").decode("ascii")


def check_domain(value: str) -> str | None:
    """`None` if `value` is a bare host name (no scheme, port or path), else why not."""
    if "://" in value:
        scheme = value.split("://", 1)[0]
        host = urlsplit(value).hostname
        example = f": enter just {host}" if host else ""
        return f"must not include '{scheme}://'; drop the scheme{example}"
    if path_start := re.search(r"[/?#]", value):
        return f"must be the host name only, without a path: enter {value[: path_start.start()]}"
    if "@" in value:
        return "must be a host name such as example.com, not an e-mail address"
    if ":" in value:
        return f"must be the host name only, without a port: enter {value.split(':', 1)[0]}"
    return _host_problem(value)


def check_url(value: str) -> str | None:
    """`None` if `value` is an absolute http(s) URL with a host, else why not."""
    if any(ch.isspace() for ch in value):
        return "must not contain spaces"
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"}:
        return "must be a full web address starting with https:// (or http://)"
    try:
        host, _ = parts.hostname, parts.port
    except ValueError:
        return "has an invalid port number"
    if not host:
        return "must include a host name, e.g. https://example.com/"
    return None


def check_email(value: str) -> str | None:
    """`None` if `value` looks like an e-mail address, else why not."""
    if _EMAIL.fullmatch(value):
        return None
    return "must be an e-mail address such as name@example.com"
