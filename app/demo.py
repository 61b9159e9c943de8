"""`netledger demo`: the whole product on one machine in one command.

Embedded Postgres and Redis, the sandbox networks, the API and a worker; a workspace with
sandbox connections (several accounts on some networks); a full sync drawn as one
progress bar per connection; then a summary, leaving the API running."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.bootstrap import api_and_worker, child_env, migrate_and_seed, services, wait_for_children
from app.settings import Settings


def demo_connections() -> list[dict[str, Any]]:
    """A connection body for every sandbox account of every sandbox network."""
    from app.sandbox import registry

    return [
        {"network": slug, "nickname": c.nickname, "credentials": dict(c.credentials)}
        for slug in registry.slugs()
        for c in registry.connections(slug)
    ]


# Sandbox accounts (`CONNECTIONS` of each `app/sandbox/<slug>.py`): any secret the sandbox
# does not refuse ("bad..."/"invalid...").
DEMO_CONNECTIONS: list[dict[str, Any]] = demo_connections()

DEMO_AMAZON = {
    "network": "amazon",
    "nickname": "Amazon US",
    "credentials": {"store_id": "mysite-20", "currency": "USD", "marketplace": "US"},
}

BAR_WIDTH = 28
FINISHED = ("succeeded", "failed", "rate_limited")


def _bar(run: dict[str, Any], name: str) -> str:
    state = run["state"]
    if state == "succeeded":
        filled, mark = BAR_WIDTH, "done"
    elif state in ("failed", "rate_limited"):
        filled, mark = (
            0,
            state.upper() + ": " + ((run.get("error") or {}).get("message") or "")[:60],
        )
    else:
        # The bar fills with the units (account x window) the run has finished.
        total = run.get("units_total") or 0
        filled = min(BAR_WIDTH - 1, BAR_WIDTH * run.get("units_done", 0) // total) if total else 0
        mark = state
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    return f"  {name[:32]:<32} [{bar}] {run['seen']:>7} lines  +{run['inserted']:<6} {mark}"


def follow_syncs(
    client: httpx.Client, runs: list[dict[str, Any]], names: dict[str, str]
) -> list[dict[str, Any]]:
    """Redraw one line per run until every run has finished."""
    tty = sys.stdout.isatty()
    drawn = 0
    while True:
        runs = [client.get(f"/v1/syncs/{r['id']}").json() for r in runs]
        lines = [_bar(r, names[r["connection_id"]]) for r in runs]
        if tty and drawn:
            sys.stdout.write(f"\x1b[{drawn}F")
        done = all(r["state"] in FINISHED for r in runs)
        if tty or done:
            sys.stdout.write("\n".join(line + "\x1b[K" * tty for line in lines) + "\n")
            sys.stdout.flush()
            drawn = len(lines)
        if done:
            return runs
        time.sleep(0.3)


def upload_sample(client: httpx.Client) -> None:
    """An Amazon connection and a generated Download Reports zip for the last 90 days."""
    from app.amazon.sample import build_sample

    amazon = client.post("/v1/connections", json=DEMO_AMAZON).raise_for_status().json()
    today = datetime.now(UTC).date()
    sample = build_sample(start=today - timedelta(days=90), days=90, rows_per_day=40, seed=11)
    assert sample.data is not None
    print(f"\nUploading a sample Amazon Associates report download ({len(sample.data):,} bytes):")
    created = (
        client.post(
            f"/v1/connections/{amazon['id']}/uploads",
            files={"file": ("amazon-reports.zip", sample.data, "application/zip")},
        )
        .raise_for_status()
        .json()
    )
    total = sample.totals.earnings_rows + sample.totals.orders_rows
    tty = sys.stdout.isatty()
    while True:
        upload = client.get(f"/v1/uploads/{created['id']}").json()
        filled = min(BAR_WIDTH, BAR_WIDTH * upload["rows_parsed"] // max(total, 1))
        if upload["state"] == "succeeded":
            filled = BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"  {'Amazon US':<32} [{bar}] {upload['rows_parsed']:>7} rows  {upload['state']}"
        done = upload["state"] in ("succeeded", "failed")
        if tty or done:
            sys.stdout.write(("\r" if tty else "") + line + ("\n" if done else ""))
            sys.stdout.flush()
        if done:
            if upload["state"] == "failed":
                print(f"  upload failed: {upload['errors'][:1]}")
            return
        time.sleep(0.3)


def _program_synced(client: httpx.Client, connection_id: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/v1/connections/{connection_id}").json()["program_sync"]["state"]
        if state in ("succeeded", "failed"):
            return state == "succeeded"
        time.sleep(0.2)
    return False


def _demo_link(client: httpx.Client, connection: dict[str, Any]) -> str:
    """A link to a joined program of the connection, with a sub-id; or why there is none."""
    from app.amazon.markets import MARKETPLACES
    from app.links.service import link_format

    fmt = link_format(connection["network"])
    if fmt is None:
        return "no links"
    body: dict[str, Any] = {"connection_id": connection["id"], "sub_id": "demo1"}
    if connection["network"] == "amazon":
        market = MARKETPLACES.get(connection["settings"].get("marketplace", "US"))
        domain = market.domain if market else "amazon.com"
        body["destination_url"] = f"https://www.{domain}/dp/B0DEMO0001"
        body["sub_id"] = connection["settings"].get("store_id")
    elif fmt.needs_program:
        if not _program_synced(client, connection["id"]):
            return "its programs are not listed yet"
        programs = client.get(
            "/v1/programs",
            params={"connection_id": connection["id"], "relationship": "joined", "limit": 100},
        ).json()["data"]
        usable = [p for p in programs if p["deeplinks"] is not False and p["domains"]]
        if not usable:
            return "no joined program open to deep links"
        body["program_id"] = usable[0]["id"]
        body["destination_url"] = f"https://{usable[0]['domains'][0]}/sale"
    else:
        body["destination_url"] = "https://www.example.com/product/1"
    made = client.post("/v1/links", json=body)
    if made.status_code != 201:
        return f"refused: {made.json().get('detail')}"
    return str(made.json()["url"])


def show_links(client: httpx.Client) -> None:
    """A tracking link per connection, built through the API, carrying a sub-id."""
    print("\nA tracking link on every network (the sub-id comes back as the sale's click_ref):")
    connections = client.get("/v1/connections", params={"limit": 100}).json()["data"]
    width = max((len(c["nickname"]) for c in connections), default=0)
    for connection in connections:
        print(f"  {connection['nickname']:<{width}}  {_demo_link(client, connection)}")


def _wait_ready(client: httpx.Client, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("the API did not become ready; see the log above")


def run_demo(settings: Settings, host: str, port: int, *, stay: bool = True) -> None:
    from app.sandbox.server import running_sandbox
    from app.summary import print_summary

    # The sandbox answers at once and imitates each network's limits; the demo lifts them
    # on both sides (Sovrn's one call a minute would make a 90-day sync take 90 minutes).
    # Production keeps every network's documented budgets.
    unlimited = {"rate_limit_per_minute": 100_000, "rate_limits": {}}
    with services(settings) as ready, running_sandbox(config=unlimited) as sandbox:
        assert ready.database_url
        migrate_and_seed(ready.database_url)
        env = child_env(
            ready,
            NETLEDGER_NETWORK_BASE_URLS=json.dumps(dict(sandbox)),
            NETLEDGER_NETWORK_RATE_LIMITS=json.dumps(dict.fromkeys(sandbox, 100_000)),
        )
        key = _create_workspace(env)
        base = f"http://{host}:{port}"
        with (
            api_and_worker(env, host, port) as children,
            httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30
            ) as client,
        ):
            _wait_ready(client)
            names = {}
            for body in DEMO_CONNECTIONS:
                created = client.post("/v1/connections", json=body).raise_for_status().json()
                names[created["id"]] = created["nickname"]
            print(f"\nSyncing {len(names)} sandbox connections at once:")
            runs = client.post("/v1/syncs", json={}).raise_for_status().json()["data"]
            follow_syncs(client, runs, names)
            upload_sample(client)
            print_summary(client)
            show_links(client)
            print(f"\nnetledger is running at {base} (docs: {base}/docs)")
            print(f"API key: {key}")
            print(f"  curl -H 'Authorization: Bearer {key}' '{base}/v1/transactions?limit=5'")
            if stay:
                print("Ctrl-C stops it.")
                wait_for_children(children, forward_sigterm=False)


def _create_workspace(env: dict[str, str]) -> str:
    output = subprocess.run(
        [sys.executable, "-m", "app.cli", "workspace", "create", "Demo Media", "--currency", "USD"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    key: str = json.loads(output)["api_key"]
    return key
