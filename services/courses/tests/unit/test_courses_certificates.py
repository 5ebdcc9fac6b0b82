"""Certificates: wording frozen in three languages, a signed PDF in the language asked for with every date in
one stated zone, a signed credential."""

import dataclasses
import io
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import jwt
import pypdf
import pypdfium2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from ibermuseos_contracts.common import Institution, Modality
from ibermuseos_contracts.courses import CertificateIssuedV1, CertificateRevokedV1, OfferingKind, Participant
from ibermuseos_contracts.types import Localized
from ibermuseos_courses.adapters import certificate_pdf, certificate_texts
from ibermuseos_courses.adapters.credentials import CredentialSigner
from ibermuseos_courses.domain.catalogue import Offering
from ibermuseos_courses.domain.certificates import Certificate, CertificateStatus, Signatory
from ibermuseos_courses.domain.codes import formatted, new_code
from ibermuseos_courses.domain.enrolments import Enrolment, EnrolmentStatus
from ibermuseos_courses.domain.runs import Run, RunPlan, SessionTimes
from ibermuseos_kernel.errors import Conflict

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
TITLE = Localized(es="Gestión de colecciones", pt="Gestão de acervos", en="Collections management")
SIGNATORY = Signatory(
    "Ana Lucía Méndez",
    Localized(
        es="Coordinadora del Programa Ibermuseos",
        pt="Coordenadora do Programa Ibermuseos",
        en="Coordinator of the Ibermuseos Programme",
    ),
)
URL = "https://cursos.ibermuseos.example/verify/K7QF3-M9TAB-2XQ4R-8HJ1N-W"
ARTEFACTS = Path(__file__).resolve().parents[4] / ".run" / "artefacts" / "certificates"


def issued(kind: OfferingKind = OfferingKind.TRAINING_COURSE, now: datetime = NOW) -> Certificate:
    """João's certificate of a course held in May 2025 in São Paulo's zone, issued at `now`."""
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
        signatory=SIGNATORY, verification_url=URL, now=now,
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


def text_of(document: bytes) -> str:
    return " ".join(pypdf.PdfReader(io.BytesIO(document)).pages[0].extract_text().split())


@pytest.mark.parametrize(
    ("language", "words", "hours"),
    [("es", "horas", "12,5 h"), ("pt", "carga horária", "12,5 h"), ("en", "hours", "12.5 h")],
)
def test_the_pdf_carries_the_holder_the_hours_and_the_grouped_code_in_the_language_asked_for(
    language: str, words: str, hours: str
) -> None:
    certificate = issued()
    text = text_of(certificate_pdf.render(certificate, language, URL, SIGNATORY))
    assert "João Conceição" in text
    assert words in text
    assert hours.replace("\u00a0", " ") in text.replace("\u00a0", " ")
    assert TITLE.in_language(language) in text
    assert formatted(certificate.code) in text
    assert URL in text


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_the_pdf_is_signed_by_the_coordination_with_name_and_role(language: str) -> None:
    text = text_of(certificate_pdf.render(issued(), language, URL, SIGNATORY))
    assert SIGNATORY.name in text
    assert SIGNATORY.role.in_language(language) in text


def test_a_certificate_is_signed_by_whoever_signed_at_issue_else_by_the_signatory_configured() -> None:
    certificate = issued()
    someone_else = Signatory("Otra Persona", SIGNATORY.role)
    assert certificate.wording.signed_by(someone_else) == SIGNATORY
    from_before_signatures = dataclasses.replace(certificate.wording, signatory=None)
    assert from_before_signatures.signed_by(someone_else) == someone_else


@pytest.mark.parametrize(
    ("language", "issued_on", "not_utc", "zone"),
    [
        ("es", "31 de mayo de 2025", "1 de junio", "Fechas en la hora de São Paulo."),
        ("pt", "31 de maio de 2025", "1 de junho", "Datas no horário de São Paulo."),
        ("en", "31 May 2025", "1 June", "Dates in Sao Paulo time."),
    ],
)
def test_every_date_on_the_certificate_is_a_day_in_the_runs_zone_which_it_names(
    language: str, issued_on: str, not_utc: str, zone: str
) -> None:
    """Issued at 01:30 UTC on 1 June: still 31 May in São Paulo, where the course was held."""
    certificate = issued(now=datetime(2025, 6, 1, 1, 30, tzinfo=UTC))
    assert certificate.wording.timezone == "America/Sao_Paulo"
    assert certificate.issued_on == date(2025, 5, 31)
    text = text_of(certificate_pdf.render(certificate, language, URL, SIGNATORY))
    assert issued_on in text
    assert not_utc not in text
    assert zone in text


