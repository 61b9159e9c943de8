"""Service settings, read once from the environment (see DESIGN.md, "Settings")."""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    secret_key: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="NETLEDGER_SECRET_KEY"
    )
    data_dir: Path = Field(default=Path(".netledger"), validation_alias="NETLEDGER_DATA_DIR")
    network_base_urls: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, validation_alias="NETLEDGER_NETWORK_BASE_URLS"
    )
    # Operator overrides of a network's documented budgets (a raised quota, a sandbox): a
    # number is requests per minute; an object replaces every budget of that network.
    network_rate_limits: Annotated[dict[str, int | dict[str, int]], NoDecode] = Field(
        default_factory=dict, validation_alias="NETLEDGER_NETWORK_RATE_LIMITS"
    )
    sync_interval_minutes: int = Field(
        default=360, ge=1, validation_alias="NETLEDGER_SYNC_INTERVAL_MINUTES"
    )
    sync_lookback_days: int = Field(
        default=90, ge=0, validation_alias="NETLEDGER_SYNC_LOOKBACK_DAYS"
    )
    # A running sync holds a lease it renews; a worker that dies lets it lapse after this
    # long, and the scheduler hands the run to another worker from its last checkpoint.
    sync_lease_seconds: int = Field(
        default=30, ge=2, validation_alias="NETLEDGER_SYNC_LEASE_SECONDS"
    )
    # A sync job works this long, then continues its run in a new job (long runs such as
    # Sovrn's one day a minute never need a long job timeout).
    sync_slice_seconds: int = Field(
        default=300, ge=0, validation_alias="NETLEDGER_SYNC_SLICE_SECONDS"
    )
    # A request that waits on a network (verify, a link from the network's link API)
    # answers within this long: a 504 naming the network rather than a hung request.
    upstream_request_seconds: float = Field(
        default=15.0, gt=0, validation_alias="NETLEDGER_UPSTREAM_REQUEST_SECONDS"
    )
    rakuten_client_id: str | None = Field(
        default=None, validation_alias="NETLEDGER_RAKUTEN_CLIENT_ID"
    )
    rakuten_client_secret: str | None = Field(
        default=None, validation_alias="NETLEDGER_RAKUTEN_CLIENT_SECRET"
    )
    # Webgains' OAuth client for the password grant, used by connections without a
    # personal API token (Webgains issues the client to the integrating app).
    webgains_client_id: str | None = Field(
        default=None, validation_alias="NETLEDGER_WEBGAINS_CLIENT_ID"
    )
    webgains_client_secret: str | None = Field(
        default=None, validation_alias="NETLEDGER_WEBGAINS_CLIENT_SECRET"
    )
    # The ECB reference-rate feed the daily refresh reads (the shipped history seeds rates).
    ecb_url: str = Field(
        default="https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml",
        validation_alias="NETLEDGER_ECB_URL",
    )
    # Private networks connectors may call anyway (user-supplied hosts are otherwise refused).
    egress_allow: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = Field(
        default=(), validation_alias="NETLEDGER_EGRESS_ALLOW"
    )
    # `production` refuses to start without NETLEDGER_SECRET_KEY instead of generating one.
    env: str = Field(default="development", validation_alias="NETLEDGER_ENV")

    @field_validator("secret_key", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("network_base_urls", "network_rate_limits", mode="before")
    @classmethod
    def _parse_base_urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return {}
            parsed = json.loads(value)
            if not isinstance(parsed, dict):
                raise ValueError("must be a JSON object keyed by network slug")
            return parsed
        return value

    @field_validator("network_rate_limits")
    @classmethod
    def _check_budgets(cls, value: dict[str, Any]) -> dict[str, Any]:
        from app.connectors.ratelimit import budgets_from_setting

        for slug, budget in value.items():
            try:
                budgets_from_setting(budget)
            except ValueError as exc:
                raise ValueError(f"{slug}: {exc}") from exc
        return value

    @field_validator("egress_allow", mode="before")
    @classmethod
    def _parse_networks(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        networks = []
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            try:
                networks.append(ip_network(part))
            except ValueError as exc:
                raise ValueError(f"NETLEDGER_EGRESS_ALLOW: {part!r} is not a CIDR ({exc})") from exc
        return tuple(networks)

    @property
    def embedded_database(self) -> bool:
        return not self.database_url

    @property
    def embedded_redis(self) -> bool:
        return not self.redis_url

    def secret_keys(self) -> list[str]:
        """The encryption keys: the configured ones, else one generated into the data dir."""
        if self.secret_key:
            return self.secret_key
        if self.env == "production":
            raise RuntimeError("NETLEDGER_SECRET_KEY must be set in production")
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32) + "\n")
            path.chmod(0o600)
        return [path.read_text().strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
