"""Certificates: wording frozen in three languages, a PDF in the language asked for, a signed credential."""

import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import jwt
import pypdf
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from ibermuseos_contracts.common import Institution, Modality
from ibermuseos_contracts.courses import CertificateIssuedV1, CertificateRevokedV1, OfferingKind, Participant
from ibermuseos_contracts.types import Localized
from ibermuseos_courses.adapters import certificate_pdf
from ibermuseos_courses.adapters.credentials import CredentialSigner
from ibermuseos_courses.domain.catalogue import Offering
from ibermuseos_courses.domain.certificates import Certificate, CertificateStatus
from ibermuseos_courses.domain.codes import new_code
from ibermuseos_courses.domain.enrolments import Enrolment, EnrolmentStatus
from ibermuseos_courses.domain.errors import Conflict
from ibermuseos_courses.domain.runs import Run, RunPlan, SessionTimes

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
TITLE = Localized(es="Gestión de colecciones", pt="Gestão de acervos", en="Collections management")


def issued(kind: OfferingKind = OfferingKind.TRAINING_COURSE) -> Certificate:
    offering = Offering.draft(
        id=uuid.uuid4(), kind=kind, title=TITLE, description=TITLE, subject_area="management",
        known_areas={"management"}, hours=Decimal("12.5"), rule=None, certificate=True, now=NOW,
    )  # fmt: skip
    offering.publish(NOW)
    run = Run.schedule(
        id=uuid.uuid4(),
        offering=offering,
        plan=RunPlan(
            sessions=[SessionTimes(datetime(2025, 5, 10, 9), datetime(2025, 5, 10, 13)),
                      SessionTimes(datetime(2025, 5, 21, 9), datetime(2025, 5, 21, 13))],
            timezone="America/Sao_Paulo", modality=Modality.ONLINE, venue=None, language="pt", capacity=5,
            enrolment_opens_at=datetime(2025, 4, 1), enrolment_closes_at=datetime(2025, 5, 1),
            eligible_countries=[], quota_per_country=None, instructors=[],
        ),
        now=NOW,
        new_session_id=uuid.uuid4,
    )  # fmt: skip
    participant = Participant(
        person_id="joao", name="João Conceição", email="joao@museu.example", preferred_language="pt-BR",
        country="BR", institution=Institution(name="Museu", type="museum", city="Recife", country="BR"),
    )  # fmt: skip
    enrolment = Enrolment(
        uuid.uuid4(), run.id, run.offering_id, run.kind, participant, EnrolmentStatus.COMPLETED, 1, NOW
    )
    return Certificate.issue(
        id=uuid.uuid4(), enrolment=enrolment, run=run, code=new_code(), issuer="Programa Ibermuseos",
        verification_url="https://c.example/verify/x", now=NOW,
    )  # fmt: skip


def test_the_wording_is_fixed_at_issue_in_the_three_languages() -> None:
    certificate = issued()
    statement = certificate.wording.statement
    assert statement.es == (
        "Programa Ibermuseos certifica que João Conceição completó el curso de formación «Gestión de colecciones», "
        "de 12,5 horas, realizado del 10 de mayo de 2025 al 21 de mayo de 2025."
    )
    assert "concluiu o curso de formação «Gestão de acervos», com carga horária de 12,5 horas" in statement.pt
    assert (
        "completed the training course “Collections management”, 12.5 hours, held from 10 May 2025"
        in statement.en
    )
    [event] = certificate.pull_events()
    assert isinstance(event, CertificateIssuedV1)
    assert event.verification_code == certificate.code


def test_a_conversatorio_certifies_attendance() -> None:
    certificate = issued(OfferingKind.CONVERSATORIO)
    assert certificate.wording.heading.en == "Certificate of attendance"
    assert "participó en el conversatorio" in certificate.wording.statement.es


def test_revocation_says_why_and_happens_once() -> None:
    certificate = issued()
    certificate.pull_events()
    certificate.revoke(reason="Fraude", by="coordinator", now=NOW)
    assert certificate.status is CertificateStatus.REVOKED
    assert isinstance(certificate.pull_events()[0], CertificateRevokedV1)
    with pytest.raises(Conflict):
        certificate.revoke(reason="again", by="coordinator", now=NOW)


@pytest.mark.parametrize(("language", "words"), [("es", "horas"), ("pt", "carga horária"), ("en", "hours")])
def test_the_pdf_carries_the_holder_the_hours_and_the_code_in_the_language_asked_for(
    language: str, words: str
) -> None:
    certificate = issued()
    document = certificate_pdf.render(certificate, language, "https://c.example/verify/x")
    text = pypdf.PdfReader(io.BytesIO(document)).pages[0].extract_text()
    assert "João Conceição" in text
    assert "12,5" in text or "12.5" in text
    assert words in text
    assert TITLE.in_language(language) in " ".join(text.split())
    assert "https://c.example/verify/x" in text


def test_the_pdf_language_falls_back_to_the_holder_then_spanish() -> None:
    assert certificate_pdf.language_of(None, "pt-BR") == "pt"
    assert certificate_pdf.language_of("fr", "de") == "es"


def test_the_signed_credential_verifies_with_the_published_key_and_not_another() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = CredentialSigner(
        private_key_pem=pem.decode(), key_id="k1", issuer_name="Ibermuseos", base_url="https://c.example"
    )
    certificate = issued()
    token = signer.sign(certificate, "en")
    public = jwt.PyJWK(signer.jwks()["keys"][0])
    claims = jwt.decode(token, public.key, algorithms=["EdDSA"])
    assert claims["vc"]["credentialSubject"]["achievement"]["name"] == "Collections management"
    assert claims["iss"] == "https://c.example/issuer"
    other = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    stranger = CredentialSigner(
        private_key_pem=other.decode(), key_id="k1", issuer_name="x", base_url="https://x"
    )
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(stranger.sign(certificate, "en"), public.key, algorithms=["EdDSA", "RS256"])
    certificate.revoke(reason="r", by="c", now=NOW)
    with pytest.raises(ValueError, match="revoked"):
        signer.sign(certificate, "en")
