"""Builders for the form fields networks have in common, so each entry reads as a list."""

from __future__ import annotations

from collections.abc import Iterable

from app.catalog.model import Choice, FormField

DIGITS = r"^[0-9]+$"


def text(
    key: str,
    label: str,
    help: str,
    *,
    required: bool = True,
    example: str | None = None,
    pattern: str | None = None,
    format_hint: str | None = None,
    max_length: int | None = None,
) -> FormField:
    """A plain, non-secret text field."""
    return FormField(
        key,
        label,
        help,
        "string",
        required=required,
        example=example,
        pattern=pattern,
        format_hint=format_hint,
        max_length=max_length,
    )


def secret(
    key: str,
    label: str,
    help: str,
    *,
    required: bool = True,
    pattern: str | None = None,
    format_hint: str | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
) -> FormField:
    """A write-only field: stored encrypted, never shown again."""
    return FormField(
        key,
        label,
        help,
        "secret",
        secret=True,
        required=required,
        pattern=pattern,
        format_hint=format_hint,
        min_length=min_length,
        max_length=max_length,
    )


def numeric_id(
    key: str, label: str, help: str, *, required: bool = True, example: str = "1234567"
) -> FormField:
    """An id the network issues as a whole number; stored as its digits."""
    return FormField(
        key,
        label,
        help,
        "integer",
        required=required,
        pattern=DIGITS,
        example=example,
        format_hint=f"digits only, e.g. {example}",
    )


def choice(
    key: str,
    label: str,
    help: str,
    options: Iterable[tuple[str, str]],
    *,
    required: bool = True,
    example: str | None = None,
) -> FormField:
    """One of a fixed list of `(value, label)` options."""
    choices = tuple(Choice(value, shown) for value, shown in options)
    return FormField(
        key,
        label,
        help,
        "choice",
        required=required,
        choices=choices,
        example=example or choices[0].value,
    )


def currency(help: str, *, required: bool = True) -> FormField:
    """The ISO 4217 currency a network reports in, when its API does not say."""
    return FormField(
        "currency", "Reporting currency", help, "currency", required=required, example="USD"
    )


def country(key: str, label: str, help: str, *, required: bool = True, example: str) -> FormField:
    """An ISO 3166-1 alpha-2 country code."""
    return FormField(key, label, help, "country", required=required, example=example)


def url(key: str, label: str, help: str, *, example: str) -> FormField:
    """A full http(s) address."""
    return FormField(key, label, help, "url", example=example)


def domain(key: str, label: str, help: str, *, example: str) -> FormField:
    """A bare host name: no scheme, port or path."""
    return FormField(key, label, help, "domain", example=example)


def username(network: str, note: str = "", *, required: bool = True) -> FormField:
    """The user name of a network's dashboard login."""
    return text(
        "username",
        "Username",
        f"Your {network} user name: the one its publisher sign-in page asks for{note}.",
        required=required,
    )


def password(network: str, *, required: bool = True) -> FormField:
    """The password of a network's dashboard login."""
    return secret(
        "password",
        "Password",
        f"The password that goes with your {network} user name.",
        required=required,
    )
