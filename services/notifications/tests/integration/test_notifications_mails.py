"""Every event that must tell someone something: the mail as the SMTP server received it, in es, pt and en.

The events are produced onto the private topics as the applications and courses services
publish them; the service runs as its own process and mails a real SMTP server on loopback.
"""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from babel.dates import format_time
from ibermuseos_contracts import Event, courses
from ibermuseos_contracts.applications import (
    ActivityKind,
    ApplicationDeclaredIneligibleV1,
    ApplicationRejectedV1,
    ApplicationWaitlistedV1,
    CallOpenedV1,
    Reason,
    RejectionReason,
)
from ibermuseos_contracts.common import Institution, InstitutionType, Modality
from ibermuseos_contracts.types import Localized, Money
from ibermuseos_platform.testing.waiting import eventually

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
LANGUAGES = {"es": "es", "pt": "pt-BR", "en": "en"}
COUNTRY = {"es": "PE", "pt": "BR", "en": "ES"}
TITLE = Localized(es="Conservación preventiva", pt="Conservação preventiva", en="Preventive conservation")
INSTITUTION = Institution(name="Museo de Arte", type=InstitutionType.MUSEUM, city="Lima", country="PE")


def participant(person_id: str, language: str, email: str | None = None) -> courses.Participant:
    return courses.Participant(
        person_id=person_id,
        name="Carlos Mamani",
        email=email or f"{person_id}@museo.test",
        preferred_language=LANGUAGES[language],
        timezone="America/Lima",
        country="PE",
        institution=INSTITUTION,
    )


def run_scheduled(
    run_id: uuid.UUID, starts_in: timedelta = timedelta(days=20)
) -> courses.CourseRunScheduledV1:
    first = NOW + starts_in
    return courses.CourseRunScheduledV1(
        run_id=run_id,
        offering_id=uuid.uuid5(run_id, "offering"),
        kind=courses.OfferingKind.MINI_COURSE,
        title=TITLE,
        subject_area="conservation",
        hours=Decimal("12.0"),
        sessions=[
            courses.Session(
                session_id=uuid.uuid5(run_id, "1"), starts_at=first, ends_at=first + timedelta(hours=2)
            ),
            courses.Session(
                session_id=uuid.uuid5(run_id, "2"),
                starts_at=first + timedelta(days=7),
                ends_at=first + timedelta(days=7, hours=2),
            ),
        ],
        timezone="America/Mexico_City",
        modality=Modality.ONLINE,
        language="es",
        capacity=30,
        enrolment_opens_at=NOW - timedelta(days=1),
        enrolment_closes_at=NOW + timedelta(days=10),
        eligible_countries=[],
        scheduled_at=NOW,
    )


def enrolled(
    person_id: str, language: str, run_id: uuid.UUID, enrolment_id: uuid.UUID, *, from_waitlist: bool = False
) -> courses.ParticipantEnrolledV1:
    return courses.ParticipantEnrolledV1(
        enrolment_id=enrolment_id,
        run_id=run_id,
        offering_id=uuid.uuid5(run_id, "offering"),
        kind=courses.OfferingKind.MINI_COURSE,
        participant=participant(person_id, language),
        from_waitlist=from_waitlist,
        enrolled_at=NOW,
    )


def completed(
    person_id: str, run_id: uuid.UUID, enrolment_id: uuid.UUID, outcome: courses.Outcome
) -> courses.CourseCompletedV1:
    return courses.CourseCompletedV1(
        enrolment_id=enrolment_id,
        run_id=run_id,
        offering_id=uuid.uuid5(run_id, "offering"),
        kind=courses.OfferingKind.MINI_COURSE,
        subject_area="conservation",
        year=2027,
        participant=courses.ParticipantProfile(person_id=person_id, country="PE", institution=INSTITUTION),
        outcome=outcome,
        hours=Decimal("12.0") if outcome is courses.Outcome.COMPLETED else Decimal("0"),
        attendance_rate=0.9 if outcome is courses.Outcome.COMPLETED else 0.3,
        evaluated_at=NOW,
    )


