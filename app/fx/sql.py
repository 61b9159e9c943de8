"""Conversion in Postgres: a per-day rate set a report joins to its rollups.

`daily_rates(start, end, target)` selects one row per (day, currency) for every day in
`[start, end]` and every currency the ECB published on that day's publication day, plus
EUR and `target`:

    day        date     the calendar day (join on the rollup's day)
    currency   text     the source currency (join on the rollup's currency)
    rate       numeric  target units per source unit; NULL when there is no rate
    rate_date  date     the ECB publication day used; NULL when there is no rate

Same rules as `app.fx.convert` (carry forward over weekends and holidays only, through
EUR, identity for `currency = target`). A currency with no row, or a NULL rate, has no
rate that day: LEFT JOIN and report those amounts as unconverted, never as 0.

Precision: `rate` is the target's per-euro rate with 20 decimal places divided by the
source's (Postgres keeps at least 20 decimals), so `amount * rate` differs from the
exact Python path by less than `amount * 1e-20`; round at presentation.

Cost: one index probe per day plus ~30 rows per day (90 days: ~3 ms on a seeded,
analysed `fx_rate`); join it to rollups, never to raw transactions.

Usage with SQLAlchemy Core (`fx` binds `fx_start`, `fx_end` and `fx_target`)::

    fx = daily_rates(start, end, "USD").subquery("fx")
    stmt = (
        select(
            DailyRollup.connection_id,
            func.sum(DailyRollup.commission_amount * fx.c.rate).label("commission"),
            func.sum(DailyRollup.commission_amount)
            .filter(fx.c.rate.is_(None))
            .label("unconverted"),  # group further by DailyRollup.currency to name them
        )
        .outerjoin(fx, and_(fx.c.day == DailyRollup.day, fx.c.currency == DailyRollup.currency))
        .where(DailyRollup.workspace_id == workspace_id, DailyRollup.day.between(start, end))
        .group_by(DailyRollup.connection_id)
    )
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Numeric, String, bindparam, text
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import TextualSelect

DAILY_RATES_SQL = """
WITH fx_days AS MATERIALIZED (
    SELECT d.day, p.rate_date,
           CASE WHEN CAST(:fx_target AS text) = 'EUR' THEN 1::numeric(30, 20)
                ELSE (SELECT r.per_eur FROM fx_rate AS r
                      WHERE r.day = p.rate_date AND r.currency = CAST(:fx_target AS text)
                     )::numeric(30, 20)
           END AS target_per_eur
    FROM (
        SELECT CAST(:fx_start AS date) + g.i AS day
        FROM generate_series(0, CAST(:fx_end AS date) - CAST(:fx_start AS date)) AS g(i)
    ) AS d
    CROSS JOIN LATERAL (
        SELECT max(r.day) AS rate_date FROM fx_rate AS r WHERE r.day <= d.day
    ) AS p
)
SELECT d.day, s.currency,
       CASE WHEN s.currency = CAST(:fx_target AS text) THEN d.day
            WHEN s.per_eur IS NOT NULL AND d.target_per_eur IS NOT NULL THEN d.rate_date
       END AS rate_date,
       CASE WHEN s.currency = CAST(:fx_target AS text) THEN 1::numeric
            ELSE d.target_per_eur / s.per_eur
       END AS rate
FROM fx_days AS d
CROSS JOIN LATERAL (
    SELECT r.currency::text AS currency, r.per_eur FROM fx_rate AS r
    WHERE r.day = d.rate_date AND r.currency <> CAST(:fx_target AS text)
    UNION ALL SELECT 'EUR', 1::numeric WHERE CAST(:fx_target AS text) <> 'EUR'
    UNION ALL SELECT CAST(:fx_target AS text), NULL
) AS s
"""


def daily_rates_text() -> TextClause:
    """`DAILY_RATES_SQL` with typed parameters `fx_start`, `fx_end` (dates) and
    `fx_target` (ISO code), not yet bound."""
    return text(DAILY_RATES_SQL).bindparams(
        bindparam("fx_start", type_=Date),
        bindparam("fx_end", type_=Date),
        bindparam("fx_target", type_=String),
    )


def daily_rates(start: date, end: date, target: str) -> TextualSelect:
    """The rate set for converting into `target` on each day of `[start, end]`, as a
    selectable with typed columns (`day`, `currency`, `rate`, `rate_date`); use
    `.subquery()` or `.cte()` and outer-join it on (day, currency)."""
    return (
        daily_rates_text()
        .bindparams(fx_start=start, fx_end=end, fx_target=target)
        .columns(
            day=Date,
            currency=String,
            rate=Numeric(asdecimal=True),
            rate_date=Date,
        )
    )
