"""Database URLs reach the driver with their password intact, on every path."""

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.db import create_engine, driver_dsn, with_database
from tests.conftest import refuse_masked_password

URL = "postgresql+asyncpg://netledger:s3cr%40t@127.0.0.1:5433/netledger"


def test_driver_dsn_keeps_the_password_and_can_change_the_database():
    assert driver_dsn(URL) == "postgresql://netledger:s3cr%40t@127.0.0.1:5433/netledger"
    assert driver_dsn(URL, database="postgres").endswith("@127.0.0.1:5433/postgres")
    assert driver_dsn(make_url(URL)) == driver_dsn(URL)
    assert with_database("postgres://u:pw@h/db", "other") == "postgresql+asyncpg://u:pw@h/other"


def test_a_masked_url_is_refused_before_it_reaches_the_driver():
    masked = str(make_url(URL))
    assert ":***@" in masked
    with pytest.raises(ValueError, match="masked"):
        driver_dsn(masked)


async def test_the_suite_guard_catches_a_masked_password_on_any_driver_path():
    # The guard is installed for the whole run (conftest); prove it fails both the way a
    # DSN carries the password and the way SQLAlchemy's dialect passes it.
    assert asyncpg.connect.__name__ == "guarded"
    guard = refuse_masked_password(_never_called)
    with pytest.raises(AssertionError, match="masked password"):
        await guard(str(make_url(URL).set(drivername="postgresql")))
    engine = create_engine(str(make_url(URL)))
    try:
        with pytest.raises(AssertionError, match="masked password"):
            async with engine.connect():
                pass
    finally:
        await engine.dispose()


async def _never_called(*args: object, **kwargs: object) -> None:
    raise RuntimeError("the driver was reached")