def code_of(certificate_id: uuid.UUID) -> str:
    """A verification code as courses publishes it: 21 characters of Crockford's base 32, no dashes."""
    return certificate_id.hex[:21].upper()


def certificate(person_id: str, run_id: uuid.UUID, certificate_id: uuid.UUID) -> courses.CertificateIssuedV1:
    return courses.CertificateIssuedV1(
        certificate_id=certificate_id,
        enrolment_id=uuid.uuid5(certificate_id, "enrolment"),
        run_id=run_id,
        offering_id=uuid.uuid5(run_id, "offering"),
        kind=courses.OfferingKind.MINI_COURSE,
        person_id=person_id,
        holder_name="Carlos Mamani",
        verification_code=code_of(certificate_id),
        title=TITLE,
        hours=Decimal("12.0"),
        completed_on=NOW.date(),
        issued_at=NOW,
    )


def moved_a_week_later(run_id: uuid.UUID) -> courses.CourseRunRescheduledV1:
    scheduled = run_scheduled(run_id)
    week = timedelta(days=7)
    return courses.CourseRunRescheduledV1(
        run_id=run_id,
        offering_id=scheduled.offering_id,
        kind=scheduled.kind,
        sessions=[
            courses.Session(session_id=s.session_id, starts_at=s.starts_at + week, ends_at=s.ends_at + week)
            for s in scheduled.sessions
        ],
        timezone=scheduled.timezone,
        enrolment_opens_at=scheduled.enrolment_opens_at,
        enrolment_closes_at=scheduled.enrolment_closes_at,
        revision=1,
        rescheduled_at=NOW,
    )


