"""The service's settings, read once from COURSES_* environment variables (nested with __)."""

from ibermuseos_platform.settings import (
    AuthSettings,
    DatabaseSettings,
    KafkaSettings,
    OutboxSettings,
    RefuseDevSecrets,
)
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings, RefuseDevSecrets):
    model_config = SettingsConfigDict(env_prefix="COURSES_", env_nested_delimiter="__", extra="ignore")

    database: DatabaseSettings
    kafka: KafkaSettings = KafkaSettings()
    outbox: OutboxSettings = OutboxSettings()
    auth: AuthSettings
    log_level: str = "INFO"
