"""What the catalog is made of: networks, their onboarding form fields, and choices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

FieldType = Literal[
    "string",
    "secret",
    "integer",
    "currency",
    "country",
    "timezone",
    "url",
    "domain",
    "choice",
    "email",
]
Capability = Literal["api_sync", "file_upload", "programs", "deeplinks"]

FIELD_TYPES: frozenset[str] = frozenset(get_args(FieldType))
CAPABILITIES: frozenset[str] = frozenset(get_args(Capability))

# Keys the connections API owns; a network's form must not redefine them.
RESERVED_KEYS = frozenset({"nickname"})

_KEY = re.compile(r"[a-z][a-z0-9_]*")
_SLUG = re.compile(r"[a-z][a-z0-9]*")


@dataclass(frozen=True)
class Choice:
    """One allowed value of a `choice` field: `value` is stored, `label` is shown."""

    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One input of a network's onboarding form.

    `pattern` is a regular expression the cleaned value must match in full (also shown to
    clients); `format_hint` says in words what that pattern expects, for error messages.
    `secret` values are write-only: stored encrypted, never returned.
    """

    key: str
    label: str
    help: str
    type: FieldType
    secret: bool = False
    required: bool = True
    pattern: str | None = None
    choices: tuple[Choice, ...] | None = None
    example: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    format_hint: str | None = None

    def __post_init__(self) -> None:
        if not _KEY.fullmatch(self.key) or self.key in RESERVED_KEYS:
            raise ValueError(f"bad form field key {self.key!r}")
        if self.type not in FIELD_TYPES:
            raise ValueError(f"{self.key}: unknown field type {self.type!r}")
        if (self.type == "secret") != self.secret:
            raise ValueError(f"{self.key}: secret fields have type 'secret', and only they do")
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"{self.key}: choice fields need choices, and only they have them")
        if self.pattern is not None:
            re.compile(self.pattern)
            if not self.format_hint:
                raise ValueError(f"{self.key}: a pattern needs a format_hint for error messages")
        if not self.label.strip() or not self.help.strip():
            raise ValueError(f"{self.key}: label and help are required")

    @property
    def choice_values(self) -> tuple[str, ...]:
        """The stored values of a choice field, in display order (empty otherwise)."""
        return tuple(c.value for c in self.choices or ())


@dataclass(frozen=True)
class Network:
    """A network netledger connects to, and the form that creates a connection to it.

    `fields` never includes `nickname`: every network takes one, handled by the connections
    API. `together` lists groups of optional keys that must be given all or none;
    `one_of` lists the ways in, groups of optional keys of which at least one must be given
    whole (Webgains: an API token, or a username and password).
    """

    slug: str
    name: str
    aliases: tuple[str, ...]
    capabilities: frozenset[str]
    fields: tuple[FormField, ...]
    website: str
    docs: str | None = None
    notes: str | None = None
    together: tuple[tuple[str, ...], ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if not _SLUG.fullmatch(self.slug):
            raise ValueError(f"bad network slug {self.slug!r}")
        if not self.capabilities or not self.capabilities <= CAPABILITIES:
            raise ValueError(
                f"{self.slug}: capabilities must be a subset of {sorted(CAPABILITIES)}"
            )
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.slug}: duplicate form field keys")
        for name, groups in (("together", self.together), ("one_of", self.one_of)):
            for group in groups:
                if not set(group) <= set(keys) or any(self.field(k).required for k in group):
                    raise ValueError(f"{self.slug}: '{name}' groups name optional fields")

    @property
    def keys(self) -> tuple[str, ...]:
        """The form's field keys, in form order."""
        return tuple(f.key for f in self.fields)

    def field(self, key: str) -> FormField:
        """The form field called `key`; `KeyError` if there is none."""
        for form_field in self.fields:
            if form_field.key == key:
                return form_field
        raise KeyError(key)