def scenario(applications: Any, template: str, person_id: str, language: str) -> list[Event]:
    """The events after which `person_id` must get the mail `template` (prerequisites first)."""
    ids = uuid.uuid5(uuid.NAMESPACE_URL, person_id)
    application_id, call_id, run_id, enrolment_id = (uuid.uuid5(ids, name) for name in "acre")
    application = applications.submitted(
        person_id,
        language=LANGUAGES[language],
        country=COUNTRY[language],
        application_id=application_id,
        call_id=call_id,
    )
    base: list[Event] = [application]
    grant = {"application_id": application_id, "call_id": call_id, "applicant_id": person_id}
    course: list[Event] = [run_scheduled(run_id), enrolled(person_id, language, run_id, enrolment_id)]
    match template:
        case "application_received":
            return base
        case "application_ineligible":
            reason = Reason(
                code="residence",
                explanation=Localized(
                    es="Residencia fuera de los países elegibles",
                    pt="Residência fora dos países elegíveis",
                    en="Residence outside the eligible countries",
                ),
            )
            return [*base, ApplicationDeclaredIneligibleV1(**grant, reasons=[reason], declared_at=NOW)]
        case "grant_awarded" | "grant_awarded_from_waitlist":
            return [*base, applications.awarded(application, from_waitlist=template.endswith("waitlist"))]
        case "application_rejected":
            return [*base, ApplicationRejectedV1(**grant, rejected_at=NOW)]
        case "application_waitlisted":
            return [*base, ApplicationWaitlistedV1(**grant, position=4, waitlisted_at=NOW)]
        case "waitlist_closed":
            waitlisted = ApplicationWaitlistedV1(**grant, position=4, waitlisted_at=NOW)
            closed = ApplicationRejectedV1(**grant, rejected_at=NOW, reason=RejectionReason.WAITLIST_CLOSED)
            return [*base, waitlisted, closed]
        case "grant_acceptance_confirmed" | "report_reminder":
            return [*base, applications.accepted(application)]
        case "enrolment_confirmed":
            return course
        case "enrolment_promoted":
            return [
                run_scheduled(run_id),
                enrolled(person_id, language, run_id, enrolment_id, from_waitlist=True),
            ]
        case "enrolment_waitlisted":
            return [
                run_scheduled(run_id),
                courses.ParticipantWaitlistedV1(
                    enrolment_id=enrolment_id,
                    run_id=run_id,
                    offering_id=uuid.uuid5(run_id, "offering"),
                    kind=courses.OfferingKind.MINI_COURSE,
                    participant=participant(person_id, language),
                    position=2,
                    waitlisted_at=NOW,
                ),
            ]
        case "run_reminder":
            return [
                run_scheduled(run_id, starts_in=timedelta(days=3)),
                enrolled(person_id, language, run_id, enrolment_id),
            ]
        case "course_completed":
            return [*course, completed(person_id, run_id, enrolment_id, courses.Outcome.COMPLETED)]
        case "course_not_completed":
            return [*course, completed(person_id, run_id, enrolment_id, courses.Outcome.NOT_COMPLETED)]
        case "certificate_issued":
            return [*course, certificate(person_id, run_id, uuid.uuid5(ids, "certificate"))]
        case "run_cancelled" | "enrolment_cancelled":
            by_the_run = template == "run_cancelled"
            cancelled = courses.EnrolmentCancelledV1(
                enrolment_id=enrolment_id,
                run_id=run_id,
                person_id=person_id,
                was_enrolled=True,
                cancelled_at=NOW,
                offering_id=uuid.uuid5(run_id, "offering"),
                kind=courses.OfferingKind.MINI_COURSE,
                run_cancelled=by_the_run,
                reason="La sede cerró por obras" if by_the_run else None,
                cancelled_by=courses.CancelledBy.COORDINATOR
                if by_the_run
                else courses.CancelledBy.PARTICIPANT,
            )
            return [*course, cancelled]
        case "run_rescheduled":
            # The reschedule itself is published once the enrolment is known (see AFTER_CONFIRMATION).
            return course
        case "enrolment_lapsed":
            waitlisted = courses.ParticipantWaitlistedV1(
                enrolment_id=enrolment_id,
                run_id=run_id,
                offering_id=uuid.uuid5(run_id, "offering"),
                kind=courses.OfferingKind.MINI_COURSE,
                participant=participant(person_id, language),
                position=1,
                waitlisted_at=NOW,
            )
            lapsed = courses.EnrolmentLapsedV1(
                enrolment_id=enrolment_id,
                run_id=run_id,
                offering_id=uuid.uuid5(run_id, "offering"),
                kind=courses.OfferingKind.MINI_COURSE,
                person_id=person_id,
                lapsed_at=NOW,
            )
            return [run_scheduled(run_id), waitlisted, lapsed]
        case "certificate_revoked":
            certificate_id = uuid.uuid5(ids, "certificate")
            revoked = courses.CertificateRevokedV1(
                certificate_id=certificate_id, person_id=person_id, reason="Emitido por error", revoked_at=NOW
            )
            return [*course, certificate(person_id, run_id, certificate_id), revoked]
    raise AssertionError(template)


