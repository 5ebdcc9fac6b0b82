"""The service's settings, read once from COURSES_* environment variables (nested with __)."""

from ibermuseos_contracts.types import Localized
from ibermuseos_platform.settings import ServiceSettings, service_config
from pydantic import BaseModel, Field, SecretStr, model_validator

from .domain.bitstring import MINIMUM_BITS
from .domain.certificates import Signatory

# Printed on certificates issued in development and tests; production must name the real signatory.
DEVELOPMENT_SIGNATORY = Signatory(
    name="Nombre Apellido",
    role=Localized(
        es="Coordinación del Programa Ibermuseos",
        pt="Coordenação do Programa Ibermuseos",
        en="Ibermuseos Programme Coordination",
    ),
)


class CertificateSettings(BaseModel):
    issuer_name: str = Field(
        default="Programa Ibermuseos", description="Who the certificates name as issuer."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8002",
        description="Where this service is reached from outside: verification links and QR codes point here.",
    )
    signing_key: SecretStr | None = Field(
        default=None,
        description=(
            "PEM private key (RSA for RS256, or Ed25519 for EdDSA) signing the Open Badges credentials. "
            "Unset: a throw-away key per process (development and tests only)."
        ),
    )
    key_id: str = "courses-1"
    signatory_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="Who signs the certificates for the coordination (required in production).",
    )
    signatory_role: Localized | None = Field(
        default=None,
        description='Their role in es, pt and en, e.g. {"es": "Coordinadora", ...} (required in production).',
    )
    verify_rate_per_second: float = Field(
        default=5.0, gt=0, description="Public verification requests per second per client."
    )
    verify_burst: int = Field(default=30, ge=1)
    status_list_size: int = Field(
        default=MINIMUM_BITS,
        ge=MINIMUM_BITS,
        multiple_of=8,
        description="Bits of each new revocation status list (16 KB at least, for herd privacy).",
    )
    status_list_max_age_seconds: int = Field(
        default=60,
        ge=0,
        le=3600,
        description="How long verifiers and caches may keep a status list (Cache-Control max-age, `ttl`).",
    )

    @property
    def signatory(self) -> Signatory:
        """The one configured, else (development) a placeholder."""
        return Signatory(
            name=self.signatory_name or DEVELOPMENT_SIGNATORY.name,
            role=self.signatory_role or DEVELOPMENT_SIGNATORY.role,
        )


class RunSettings(BaseModel):
    close_check_interval_seconds: float = Field(
        default=300.0, gt=0, description="How often the job looks for ended runs to close."
    )
    close_after_hours: float = Field(
        default=168.0,
        ge=0,
        description="A run closes by itself this long after its last session (time to record attendance and grades).",
    )
    lapse_check_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the job looks for waitlists to lapse (runs started, enrolment closed).",
    )


class AttendanceSettings(BaseModel):
    max_report_bytes: int = Field(
        default=2_000_000, ge=1, description="The largest webinar attendance report accepted."
    )


class Settings(ServiceSettings):
    model_config = service_config("courses")

    certificates: CertificateSettings = CertificateSettings()
    runs: RunSettings = RunSettings()
    attendance: AttendanceSettings = AttendanceSettings()

    @model_validator(mode="after")
    def _signing_key_in_production(self) -> "Settings":
        if self.environment == "production" and self.certificates.signing_key is None:
            raise ValueError("set CERTIFICATES__SIGNING_KEY: production signs credentials with a kept key")
        return self

    @model_validator(mode="after")
    def _signatory_in_production(self) -> "Settings":
        certificates = self.certificates
        if self.environment == "production" and not (
            certificates.signatory_name and certificates.signatory_role
        ):
            raise ValueError(
                "set CERTIFICATES__SIGNATORY_NAME and CERTIFICATES__SIGNATORY_ROLE: production certificates "
                "are signed by the real coordination"
            )
        return self
