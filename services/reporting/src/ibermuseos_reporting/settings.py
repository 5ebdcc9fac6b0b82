"""The service's settings, read once from REPORTING_* environment variables (nested with __)."""

from ibermuseos_platform.settings import RateLimitSettings, ServiceSettings, service_config
from pydantic import BaseModel, Field, SecretStr, model_validator


class FiguresRateLimit(RateLimitSettings):
    burst: int = Field(default=60, ge=1, description="requests a client may make at once")


class OpenDataSettings(BaseModel):
    organisation_ref: str = Field(
        default="XM-IBERMUSEOS",
        description="IATI organisation identifier of the publisher (set the real one)",
    )
    organisation_name: str = "Programa Ibermuseos"
    activity_id: str = "XM-IBERMUSEOS-FORMACION"
    currency: str = "USD"


DEV_DISCLOSURE_SECRET = b"dev-only-disclosure-secret-change-me"


class DisclosureSettings(BaseModel):
    secret: SecretStr = Field(
        default=SecretStr(DEV_DISCLOSURE_SECRET.decode()),
        description="secret of the rounding draws that protect the public figures: set it once and keep it "
        "(a new secret draws every published figure anew, and two sets of draws of the same data say more "
        "than one); production refuses the development value",
    )


class ProjectionSettings(BaseModel):
    auto_rebuild: bool = Field(
        default=True,
        description="rebuild in the service when the serving projections are of another version (or missing)",
    )
    maintenance_interval_seconds: float = Field(default=30.0, gt=0)
    lag_interval_seconds: float = Field(default=5.0, gt=0)
    cache_seconds: int = Field(default=60, ge=0, description="max-age of public figures")
    microdata_seconds: float = Field(
        default=10.0,
        ge=0,
        description="while events keep arriving, the protected microdata the figures are computed from is built "
        "again at most this often (0: whenever the data changed)",
    )
    batch_size: int = Field(default=5_000, ge=1)


class Settings(ServiceSettings):
    model_config = service_config("reporting")

    rate_limit: FiguresRateLimit = FiguresRateLimit()
    """The public figures, per client (staff pass)."""
    open_data: OpenDataSettings = OpenDataSettings()
    projections: ProjectionSettings = ProjectionSettings()
    disclosure: DisclosureSettings = DisclosureSettings()

    @model_validator(mode="after")
    def _no_dev_disclosure_secret_in_production(self) -> "Settings":
        if (
            self.environment == "production"
            and self.disclosure.secret.get_secret_value().encode() == DEV_DISCLOSURE_SECRET
        ):
            raise ValueError("set DISCLOSURE__SECRET: the development secret is refused in production")
        return self