# What each mail's subject says in each language, and what its body must carry.
EXPECTED: dict[str, dict[str, tuple[str, list[str]]]] = {
    "application_received": {
        "es": ("Recibimos su solicitud de beca (2027)", ["Curso de museografía", "1.800,00\xa0US$"]),
        "pt": ("Recebemos sua candidatura à bolsa (2027)", ["Curso de museografía", "US$\xa01.800,00"]),
        "en": ("We received your grant application (2027)", ["Curso de museografía", "$1,800.00"]),
    },
    "application_ineligible": {
        "es": ("Su solicitud de beca no es elegible", ["Residencia fuera de los países elegibles"]),
        "pt": ("Sua candidatura à bolsa não é elegível", ["Residência fora dos países elegíveis"]),
        "en": ("Your grant application is not eligible", ["Residence outside the eligible countries"]),
    },
    "grant_awarded": {
        "es": ("¡Le fue otorgada una beca de 1.800,00\xa0US$!", ["/acceptance", "confirme antes del"]),
        "pt": ("Você recebeu uma bolsa de US$\xa01.800,00!", ["/acceptance", "confirme até"]),
        "en": ("You have been awarded a grant of $1,800.00!", ["/acceptance", "confirm by"]),
    },
    "grant_awarded_from_waitlist": {
        "es": ("Se liberó una beca: le fue otorgada (1.800,00\xa0US$)", ["lista de espera", "/acceptance"]),
        "pt": ("Uma bolsa foi liberada: ela é sua (US$\xa01.800,00)", ["lista de espera", "/acceptance"]),
        "en": ("A grant became available and it is yours ($1,800.00)", ["waiting list", "/acceptance"]),
    },
    "application_rejected": {
        "es": ("Resultado de su solicitud de beca", ["no fue seleccionada"]),
        "pt": ("Resultado da sua candidatura à bolsa", ["não foi selecionada"]),
        "en": ("The outcome of your grant application", ["was not selected"]),
    },
    "application_waitlisted": {
        "es": ("Su solicitud de beca está en la lista de espera (puesto 4)", ["puesto 4"]),
        "pt": ("Sua candidatura à bolsa está na lista de espera (posição 4)", ["posição 4"]),
        "en": ("Your grant application is on the waiting list (position 4)", ["position 4"]),
    },
    # When the waitlist closed, in the applicant's zone (of their country: Peru, Brazil, Spain).
    "waitlist_closed": {
        "es": (
            "Se cerró la lista de espera de su solicitud de beca",
            ["esta es la decisión final", "(hora de Perú)", "/applications/"],
        ),
        "pt": (
            "A lista de espera da sua candidatura à bolsa foi encerrada",
            ["esta é a decisão final", "(Horário de Brasília)", "/applications/"],
        ),
        "en": (
            "The waiting list of your grant application has closed",
            ["this is the final decision", "(Central European Time)", "/applications/"],
        ),
    },
    "grant_acceptance_confirmed": {
        "es": ("Confirmamos la aceptación de su beca", ["/report", "1.800,00\xa0US$"]),
        "pt": ("Confirmamos a aceitação da sua bolsa", ["/report", "US$\xa01.800,00"]),
        "en": ("Your grant acceptance is confirmed", ["/report", "$1,800.00"]),
    },
    "report_reminder": {
        "es": ("Recordatorio: su informe de beca vence el", ["/report", "/preferences"]),
        "pt": ("Lembrete: seu relatório da bolsa vence em", ["/report", "/preferences"]),
        "en": ("Reminder: your grant report is due on", ["/report", "/preferences"]),
    },
    "enrolment_confirmed": {
        "es": ("Inscripción confirmada: Conservación preventiva", ["(hora de Perú)", ".ics"]),
        "pt": ("Inscrição confirmada: Conservação preventiva", ["(Horário do Peru)", ".ics"]),
        "en": ("Enrolment confirmed: Preventive conservation", ["(Peru Time)", ".ics"]),
    },
    "enrolment_promoted": {
        "es": ("Se liberó un cupo: está inscrito/a en Conservación preventiva", ["lista de espera"]),
        "pt": ("Uma vaga foi liberada: você está inscrito/a em Conservação preventiva", ["lista de espera"]),
        "en": ("A seat became available: you are enrolled in Preventive conservation", ["waiting list"]),
    },
    "enrolment_waitlisted": {
        "es": ("Lista de espera: Conservación preventiva (puesto 2)", ["puesto 2"]),
        "pt": ("Lista de espera: Conservação preventiva (posição 2)", ["posição 2"]),
        "en": ("Waiting list: Preventive conservation (position 2)", ["position 2"]),
    },
    "run_reminder": {
        "es": ("Mañana comienza Conservación preventiva", ["/preferences"]),
        "pt": ("Amanhã começa Conservação preventiva", ["/preferences"]),
        "en": ("Preventive conservation starts tomorrow", ["/preferences"]),
    },
    "course_completed": {
        "es": ("Completó Conservación preventiva", ["90\xa0%", "12 horas"]),
        "pt": ("Você concluiu Conservação preventiva", ["90%", "12 horas"]),
        "en": ("You completed Preventive conservation", ["90%", "12 hours"]),
    },
    "course_not_completed": {
        "es": ("Conservación preventiva: no se alcanzaron los requisitos de aprobación", ["30\xa0%"]),
        "pt": ("Conservação preventiva: os requisitos de aprovação não foram atingidos", ["30%"]),
        "en": ("Preventive conservation: the completion requirements were not met", ["30%"]),
    },
    # The code grouped as the certificate prints it is checked in the test itself.
    "certificate_issued": {
        "es": ("Su certificado de «Conservación preventiva» está disponible", ["con el código"]),
        "pt": ("Seu certificado de «Conservação preventiva» está disponível", ["com o código"]),
        "en": ('Your certificate for "Preventive conservation" is ready', ["with the code"]),
    },
    "certificate_revoked": {
        "es": ("Su certificado de «Conservación preventiva» fue revocado", ["Emitido por error"]),
        "pt": ("Seu certificado de «Conservação preventiva» foi revogado", ["Emitido por error"]),
        "en": ('Your certificate for "Preventive conservation" was revoked', ["Emitido por error"]),
    },
    "run_cancelled": {
        "es": (
            "Cancelado: Conservación preventiva",
            ["Motivo: La sede cerró por obras", "queda sin efecto", ".ics"],
        ),
        "pt": (
            "Cancelado: Conservação preventiva",
            ["Motivo: La sede cerró por obras", "fica sem efeito", ".ics"],
        ),
        "en": (
            "Cancelled: Preventive conservation",
            ["Reason: La sede cerró por obras", "no longer stands", ".ics"],
        ),
    },
    "enrolment_cancelled": {
        "es": ("Inscripción cancelada: Conservación preventiva", ["como lo pidió", "lista de espera"]),
        "pt": ("Inscrição cancelada: Conservação preventiva", ["como você pediu", "lista de espera"]),
        "en": ("Enrolment cancelled: Preventive conservation", ["As you asked", "waiting list"]),
    },
    "run_rescheduled": {
        "es": ("Nuevas fechas: Conservación preventiva", ["(hora de Perú)", ".ics"]),
        "pt": ("Novas datas: Conservação preventiva", ["(Horário do Peru)", ".ics"]),
        "en": ("New dates: Preventive conservation", ["(Peru Time)", ".ics"]),
    },
    "enrolment_lapsed": {
        "es": ("Sin cupo en Conservación preventiva", ["lista de espera"]),
        "pt": ("Sem vaga em Conservação preventiva", ["lista de espera"]),
        "en": ("No seat in Preventive conservation", ["waiting list"]),
    },
}
WITH_CALENDAR = {"enrolment_confirmed", "enrolment_promoted", "run_reminder", "run_rescheduled"}
SCHEDULED = {"report_reminder", "run_reminder"}
CASES = [(template, language) for template in EXPECTED for language in LANGUAGES]
RUN_ID = uuid.uuid4().hex[:6]


