"""One contract suite over every connector, against its sandbox over real HTTP: auth sent,
windows split, pages followed to the end, every field mapped, credentials refused,
429/5xx retried, malformed payloads reported."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from app import jsonutil
from app.connectors.base import Scope
from app.connectors.errors import BadPayload, CredentialsRejected, TransientError
from app.connectors.http import RetryPolicy
from app.connectors.paging import Offset, PageNumber, SinglePage
from tests.connectors.support import CASES, Case, connector_for, knobs, stats, window


def assert_contains(served: object, kept: object) -> None:
    """Everything kept in `raw` is what the network served (CJ serves the fields asked for)."""
    if isinstance(kept, dict):
        assert isinstance(served, dict)
        for key, value in kept.items():
            assert_contains(served[key], value)
    elif isinstance(kept, list):
        assert isinstance(served, list)
        assert len(kept) == len(served)
        for a, b in zip(served, kept, strict=True):
            assert_contains(a, b)
    else:
        assert kept == served


pytestmark = pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))


async def fetch_all(connector, start, end):  # type: ignore[no-untyped-def]
    pages = [page async for page in connector.transactions(start, end)]
    return pages, [record for page in pages for record in page]


async def test_every_row_and_field(runtime, sandbox, case: Case) -> None:  # type: ignore[no-untyped-def]
    start, end = window(100)
    _, records = await fetch_all(connector_for(runtime, case), start, end)
    expected = {t.external_id: t for t in case.expected(start, end)}
    got = {r.external_id: r for r in records}
    assert len(records) == len(got), "no line is delivered twice"
    assert set(got) == set(expected)
    assert len(expected) > 50
    for external_id, want in expected.items():
        record = got[external_id]
        assert record.status == want.status, external_id
        assert record.event_at == want.event_at
        assert record.event_at.utcoffset().total_seconds() == 0
        assert record.commission_amount == want.commission_amount
        assert record.sale_amount == want.sale_amount
        assert record.currency == want.currency
        assert record.order_id == want.order_id
        assert record.click_ref == want.click_ref
        assert record.advertiser_id == want.advertiser_id
        assert_contains(want.record, json.loads(jsonutil.dumps(record.raw)))
        if want.network_status is not None:
            assert record.network_status == want.network_status


async def test_windows_respect_the_network_maximum(runtime, sandbox, case: Case) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, case)
    start, end = window(100)
    await fetch_all(connector, start, end)
    calls = [
        entry
        for entry in stats(sandbox[case.network])["requests"]
        # Answered, if only to say a day has no rows (Sovrn's 404).
        if entry["path"].endswith(case.transactions_path) and entry["status"] in (200, 404)
    ]
    # 101 days in windows no longer than the network's maximum (31 days: at least 4 calls
    # per account; Pepperjam's six months: at least 1).
    windows = math.ceil(101 / connector.max_window.days)
    assert len(calls) >= windows * len(case.accounts)
    assert len(list(connector.windows(start, end))) == windows


async def test_pages_followed_to_the_end(runtime, sandbox, case: Case) -> None:  # type: ignore[no-untyped-def]
    start, end = window(60)
    connector = connector_for(runtime, case)
    if isinstance(connector.paginator, PageNumber | Offset):
        # The real page size is 1000; the same strategy with small pages proves the loop.
        small = replace(connector.paginator, size=7)
        connector.paginator = small  # type: ignore[misc]
    else:  # the network sizes its pages (CJ, next links, cursors): the sandbox's knob
        knobs(sandbox[case.network], page_size=7)
    pages, records = await fetch_all(connector, start, end)
    expected = case.expected(start, end)
    if not isinstance(connector.paginator, SinglePage):
        assert len(pages) >= len(expected) // 7
    assert sorted(r.external_id for r in records) == sorted(t.external_id for t in expected)


async def test_refused_credentials(runtime, sandbox, case: Case) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, case, **{case.secret_key: "bad-secret-value-123456789"})
    start, end = window(10)
    with pytest.raises(CredentialsRejected) as refused:
        await fetch_all(connector, start, end)
    assert refused.value.network == case.network
    assert "refused the credentials" in refused.value.message
    assert "bad-secret-value" not in refused.value.message


async def test_429_and_5xx_are_retried(runtime, sandbox, case: Case) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox[case.network], fail_next=[429, 503, 500, 502])
    start, end = window(40)
    _, records = await fetch_all(connector_for(runtime, case), start, end)
    assert sorted(r.external_id for r in records) == sorted(
        t.external_id for t in case.expected(start, end)
    )
    assert stats(sandbox[case.network])["by_status"].get("429") == 1


async def test_persistent_5xx_gives_up(runtime, sandbox, case: Case) -> None:  # type: ignore[no-untyped-def]
    knobs(sandbox[case.network], fail_next=[503] * 10)
    connector = connector_for(runtime, case, retry=RetryPolicy(attempts=3, base=0.01, cap=0.02))
    with pytest.raises(TransientError, match="503"):
        await fetch_all(connector, *window(10))


async def test_malformed_payload_names_the_network(runtime, sandbox, case: Case) -> None:  # type: ignore[no-untyped-def]
    connector = connector_for(runtime, case)
    await connector.verify()  # tokens and account lists first, so the next body is data
    knobs(sandbox[case.network], malformed_next=50)
    with pytest.raises(BadPayload) as bad:
        await fetch_all(connector, *window(40))
    assert case.network in str(bad.value.message).lower() or bad.value.network == case.network


async def test_verify(runtime, sandbox, case: Case) -> None:  # type: ignore[no-untyped-def]
    verified = await connector_for(runtime, case).verify()
    assert verified.ok
    assert [a.account_id for a in verified.accounts] == case.accounts
    with pytest.raises(CredentialsRejected):
        await connector_for(
            runtime, case, **{case.secret_key: "invalid-x-0000000000000000000"}
        ).verify()


async def test_a_record_that_breaks_mapping_is_logged_without_secrets(  # type: ignore[no-untyped-def]
    runtime, sandbox, case: Case, caplog
) -> None:
    connector = connector_for(runtime, case)
    start, end = window(30)
    record = dict(case.expected(start, end)[0].record)
    secret = case.credentials[case.secret_key]
    # A network that starts sending an unknown status word (or, where records carry no
    # status, a money field that is not a number), and echoes a secret back.
    broken = case.status_field or case.money_field
    record[broken] = "surprise" if case.status_field else "n/a"
    record[case.order_field] = secret
    with pytest.raises(BadPayload) as bad:
        connector._map(record, Scope(case.accounts[0]))
    assert bad.value.network == case.network
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "netledger.connectors")
    assert "record:" in logged
    assert secret not in logged
