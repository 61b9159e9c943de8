"""Shared sandbox machinery: the generator, control endpoints and the servers."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import date, timedelta

import httpx
import pytest

from app.sandbox.data import DataSpec, account, clear_cache, state
from app.sandbox.expected import expected_transactions
from app.sandbox.server import IMPLEMENTED, build_app, running_sandbox, serve, stop_all
from tests.sandbox.support import SPEC, TODAY


def test_generator_is_deterministic_and_varied() -> None:
    first = account("awin", "111111", SPEC)
    clear_cache()
    again = account("awin", "111111", SPEC)
    assert first == again
    assert account("awin", "222222", SPEC).orders != first.orders
    orders = first.orders
    assert len(orders) == SPEC.orders
    assert all(a.event_at <= b.event_at for a, b in itertools.pairwise(orders))
    assert all(o.event_at < SPEC.now for o in orders)
    assert min(o.event_at for o in orders) >= SPEC.now - timedelta(days=SPEC.history_days)
    recent = [o for o in orders if o.event_at >= SPEC.now - timedelta(days=120)]
    assert 200 <= len(recent) <= 450
    assert len({o.advertiser.currency for o in orders}) >= 3
    assert any(len(o.items) > 1 for o in orders)
    assert any(sum(i.commission for i in o.items) == 0 for o in orders)
    assert Counter(o.initial for o in orders).keys() == {"pending", "approved", "declined", "paid"}


def test_epochs_settle_pending_orders_and_amend_amounts() -> None:
    orders = account("cj", "1234567", SPEC).orders
    at0 = [state(o, 0) for o in orders]
    at3 = [state(o, 3) for o in orders]
    settled = [a for a, b in zip(at0, at3, strict=True) if a.status != b.status]
    assert settled
    assert {a.status for a in settled} <= {"pending", "approved"}
    amended = [b for b in at3 if b.amended_at is not None]
    assert amended
    assert all(b.changed_at >= SPEC.now for b in amended)
    assert [state(o, 3) for o in orders] == at3


def test_scales_to_benchmark_volumes() -> None:
    big = DataSpec(TODAY, orders=20000)
    rows = expected_transactions("awin", "555555", 0, TODAY - timedelta(days=31), TODAY, spec=big)
    assert len(account("awin", "555555", big).orders) == 20000
    assert len(rows) > 1000


def test_config_validation_reset_and_stats() -> None:
    with running_sandbox(["awin"]) as sandbox, httpx.Client(base_url=sandbox["awin"]) as client:
        config = client.get("/_sandbox/config").json()
        assert config["rate_limit_per_minute"] == 20
        assert config["epoch"] == 0
        assert DataSpec.from_config(config).today.isoformat() == config["today"]
        bad = client.post("/_sandbox/config", json={"nope": 1, "latency_ms": "slow"})
        assert bad.status_code == 400
        assert {e["field"] for e in bad.json()["errors"]} == {"nope", "latency_ms"}
        changed = client.post(
            "/_sandbox/config", json={"today": "2026-01-02", "accounts_per_token": 3}
        ).json()
        assert changed["today"] == "2026-01-02"
        assert DataSpec.from_config(changed) == DataSpec(date(2026, 1, 2))
        client.get("/accounts", headers={"Authorization": "Bearer t"})
        accounts = client.get("/accounts", headers={"Authorization": "Bearer t"}).json()
        assert len(accounts["accounts"]) == 4
        assert client.post("/_sandbox/epoch").json() == {"epoch": 1}
        stats = client.get("/_sandbox/stats").json()
        assert stats["total"] == 2
        assert stats["by_status"] == {"200": 2}
        assert stats["requests"][0]["credential"] == "t"
        assert client.delete("/_sandbox/stats").json()["total"] == 0
        reset = client.post("/_sandbox/reset").json()
        assert reset["epoch"] == 0
        assert reset["accounts_per_token"] == 2
        assert sandbox.network("awin").state.epoch == 0


def test_serve_every_network_and_base_urls_json() -> None:
    try:
        urls = serve()
        assert set(urls) == set(IMPLEMENTED) >= {"awin", "cj", "rakuten"}
        assert json.loads(urls.base_urls_json) == dict(urls)
        for url in urls.values():
            assert httpx.get(f"{url}/_sandbox/config").status_code == 200
    finally:
        stop_all()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{urls['awin']}/_sandbox/config")
    with pytest.raises(KeyError):
        build_app("nonexistent")


def test_running_sandbox_applies_shared_and_per_network_knobs() -> None:
    knobs = {"latency_ms": 5, "awin": {"accounts_per_token": 1}, "cj": {"page_size": 7}}
    with running_sandbox(config=knobs) as sandbox:
        assert sandbox.network("awin").knob("accounts_per_token") == 1
        assert sandbox.network("cj").knob("page_size") == 7
        assert all(sandbox.network(s).knob("latency_ms") == 5 for s in sandbox)
    with (
        pytest.raises(ValueError, match="invalid sandbox config"),
        running_sandbox(["cj"], config={"cj": {"accounts_per_token": 1}}),
    ):
        pass


async def test_build_app_serves_in_process_too() -> None:
    transport = httpx.ASGITransport(app=build_app("cj"))
    async with httpx.AsyncClient(transport=transport, base_url="http://cj") as client:
        assert (await client.get("/_sandbox/config")).json()["page_size"] == 10000
        assert (await client.post("/query", content="{ __typename }")).status_code == 401