def person(template: str, language: str) -> str:
    return f"{template.replace('_', '-')}-{language}-{RUN_ID}"


@pytest.fixture(scope="module")
async def published(notifications: Any, applications: Any) -> Any:
    """Every scenario in every language, published at once (prerequisites first within each)."""
    for template, language in CASES:
        for event in scenario(applications, template, person(template, language), language):
            await notifications.bus.publish(event)
    return notifications


@pytest.mark.parametrize(("template", "language"), CASES)
async def test_the_mail_reaches_the_person_concerned_in_their_language(
    published: Any, smtp: Any, template: str, language: str
) -> None:
    person_id = person(template, language)
    address = f"{person_id}@museo.test"
    if template in SCHEDULED:
        # Move the clock forward: the reminder, stored when its event arrived, is due now.
        async def scheduled() -> bool:
            rows = await published.sql(
                "UPDATE messages SET next_attempt_at = now() WHERE recipient_id = $1 AND template = $2 "
                # Only the first of the report's two reminders: one mail is expected.
                "AND status = 'pending' AND coalesce(context->>'days_before', '14') = '14' RETURNING id",
                person_id,
                template,
            )
            return len(rows) >= 2  # e-mail and inbox

        await eventually(scheduled, what=f"{template} scheduled")
    if template == "run_rescheduled":
        confirmed = EXPECTED["enrolment_confirmed"][language][0]
        await smtp.mailbox.arrived(address, confirmed)
        await published.bus.publish(
            moved_a_week_later(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, person_id), "r"))
        )
    subject, fragments = EXPECTED[template][language]
    mails = await smtp.mailbox.arrived(address, subject)
    assert len(mails) == 1
    (mail,) = mails
    assert mail.message["To"].addresses[0].addr_spec == address
    assert mail.message["To"].addresses[0].display_name in ("Ana Souza", "Carlos Mamani")
    assert mail.message["Content-Language"] == LANGUAGES[language]
    assert mail.message["From"].addresses[0].addr_spec == "formacion@ibermuseos.example"
    assert mail.message["X-Ibermuseos-Template"] == template
    assert (
        str(mail.message["Message-ID"]).strip()
        == f"<{mail.message['X-Ibermuseos-Notification-Id']}@notifications.ibermuseos.example>"
    )
    greeting = {"es": "Hola, ", "pt": "Olá, ", "en": "Dear "}[language]
    assert mail.text.startswith(greeting)
    for fragment in fragments:
        assert fragment in mail.text, f"{fragment!r} not in:\n{mail.text}"
    assert f'<html lang="{LANGUAGES[language]}">' in mail.html
    for link in [word for word in mail.text.split() if word.startswith("https://")]:
        assert f'href="{link}"' in mail.html
    if template == "certificate_issued":
        ids = uuid.uuid5(uuid.NAMESPACE_URL, person_id)
        grouped = courses.printed_code(code_of(uuid.uuid5(ids, "certificate")))
        assert [len(group) for group in grouped.split("-")] == [5, 5, 5, 5, 1]
        assert f"code {grouped} " in mail.text or f"código {grouped} " in mail.text
        assert f"https://portal.test/verify/{grouped}" in mail.text
    if template == "run_cancelled":
        # The calendar entries the confirmation added are taken out: same UIDs, a higher SEQUENCE.
        (confirmed,) = await smtp.mailbox.arrived(address, EXPECTED["enrolment_confirmed"][language][0])
        (invitation,) = confirmed.attachments()
        (ics,) = mail.attachments()
        assert ics.get_content_type() == "text/calendar"
        assert ics.get_param("method") == "CANCEL"
        added = list(icalendar.Calendar.from_ical(invitation.get_content()).walk("VEVENT"))
        cancelling = icalendar.Calendar.from_ical(ics.get_content())
        assert str(cancelling["method"]) == "CANCEL"
        removed = list(cancelling.walk("VEVENT"))
        assert [str(e["uid"]) for e in removed] == [str(e["uid"]) for e in added]
        assert [e["sequence"] for e in removed] == [e["sequence"] + 1 for e in added] == [1, 1]
        assert {str(e["status"]) for e in removed} == {"CANCELLED"}
        assert {str(e["attendee"]) for e in removed} == {f"mailto:{address}"}
    elif template in WITH_CALENDAR:
        (ics,) = mail.attachments()
        assert ics.get_content_type() == "text/calendar"
        calendar = icalendar.Calendar.from_ical(ics.get_content())
        starts = [event.decoded("dtstart") for event in calendar.walk("VEVENT")]
        assert len(starts) == 2
        assert {str(start.tzinfo) for start in starts} == {"America/Lima"}
        if template == "run_rescheduled":
            run_id = uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, person_id), "r")
            moved = moved_a_week_later(run_id).sessions
            sessions = list(calendar.walk("VEVENT"))
            assert [str(e["uid"]) for e in sessions] == [
                f"{s.session_id}@notifications.ibermuseos.example" for s in moved
            ]
            assert [e["sequence"] for e in sessions] == [1, 1]
            assert starts == [s.starts_at for s in moved]
    else:
        assert mail.attachments() == []


