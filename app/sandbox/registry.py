"""Which networks have a sandbox: `app/sandbox/<slug>.py` for a slug of the catalog.

Such a module exports
- `build_app() -> Starlette`: the network's app (a `NetworkSandbox(...).app()`),
- `expected(account, epoch, spec, start, end, **options) -> list[Txn]`: what it serves
  (its handlers render the same rows),
- `CONNECTIONS: tuple[SandboxConnection, ...]`: at least two sandbox accounts a client
  connects with (the demo connects all of them; the contract suite the first),
and may declare `ID_RANGE = (lo, hi)`, its advertiser ids. Nothing else in the sandbox
names a network: the servers, the expected rows, the demo and the contract suite read
this registry.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

from starlette.applications import Starlette

from app.catalog import CATALOG

Expected = Callable[..., list[Any]]  # (account, epoch, spec, start, end, **options) -> [Txn]


@dataclass(frozen=True)
class SandboxConnection:
    """Credentials a client may connect to a sandbox network with, and what they reach.

    `credentials` uses the catalog form's keys; `accounts` are the account/site ids those
    credentials read; `options` go to the module's `expected()`; `secret_key` names the
    credential that, set to "bad..."/"invalid...", the sandbox refuses; `transactions_path`
    is the transactions endpoint's path (its calls are counted in `/_sandbox/stats`).
    `status_field`, `money_field` and `order_field` name a served record's status word,
    commission and order id (the contract suite breaks the status, or the commission where
    records carry no status, and plants a secret in the order id)."""

    nickname: str
    credentials: dict[str, str]
    accounts: tuple[str, ...]
    secret_key: str
    transactions_path: str
    options: dict[str, Any] = field(default_factory=dict)
    status_field: str | None = None
    money_field: str = "commission"
    order_field: str = "order_id"


@cache
def slugs() -> tuple[str, ...]:
    """The catalog slugs that have a sandbox module, in catalog order."""
    return tuple(
        network.slug
        for network in CATALOG
        if importlib.util.find_spec(f"app.sandbox.{network.slug}") is not None
    )


def module(slug: str) -> ModuleType:
    if slug not in slugs():
        raise KeyError(f"no sandbox for network {slug!r}; implemented: {sorted(slugs())}")
    return importlib.import_module(f"app.sandbox.{slug}")


def build_app(slug: str) -> Starlette:
    app: Starlette = module(slug).build_app()
    return app


def expected(slug: str) -> Expected:
    function: Expected = module(slug).expected
    return function


def connections(slug: str) -> tuple[SandboxConnection, ...]:
    found: tuple[SandboxConnection, ...] = module(slug).CONNECTIONS
    return found


def id_range(slug: str) -> tuple[int, int] | None:
    """A sandbox module's `ID_RANGE`, if it is one and declares it."""
    if slug not in slugs():
        return None
    found: tuple[int, int] | None = getattr(module(slug), "ID_RANGE", None)
    return found
