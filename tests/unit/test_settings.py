from pathlib import Path

import pytest

from app.settings import Settings


def test_secret_keys_split_on_commas() -> None:
    settings = Settings(NETLEDGER_SECRET_KEY="new, old")
    assert settings.secret_keys() == ["new", "old"]


def test_base_urls_parse_json() -> None:
    settings = Settings(NETLEDGER_NETWORK_BASE_URLS='{"awin": "http://127.0.0.1:9000"}')
    assert settings.network_base_urls == {"awin": "http://127.0.0.1:9000"}


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "NETLEDGER_DATA_DIR", "NETLEDGER_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.embedded_database
    assert settings.embedded_redis
    assert settings.data_dir == Path(".netledger")
    assert settings.sync_interval_minutes == 360
    assert settings.sync_lookback_days == 90


def test_a_key_is_generated_once_for_local_use(tmp_path: Path) -> None:
    settings = Settings(NETLEDGER_DATA_DIR=str(tmp_path))
    first = settings.secret_keys()
    assert first == Settings(NETLEDGER_DATA_DIR=str(tmp_path)).secret_keys()
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_production_refuses_a_missing_key(tmp_path: Path) -> None:
    settings = Settings(NETLEDGER_ENV="production", NETLEDGER_DATA_DIR=str(tmp_path))
    with pytest.raises(RuntimeError, match="NETLEDGER_SECRET_KEY"):
        settings.secret_keys()