async def test_the_focal_points_of_the_eligible_countries_are_told_a_call_opened(
    notifications: Any, smtp: Any, http: Any
) -> None:
    coordinator = notifications.token("coordinator-1", "coordinator", country="MX")
    focal = {}
    countries = {"es": ("CL", "es"), "pt": ("PT", "pt-BR"), "en": ("DO", "en"), "outside": ("CR", "es")}
    for key, (country, language) in countries.items():
        person_id = f"focal-{country}-{RUN_ID}"
        focal[key] = person_id
        response = await http.put(
            f"{notifications.url}/focal-points/{person_id}",
            json={
                "country": country,
                "name": f"Focal {country}",
                "email": f"{person_id}@ibermuseos.example",
                "preferred_language": language,
                "timezone": "UTC",
            },
            headers=coordinator,
        )
        assert response.status_code == 200, response.text
    call = CallOpenedV1(
        call_id=uuid.uuid4(),
        year=2027,
        title=TITLE,
        rules=TITLE,
        opens_at=NOW,
        closes_at=NOW + timedelta(days=45),
        timezone="America/Mexico_City",
        budget=Money(amount=Decimal("250000.00"), currency="USD"),
        max_per_grant=Money(amount=Decimal("2500.00"), currency="USD"),
        eligible_residence_countries=["CL", "PT", "DO"],
        eligible_host_countries=["MX", "ES"],
        eligible_activity_kinds=[ActivityKind.COURSE],
    )
    await notifications.bus.publish(call)
    expected = {
        "es": "Abierta la convocatoria 2027: Conservación preventiva",
        "pt": "Aberta a chamada 2027: Conservação preventiva",
        "en": "The 2027 call is open: Preventive conservation",
    }
    mails = {}
    for key, subject in expected.items():
        (mails[key],) = await smtp.mailbox.arrived(f"{focal[key]}@ibermuseos.example", subject)
        assert mails[key].subject == subject
        assert mails[key].message["Content-Language"] == countries[key][1]
        assert f"https://portal.test/calls/{call.call_id}" in mails[key].text
    assert "abierta a postulantes de Chile" in mails["es"].text
    assert "US$\xa0250.000,00" in mails["pt"].text
    assert "applicants from Dominican Republic may apply" in mails["en"].text
    assert "$250,000.00" in mails["en"].text
    # Costa Rica is not eligible: its focal point hears nothing of this call.
    inbox = await http.get(
        f"{notifications.url}/inbox", headers=notifications.token(focal["outside"], "focal_point")
    )
    assert inbox.json()["items"] == []
    assert smtp.mailbox.mails_to(f"{focal['outside']}@ibermuseos.example") == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_someone_enrolling_less_than_a_day_before_is_reminded_an_hour_before_the_run(
    notifications: Any, smtp: Any, language: str
) -> None:
    """The rule (README, *Reminders of a run*): the day before; enrolled later, an hour before the first
    session, if they enrolled at least two hours before it; closer than that, the confirmation is all."""
    person_id = f"late-{language}-{RUN_ID}"
    run_id, enrolment_id = uuid.uuid4(), uuid.uuid4()
    scheduled = run_scheduled(run_id, starts_in=timedelta(hours=5))
    for event in (scheduled, enrolled(person_id, language, run_id, enrolment_id)):
        await notifications.bus.publish(event)
    address = f"{person_id}@museo.test"
    await smtp.mailbox.arrived(address, EXPECTED["enrolment_confirmed"][language][0])
    first = scheduled.sessions[0].starts_at

    async def scheduled_an_hour_before() -> bool:
        rows = await notifications.sql(
            "SELECT next_attempt_at, context->>'late' AS late FROM messages "
            "WHERE recipient_id = $1 AND template = 'run_reminder' AND status = 'pending'",
            person_id,
        )
        return len(rows) == 2 and all(
            (row["next_attempt_at"], row["late"]) == (first - timedelta(hours=1), "true") for row in rows
        )

    await eventually(scheduled_an_hour_before, what="the late reminder scheduled an hour before the run")
    await notifications.sql(
        "UPDATE messages SET next_attempt_at = now() WHERE recipient_id = $1 AND template = 'run_reminder'",
        person_id,
    )
    at = format_time(
        first.astimezone(ZoneInfo("America/Lima")), "short", locale=LANGUAGES[language].replace("-", "_")
    )
    subject = {
        "es": f"Recordatorio: Conservación preventiva comienza a las {at}",
        "pt": f"Lembrete: Conservação preventiva começa às {at}",
        "en": f"Reminder: Preventive conservation starts at {at}",
    }[language]
    (mail,) = await smtp.mailbox.arrived(address, subject)
    assert mail.subject == subject
    assert mail.message["Content-Language"] == LANGUAGES[language]
    assert mail.message["X-Ibermuseos-Template"] == "run_reminder"
    (ics,) = mail.attachments()
    assert ics.get_param("method") == "PUBLISH"


