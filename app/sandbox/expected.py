"""What a sandbox network serves for a window, computed directly in Python, so tests can
compare a sync's result with the exact rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from app.sandbox import registry
from app.sandbox.data import DataSpec, Txn

Select = Callable[..., list[Txn]]
# slug -> the module's `expected`, computing what that network serves (its handlers use it)
NETWORKS: dict[str, Select] = {slug: registry.expected(slug) for slug in registry.slugs()}


def expected_transactions(
    network: str,
    account: str | int,
    epoch: int = 0,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    *,
    spec: DataSpec | None = None,
    **options: Any,
) -> list[Txn]:
    """Every record `network` serves for `account` at `epoch` in [start, end].

    `start`/`end` are whole days (end inclusive) or datetimes ([start, end)); naive values
    are read in the network's zone (Awin: `timezone=`, default UTC; CJ, Rakuten: UTC).
    `spec` is the account's data shape; by default today (UTC) and the default volume,
    as a fresh sandbox has; pass `DataSpec.from_config(GET /_sandbox/config)` otherwise.
    Options are the network module's `expected` keywords, e.g.:
    - awin (account = publisher id): `timezone`, `date_type` (transaction | validation |
      amendment), `status`, `advertiser_id`, `basket` (showBasketProducts);
    - cj (account = CID): `date_type` (event | posting | locking), `pub_currency`;
    - rakuten (account = SID): `date_type` (transaction | process), `currency`,
      `date_format` (js | iso).
    """
    if network not in NETWORKS:
        raise KeyError(f"no sandbox for network {network!r}")
    spec = spec or DataSpec(datetime.now(UTC).date())
    return NETWORKS[network](str(account), epoch, spec, start, end, **options)


def expected_records(
    network: str,
    account: str | int,
    epoch: int = 0,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    *,
    spec: DataSpec | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """The raw records, exactly as the API renders them (full CJ selection)."""
    return [
        t.record
        for t in expected_transactions(network, account, epoch, start, end, spec=spec, **options)
    ]
