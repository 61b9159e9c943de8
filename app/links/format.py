"""What a network's tracking links are made of: the types every link builder shares.

A network declares a `LinkFormat` (how its links are made, its sub-id rule, whether the
merchant comes from a program or from the destination) and a builder that turns a
`LinkRequest` into a URL: offline from the network's documented format (`template`), or
through the network's own link API where that is the only way (`network_api`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import quote

from app.errors import FieldError, ValidationFailed

Method = Literal["template", "network_api"]


@lru_cache(maxsize=64)
def _class(allowed: str) -> re.Pattern[str]:
    return re.compile(f"[{allowed}]*")


@dataclass(frozen=True)
class SubIdRule:
    """What a network accepts as a sub-id: its query parameter, at most `max_length`
    characters, each matching the regular-expression class `allowed`."""

    param: str
    max_length: int
    allowed: str = r"A-Za-z0-9_\-"
    allowed_text: str = "letters, digits, '-' and '_'"

    def problem(self, value: str) -> str | None:
        """Why `value` cannot be this network's sub-id, or None when it can."""
        if not value:
            return "must not be empty"
        if len(value) > self.max_length:
            return f"is {len(value)} characters long; this network takes at most {self.max_length}"
        if _class(self.allowed).fullmatch(value):
            return None
        bad = sorted(set(re.sub(f"[{self.allowed}]", "", value)))
        if bad:
            shown = " ".join(repr(c) for c in bad[:5])
            return f"has characters this network does not accept ({shown}): use {self.allowed_text}"
        return None


@dataclass(frozen=True)
class LinkFormat:
    """How a network's links are made.

    `needs_program`: the link names a program (False where the network resolves the
    merchant from the destination, as Skimlinks and Sovrn do). `on_program_domain`: the
    destination must be on one of the program's domains (the network credits the merchant
    whose site the link opens, as CJ does, or tracks on the merchant's own pages, as
    Refersion does). `hosts`: the network's click hosts, which the link check
    recognises."""

    method: Method
    sub_id: SubIdRule
    needs_program: bool = True
    on_program_domain: bool = False
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkProgram:
    """What a link needs of a stored program."""

    id: str
    external_id: str
    account_id: str
    name: str | None = None
    domains: tuple[str, ...] = ()
    relationship: str | None = None
    network_relationship: str | None = None
    deeplinks: bool | None = None
    link_token: str | None = None
    tracking_url: str | None = None
    connection_id: str = ""

    @property
    def label(self) -> str:
        return self.name or self.external_id


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """One link to build: a checked absolute destination, an optional checked sub-id, the
    program (None where the network needs none) and the connection's form fields (secrets
    included: some links carry a key, e.g. Sovrn's)."""

    destination: str
    sub_id: str | None
    program: LinkProgram | None
    fields: Mapping[str, str] = field(default_factory=dict)

    def field(self, name: str) -> str:
        return str(self.fields.get(name) or "")

    @property
    def account_id(self) -> str:
        """The program's account (publisher id, site, channel), else the connection's."""
        return self.program.account_id if self.program else ""


# Every ASCII character but the unreserved ones (RFC 3986) -> its %XX escape.
_ESCAPES = str.maketrans(
    {
        c: f"%{c:02X}"
        for c in range(128)
        if not (chr(c).isascii() and (chr(c).isalnum() or chr(c) in "-._~"))
    }
)


def query(*pairs: tuple[str, str | None]) -> str:
    """Query parameters in the order given, each value percent-encoded (`encoded`); a pair
    whose value is None is left out (an optional sub-id). Networks that read the
    destination as everything after its parameter get it last by passing it last."""
    return "&".join(f"{name}={encoded(value)}" for name, value in pairs if value is not None)


def unlinkable(field: str, message: str) -> ValidationFailed:
    """A link a network cannot make for this request, as the 422 naming `field`; the
    message says what to do (add a form field, list the programs again...)."""
    return ValidationFailed([FieldError(field, message)])


def encoded(value: str) -> str:
    """A value percent-encoded for a query parameter: every reserved character escaped
    (`urllib.parse.quote(value, safe="")`, in one C pass for ASCII text)."""
    if value.isascii():
        return value.translate(_ESCAPES)
    return quote(value, safe="")
