"""The service's settings, read once from APPLICATIONS_* environment variables (nested with __)."""

from pathlib import Path

from ibermuseos_platform.settings import RateLimitSettings, ServiceSettings, service_config
from pydantic import BaseModel, Field


class StorageSettings(BaseModel):
    folder: Path = Field(
        default=Path(".run/storage/applications"),
        description="Deprecated, goes in the next release (documents are kept in the database): the folder the "
        "releases before migration 0005 stored documents in, read only by ibermuseos-applications-move-documents",
    )
    max_document_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_documents: int = Field(default=10, ge=1, le=100, description="Documents per application")


class DeadlineSettings(BaseModel):
    check_interval_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often calls past their deadline close and unanswered awards lapse",
    )


class DocumentRetentionSettings(BaseModel):
    days: float = Field(
        default=30.0,
        gt=0,
        description="Documents of drafts go this long after their call closed",
    )
    sweep_interval_seconds: float = Field(
        default=3600.0, gt=0, description="How often orphan documents are swept"
    )


class Settings(ServiceSettings):
    model_config = service_config("applications")

    storage: StorageSettings = StorageSettings()
    deadlines: DeadlineSettings = DeadlineSettings()
    document_retention: DocumentRetentionSettings = DocumentRetentionSettings()
    open_calls_rate_limit: RateLimitSettings = RateLimitSettings()
    """The unauthenticated listing of open calls, per client address."""
