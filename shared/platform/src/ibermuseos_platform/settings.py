"""Settings groups every service nests in its own pydantic-settings class."""

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_PSEUDONYM_KEY = "dev-only-pseudonym-key-change-me"


class DatabaseSettings(BaseModel):
    url: SecretStr = Field(description="SQLAlchemy URL, postgresql+asyncpg://user:password@host/db")
    pool_size: int = 10
    echo: bool = False
    ssl_mode: Literal["disable", "prefer", "require", "verify-ca", "verify-full"] | None = Field(
        default=None,
        description="TLS to PostgreSQL as libpq names it; unset: asyncpg's default (try TLS, fall back to plain)",
    )
    ssl_root_cert: Path | None = Field(
        default=None, description="CA bundle the server's certificate must chain to (verify-ca, verify-full)"
    )


KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]


class KafkaSettings(BaseModel):
    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: KafkaSecurityProtocol = "PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_ca_file: Path | None = Field(
        default=None, description="CA bundle the brokers' certificates chain to; unset: the system's"
    )
    ssl_cert_file: Path | None = Field(default=None, description="client certificate, for mutual TLS")
    ssl_key_file: Path | None = Field(default=None, description="its private key (PEM)")
    topic_prefix: str = Field(
        default="",
        description="Namespace in front of every topic and consumer group name; tests use it to run side by side.",
    )
    partitions: int = Field(default=3, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    private_retention_ms: int = Field(
        default=30 * 24 * 3600 * 1000,
        description="Private topics and dead letters carry personal data: kept 30 days, not forever.",
    )

    def topic(self, name: str) -> str:
        """The real name of a contract topic in this deployment."""
        return self.topic_prefix + name

    def group(self, name: str) -> str:
        """The real id of a consumer group: in the same namespace, so two deployments sharing a cluster
        never join each other's groups (nor rebalance each other's consumers)."""
        return self.topic_prefix + name

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> "KafkaSettings":
        if self.security_protocol.startswith("SASL_") and not (self.sasl_username and self.sasl_password):
            raise ValueError(f"{self.security_protocol} needs KAFKA__SASL_USERNAME and KAFKA__SASL_PASSWORD")
        return self


class KafkaToolSettings(BaseSettings, KafkaSettings):
    """The operators' tools' Kafka settings, from KAFKA_* variables: KAFKA_BOOTSTRAP_SERVERS,
    KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_FILE, ..."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")


class OutboxSettings(BaseModel):
    batch_size: int = Field(default=500, ge=1)
    poll_interval_seconds: float = Field(default=5.0, gt=0)
    keep_sent_days: int = Field(default=7, ge=0)
    notify_window_seconds: float = Field(
        default=0.02,
        ge=0,
        description=(
            "A process whose commits wake a relay elsewhere NOTIFYs at most once per window (0: every "
            "commit): PostgreSQL serialises the commits that notify."
        ),
    )


class AuthSettings(BaseModel):
    issuer: str = "http://127.0.0.1/dev-issuer"
    audience: str = "ibermuseos"
    jwks_url: str = Field(description="https://… of the issuer's key set, or file://… of a local one")
    algorithms: list[str] = ["RS256", "ES256"]


class HttpSettings(BaseModel):
    """The HTTP edge of a service: whose forwarded headers to believe, how much one client may ask."""

    trusted_proxies: list[str] = Field(
        default=[],
        description="Addresses or CIDRs of the proxies in front of the service (ingress, load balancer): "
        "X-Forwarded-For is believed only when the request came through one of them.",
    )
    rate_per_second: float = Field(
        default=10.0, gt=0, description="Requests per second per client address, without a valid token"
    )
    burst: int = Field(default=50, ge=1)
    signed_in_rate_per_second: float = Field(default=20.0, gt=0, description="Per signed-in person")
    signed_in_burst: int = Field(default=100, ge=1)
    staff_rate_per_second: float = Field(
        default=100.0, gt=0, description="The program's staff (coordinators, focal points, ...) per person"
    )
    staff_burst: int = Field(default=500, ge=1)
    max_header_bytes: int = Field(default=32 * 1024, ge=4096)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)
        return value


class RateLimitSettings(BaseModel):
    """An endpoint's own limit per client, where answering is costly or the endpoint is open to anyone."""

    rate_per_second: float = Field(default=5.0, gt=0, description="requests per second per client")
    burst: int = Field(default=20, ge=1, description="requests a client may make at once")


class PrivacySettings(BaseModel):
    pseudonym_key: SecretStr = SecretStr(DEV_PSEUDONYM_KEY)


Environment = Literal["development", "test", "production"]

Role = Literal["api", "relay", "consumers", "jobs"]
ALL_ROLES: frozenset[Role] = frozenset(("api", "relay", "consumers", "jobs"))
"""What one process of a service does: serve its API, relay its outbox, run its consumers, run its
periodic jobs. All four by default; a deployment that scales them apart gives each pod some."""


class ServiceSettings(BaseSettings):
    """What every service's settings hold; a service adds its own groups and its variables' prefix:

        class Settings(ServiceSettings):
            model_config = service_config("COURSES")

    Production refuses the development secrets.
    """

    database: DatabaseSettings
    auth: AuthSettings
    kafka: KafkaSettings = KafkaSettings()
    outbox: OutboxSettings = OutboxSettings()
    http: HttpSettings = HttpSettings()
    environment: Environment = "development"
    privacy: PrivacySettings = PrivacySettings()
    log_level: str = "INFO"
    roles: frozenset[Role] = ALL_ROLES
    """What this process runs (api, relay, consumers, jobs), e.g. ["api"] for a pod of the API alone."""

    @model_validator(mode="after")
    def _no_dev_secrets_in_production(self) -> "ServiceSettings":
        if (
            self.environment == "production"
            and self.privacy.pseudonym_key.get_secret_value() == DEV_PSEUDONYM_KEY
        ):
            raise ValueError("set PRIVACY__PSEUDONYM_KEY: the development key is refused in production")
        return self


def service_config(service: str) -> SettingsConfigDict:
    """Settings read once from `<SERVICE>_*` environment variables, groups nested with `__`."""
    return SettingsConfigDict(env_prefix=f"{service.upper()}_", env_nested_delimiter="__", extra="ignore")