async def test_someone_enrolling_within_two_hours_of_the_run_gets_the_confirmation_and_no_reminder(
    notifications: Any, smtp: Any
) -> None:
    person_id = f"last-minute-{RUN_ID}"
    run_id = uuid.uuid4()
    for event in (
        run_scheduled(run_id, starts_in=timedelta(minutes=90)),
        enrolled(person_id, "es", run_id, uuid.uuid4()),
    ):
        await notifications.bus.publish(event)
    await smtp.mailbox.arrived(f"{person_id}@museo.test", EXPECTED["enrolment_confirmed"]["es"][0])
    reminders = await notifications.sql(
        "SELECT id FROM messages WHERE recipient_id = $1 AND template = 'run_reminder'", person_id
    )
    assert reminders == []


async def test_a_run_reminder_that_would_arrive_after_the_run_started_is_dropped(
    notifications: Any, smtp: Any
) -> None:
    """As one held by quiet hours past the start would: by the time it may go, the run has begun."""
    person_id = f"too-late-{RUN_ID}"
    run_id = uuid.uuid4()
    for event in (
        run_scheduled(run_id, starts_in=timedelta(hours=5)),
        enrolled(person_id, "es", run_id, uuid.uuid4()),
    ):
        await notifications.bus.publish(event)
    address = f"{person_id}@museo.test"
    await smtp.mailbox.arrived(address, EXPECTED["enrolment_confirmed"]["es"][0])
    await notifications.sql(
        "UPDATE runs SET first_starts_at = now() - interval '1 minute' WHERE run_id = $1", run_id
    )
    await notifications.sql(
        "UPDATE messages SET next_attempt_at = now() WHERE recipient_id = $1 AND template = 'run_reminder'",
        person_id,
    )

    async def dropped() -> bool:
        rows = await notifications.sql(
            "SELECT status, last_error FROM messages WHERE recipient_id = $1 AND template = 'run_reminder'",
            person_id,
        )
        return len(rows) == 2 and all(row["status"] == "cancelled" for row in rows)

    await eventually(dropped, what="the reminder dropped")
    assert [mail.subject for mail in smtp.mailbox.mails_to(address)] == [
        EXPECTED["enrolment_confirmed"]["es"][0]
    ]
