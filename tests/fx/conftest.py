"""fx tests share one seeded `fx_rate` (the shared `_clean` fixture leaves it alone)."""

from __future__ import annotations

import pytest

from app.db import transaction
from app.fx.seed import seed_rates
from app.runtime import Runtime


@pytest.fixture(scope="session")
async def seeded(runtime: Runtime) -> None:
    """`fx_rate` holds the shipped history (idempotent: a no-op when already seeded)."""
    async with transaction(runtime.sessions) as session:
        await seed_rates(session)
