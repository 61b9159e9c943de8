"""The printed summary `netledger demo` ends with: performance by network in the
workspace's currency and the top insights, read from the public API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx


def _table(rows: list[dict[str, Any]], currency: str) -> list[str]:
    header = (
        f"  {'network':<18}{'lines':>7}{'sales':>14}{'commission':>13}"
        f"{'pending':>12}{'approved':>12}{'paid':>11}  unconverted"
    )
    out = [header, "  " + "-" * (len(header) - 2)]
    for r in rows:
        unconverted = ", ".join(
            f"{u['currency']} {u['commission_amount']}" for u in r["unconverted"]
        )
        out.append(
            f"  {r['network']:<18}{r['transactions']:>7}{r['sale_amount']:>14}"
            f"{r['commission_amount']:>13}{r['pending_commission']:>12}"
            f"{r['approved_commission']:>12}{r['paid_commission']:>11}  {unconverted}"
        )
    return out


def print_summary(client: httpx.Client) -> None:
    workspace = client.get("/v1/workspace").json()
    currency = workspace["currency"]
    end = datetime.now(UTC).date()
    start = end - timedelta(days=119)
    report = client.get(
        "/v1/reports/performance",
        params={"start": start.isoformat(), "end": end.isoformat(), "group_by": "network"},
    ).json()
    rates = report["rates"]
    print(
        f"\nLast 120 days by network, in {currency} (ECB rates of {rates['first_rate_date']}"
        f" to {rates['last_rate_date']}):"
    )
    print("\n".join(_table(report["data"], currency)))

    insights = client.get("/v1/insights").json()
    print(
        f"\nLast 30 days: {insights['commission']} {currency} commission "
        f"(previous 30 days: {insights['previous_commission']})."
    )
    for mover in insights["programs_up"][:3]:
        print(f"  up   {mover['name'] or mover['key']}: +{mover['change']} {currency}")
    for mover in insights["programs_down"][:3]:
        print(f"  down {mover['name'] or mover['key']}: {mover['change']} {currency}")
    for anomaly in insights["anomalies"][:3]:
        print(
            f"  {anomaly['direction']} on {anomaly['connection_name']} {anomaly['day']}: "
            f"{anomaly['commission']} against ~{anomaly['trailing_average']} a day"
        )
    pending = [a for a in insights["pending_by_age"] if a["transactions"]]
    if pending:
        print("  pending: " + ", ".join(f"{a['commission']} ({a['age']})" for a in pending))
    for connection in insights["connections_needing_attention"]:
        print(f"  attention: {connection['connection_name']} is {connection['problem']}")
