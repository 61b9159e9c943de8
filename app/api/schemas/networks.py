"""The network catalog as the API shows it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.catalog import FormField, Network

Capability = Literal["api_sync", "file_upload", "programs", "deeplinks"]
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


class ChoiceOut(BaseModel):
    value: str
    label: str


class FormFieldOut(BaseModel):
    key: str = Field(examples=["api_token"])
    label: str = Field(examples=["API token"])
    help: str = Field(description="Where to find the value in the network's own interface.")
    type: FieldType
    secret: bool = Field(description="Write-only: never returned once saved.")
    required: bool
    pattern: str | None = Field(default=None, description="A regular expression the value matches.")
    choices: list[ChoiceOut] | None = None
    example: str | None = None

    @classmethod
    def of(cls, field: FormField) -> FormFieldOut:
        return cls(
            key=field.key,
            label=field.label,
            help=field.help,
            type=field.type,
            secret=field.secret,
            required=field.required,
            pattern=field.pattern,
            choices=[ChoiceOut(value=c.value, label=c.label) for c in field.choices]
            if field.choices
            else None,
            example=field.example,
        )


class NetworkOut(BaseModel):
    slug: str = Field(examples=["awin"])
    name: str = Field(examples=["Awin"])
    aliases: list[str] = Field(examples=[["Affiliate Window"]])
    capabilities: list[Capability]
    fields: list[FormFieldOut] = Field(
        description="The onboarding form, sent as `credentials` when creating a connection. "
        "Every network also takes an optional `nickname` beside it."
    )
    together: list[list[str]] = Field(
        description="Groups of optional fields that are given all or none.",
        examples=[[["client_id", "client_secret"]]],
    )
    one_of: list[list[str]] = Field(
        description="The ways in: groups of optional fields of which at least one must be "
        "given whole (empty: the required fields are enough).",
        examples=[[["api_token"], ["username", "password"]]],
    )

    @classmethod
    def of(cls, network: Network) -> NetworkOut:
        return cls(
            slug=network.slug,
            name=network.name,
            aliases=list(network.aliases),
            capabilities=sorted(network.capabilities),
            fields=[FormFieldOut.of(f) for f in network.fields],
            together=[list(group) for group in network.together],
            one_of=[list(way) for way in network.one_of],
        )


class NetworkList(BaseModel):
    data: list[NetworkOut]