def ink(image: object, box: tuple[int, int, int, int]) -> float:
    """The share of dark pixels in `box` of a greyscale image."""
    histogram = image.crop(box).histogram()  # type: ignore[attr-defined]
    return sum(histogram[:160]) / sum(histogram)


LONG = "María de los Ángeles Fernández-Castañeda y Villavicencio de la Torre"


@pytest.mark.parametrize(("language", "long"), [("es", False), ("pt", False), ("en", False), ("es", True)])
def test_the_design_fills_the_page_within_its_border(language: str, long: bool) -> None:
    """Rendered to PNG (kept in .run/artefacts/certificates/ to look at): every sixth of the framed page, top to
    bottom, carries text or drawing, and nothing lies between the page's edge and the border, even with a very
    long name, title and role."""
    certificate, signatory = issued(), SIGNATORY
    if long:
        title = (
            "Gestión integral de riesgos para colecciones de museos: prevención, preparación y respuesta ante "
            "emergencias y desastres en instituciones culturales iberoamericanas"
        )
        statement = f"Programa Ibermuseos certifica que {LONG} completó el curso de formación «{title}», de 120 horas."
        wording = dataclasses.replace(certificate.wording, statement=Localized(es=statement, pt="-", en="-"))
        certificate = dataclasses.replace(certificate, holder_name=LONG, wording=wording)
        signatory = Signatory(
            "Dra. María Fernanda Ruiz-Galindo de la Peña",
            Localized(
                es="Coordinadora de la Unidad Técnica del Programa Ibermuseos, Ciudad de México",
                pt="-",
                en="-",
            ),
        )
    document = certificate_pdf.render(certificate, language, URL, signatory)
    image = pypdfium2.PdfDocument(document)[0].render(scale=2).to_pil()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTEFACTS / f"certificate-{language}{'-long' if long else ''}.png")
    grey = image.convert("L")
    width, height = grey.size
    edge, frame = round(width * 9 / 297), round(width * 17 / 297)  # 9 mm; just inside the inner border
    assert ink(grey, (0, 0, width, edge)) == ink(grey, (0, height - edge, width, height)) == 0
    assert ink(grey, (0, 0, edge, height)) == ink(grey, (width - edge, 0, width, height)) == 0
    inner = height - 2 * frame
    bands = [
        ink(grey, (frame, frame + inner * i // 6, width - frame, frame + inner * (i + 1) // 6))
        for i in range(6)
    ]
    assert min(bands) > 0.015, bands
    if long:
        assert LONG in text_of(document)


def test_the_language_is_the_one_asked_for_else_the_readers_best_else_the_holders_else_spanish() -> None:
    assert certificate_texts.language_of(None, "pt-BR") == "pt"
    assert certificate_texts.language_of("fr", "de") == "es"
    assert certificate_texts.preferred_language("fr-FR, pt;q=0.5, en-GB;q=0.8") == "en"
    assert certificate_texts.preferred_language("es-MX,es;q=0.9,en;q=0.8") == "es"
    assert certificate_texts.preferred_language("pt, en;q=0") == "pt"
    assert certificate_texts.preferred_language("de, en;q=0") is None
    assert certificate_texts.preferred_language("en;q=abc, pt") == "pt"


@pytest.mark.parametrize(
    ("hours", "language", "shown"),
    [("40.0", "es", "40 h"), ("12.5", "pt", "12,5 h"), ("12.5", "en", "12.5 h"), ("100", "en", "100 h")],
)
def test_hours_are_written_for_people(hours: str, language: str, shown: str) -> None:
    assert certificate_texts.hours(Decimal(hours), language) == shown.replace(" ", "\u00a0")


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
