"""Every template renders in every language, with dates, times and amounts in the reader's locale."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from ibermuseos_notifications.adapters.calendar import Organizer
from ibermuseos_notifications.adapters.composer import MessageComposer
from ibermuseos_notifications.adapters.rendering import Links, TemplateRenderer
from ibermuseos_notifications.application.ports import TemplateError
from ibermuseos_notifications.domain.languages import choose_language
from ibermuseos_notifications.domain.messages import Channel, Message, Notice
from ibermuseos_notifications.domain.recipes import TEMPLATES, WITH_CALENDAR

LINKS = Links("https://portal.example", "https://portal.example/verify/{code}")
ORGANIZER = Organizer("formacion@ibermuseos.example", "Ibermuseos · Formación")
APPLICATION_ID = "0b7c1f0e-2d3a-4c5b-8e9f-0a1b2c3d4e5f"
ENROLMENT_ID = "1c8d2a1f-3e4b-4d6c-9f0a-1b2c3d4e5f60"
TITLE = {"es": "Conservación preventiva", "pt": "Conservação preventiva", "en": "Preventive conservation"}
RUN = {
    "run_id": "2d9e3b20-4f5c-4e7d-8a1b-2c3d4e5f6071",
    "title": TITLE,
    "sessions": [
        {
            "session_id": "3eaf4c31-5a6d-4f8e-9b2c-3d4e5f607182",
            "starts_at": "2027-03-01T14:00:00+00:00",
            "ends_at": "2027-03-01T16:00:00+00:00",
        },
        {
            "session_id": "4fb05d42-6b7e-4a9f-8c3d-4e5f60718293",
            "starts_at": "2027-03-08T14:00:00+00:00",
            "ends_at": "2027-03-08T16:00:00+00:00",
        },
    ],
    "timezone": "America/Mexico_City",
    "modality": "online",
    "venue": None,
    "language": "es",
    "hours": "20.0",
    "first_starts_at": datetime(2027, 3, 1, 14, tzinfo=UTC),
}
APPLICATION = {"application_id": APPLICATION_ID, "call_year": 2027, "activity_title": "Curso de museografía"}
CALL = {"call_id": "5a0b1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3", "year": 2027, "title": TITLE}
GRANT = {
    "application_id": APPLICATION_ID,
    "call_id": CALL["call_id"],
    "call_year": 2027,
    "application": APPLICATION,
    "call": CALL,
    "run": None,
}
AMOUNT = {"amount": "1800.00", "currency": "USD"}

CONTEXTS: dict[str, dict[str, Any]] = {
    "application_received": {
        **GRANT,
        "activity": {
            "title": "Curso de museografía",
            "organiser": "INAH",
            "host_city": "Ciudad de México",
            "host_country": "MX",
            "starts_on": "2027-05-10",
            "ends_on": "2027-05-21",
        },
        "requested": AMOUNT,
        "submitted_at": "2027-02-01T12:00:00+00:00",
    },
    "application_ineligible": {
        **GRANT,
        "reasons": [
            {
                "code": "residence",
                "explanation": {
                    "es": "Residencia no elegible",
                    "pt": "Residência não elegível",
                    "en": "Residence not eligible",
                },
            }
        ],
    },
    "grant_awarded": {**GRANT, "amount": AMOUNT, "accept_by": "2027-04-01T23:59:00+00:00"},
    "grant_awarded_from_waitlist": {**GRANT, "amount": AMOUNT, "accept_by": "2027-04-01T23:59:00+00:00"},
    "application_rejected": GRANT,
    "application_waitlisted": {**GRANT, "position": 3},
    "waitlist_closed": {**GRANT, "closed_at": "2027-09-30T23:59:00+00:00"},
    "grant_acceptance_confirmed": {**GRANT, "amount": AMOUNT, "report_due_on": "2027-07-31"},
    "report_reminder": {**GRANT, "amount": AMOUNT, "report_due_on": "2027-07-31", "days_before": 14},
    "enrolment_confirmed": {"enrolment_id": ENROLMENT_ID, "run": RUN, "application": None, "call": None},
    "enrolment_promoted": {"enrolment_id": ENROLMENT_ID, "run": RUN, "application": None, "call": None},
    "enrolment_waitlisted": {
        "enrolment_id": ENROLMENT_ID,
        "run": RUN,
        "position": 2,
        "application": None,
        "call": None,
    },
    "run_reminder": {
        "enrolment_id": ENROLMENT_ID,
        "run": RUN,
        "late": False,
        "application": None,
        "call": None,
    },
    "enrolment_cancelled": {
        "enrolment_id": ENROLMENT_ID,
        "run": RUN,
        "was_enrolled": True,
        "application": None,
        "call": None,
    },
    "course_completed": {
        "enrolment_id": ENROLMENT_ID,
        "run": RUN,
        "hours": "20.0",
        "attendance_rate": 0.9,
        "grade": "87.50",
    },
    "course_not_completed": {
        "enrolment_id": ENROLMENT_ID,
        "run": RUN,
        "hours": "0",
        "attendance_rate": 0.4,
        "grade": None,
    },
    "certificate_issued": {
        "certificate_id": "6b1c2d3e-4f5a-4b6c-9d7e-8f90a1b2c3d4",
        "holder_name": "Ana Souza",
        "verification_code": "3THV7-B04MK-SGH5R-1P521-F",
        "verification_url": "https://courses.ibermuseos.example/verify/3THV7-B04MK-SGH5R-1P521-F",
        "title": TITLE,
        "hours": "20.0",
        "completed_on": "2027-03-08",
    },
    "certificate_revoked": {"certificate_id": "6b1c2d3e", "reason": "Error de emisión", "title": TITLE},
    "run_cancelled": {
        "enrolment_id": ENROLMENT_ID,
        "run": RUN,
        "was_enrolled": True,
        "reason": "La sede cerró por obras",
        "application": None,
        "call": None,
    },
    "run_rescheduled": {
        "enrolment_id": ENROLMENT_ID,
        "run": RUN,
        "revision": 1,
        "application": None,
        "call": None,
    },
    "enrolment_lapsed": {"enrolment_id": ENROLMENT_ID, "run": RUN, "application": None, "call": None},
    "call_opened": {
        "call_id": CALL["call_id"],
        "year": 2027,
        "title": TITLE,
        "opens_at": "2027-02-01T12:00:00+00:00",
        "closes_at": "2027-03-31T23:59:00-06:00",
        "call_timezone": "America/Mexico_City",
        "budget": {"amount": "250000.00", "currency": "USD"},
        "max_per_grant": {"amount": "2500.00", "currency": "USD"},
        "eligible_countries": ["BR", "PE", "MX"],
        "country": "BR",
        "call": CALL,
    },
}

ASSIGNED = [
    {"application_id": APPLICATION_ID, "activity_title": "Curso de museografía"},
    {"application_id": "7c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "activity_title": None},
]
PANEL_CONTEXTS: dict[str, dict[str, Any]] = {
    "evaluation_assigned": {
        "round_id": "8d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60",
        "call_id": CALL["call_id"],
        "call_year": 2027,
        "expected": 2,
        "replacing": False,
        "score_by": "2027-05-15T23:59:00+00:00",
        "assignments": ASSIGNED,
        "call": CALL,
        "application": None,
        "run": None,
    },
    "scoring_reminder": {
        "call_id": CALL["call_id"],
        "call_year": 2027,
        "evaluator_id": "ev-es",
        "score_by": "2027-05-15T23:59:00+00:00",
        "assignments": ASSIGNED[:1],
        "call": None,
        "application": None,
        "run": None,
    },
}
CONTEXTS.update(PANEL_CONTEXTS)

LANGUAGES = ["es", "pt-BR", "en"]


def _message(template: str, channel: Channel = Channel.EMAIL) -> Message:
    return Message.from_notice(
        Notice(template, "person-1", TEMPLATES[template], "x", CONTEXTS[template], channels=(channel,)),
        cause_id=uuid.uuid4(),
        cause_type="test",
        language="es",
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )[0]


def test_every_template_has_a_sample_context() -> None:
    assert set(CONTEXTS) == set(TEMPLATES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_renders_in_every_language(template: str, language: str) -> None:
    rendered = TemplateRenderer(LINKS).render(
        template,
        choose_language(language),
        CONTEXTS[template],
        name="Ana Souza",
        timezone="America/Sao_Paulo",
    )
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert rendered.language == language
    assert "Ana Souza" in rendered.text
    assert len(rendered.text) > 150
    assert "None" not in rendered.text
    assert "{{" not in rendered.text
    assert "{%" not in rendered.text
    assert f'<html lang="{language}">' in rendered.html


def test_a_template_missing_a_fact_is_an_error_not_a_blank_mail() -> None:
    context = dict(CONTEXTS["grant_awarded"])
    del context["amount"]
    with pytest.raises(TemplateError, match="amount"):
        TemplateRenderer(LINKS).render(
            "grant_awarded", choose_language("es"), context, name=None, timezone=None
        )


def test_an_unknown_template_is_an_error() -> None:
    with pytest.raises(TemplateError):
        TemplateRenderer(LINKS).render(
            "no_such_template", choose_language("es"), {}, name=None, timezone=None
        )


@pytest.mark.parametrize(
    ("language", "amount", "deadline"),
    [
        ("es", "1800,00\xa0US$", "jueves, 1 de abril de 2027"),
        ("pt-BR", "US$\xa01.800,00", "quinta-feira, 1 de abril de 2027"),
        ("en", "$1,800.00", "Thursday, April 1, 2027"),
    ],
)
def test_amounts_and_dates_are_formatted_for_the_readers_locale(
    language: str, amount: str, deadline: str
) -> None:
    rendered = TemplateRenderer(LINKS).render(
        "grant_awarded",
        choose_language(language),
        CONTEXTS["grant_awarded"],
        name=None,
        timezone="America/Sao_Paulo",
    )
    assert amount.replace("1800", "1.800") in rendered.text or amount in rendered.text
    assert deadline in rendered.text
    assert "20:59" in rendered.text or "8:59\u202fPM" in rendered.text  # 23:59 UTC in São Paulo


def test_the_accept_link_is_in_the_award_and_clickable_in_html() -> None:
    rendered = TemplateRenderer(LINKS).render(
        "grant_awarded", choose_language("en"), CONTEXTS["grant_awarded"], name=None, timezone=None
    )
    link = f"https://portal.example/applications/{APPLICATION_ID}/acceptance"
    assert link in rendered.text
    assert f'<a href="{link}">' in rendered.html


@pytest.mark.parametrize(
    ("published", "link"),
    [
        (
            "https://courses.ibermuseos.example/verify/3THV7-B04MK-SGH5R-1P521-F",
            "https://courses.ibermuseos.example/verify/",
        ),
        (None, "https://portal.example/verify/3THV7-B04MK-SGH5R-1P521-F"),
    ],
)
def test_the_certificate_link_is_the_one_courses_published_else_the_configured_one(
    published: str | None, link: str
) -> None:
    context = {**CONTEXTS["certificate_issued"], "verification_url": published}
    rendered = TemplateRenderer(LINKS).render(
        "certificate_issued", choose_language("en"), context, name=None, timezone=None
    )
    assert link in rendered.text


@pytest.mark.parametrize("template", sorted(WITH_CALENDAR))
def test_run_mails_carry_the_sessions_as_a_calendar_in_the_participants_time_zone(template: str) -> None:
    import icalendar

    composer = MessageComposer(TemplateRenderer(LINKS), "example.org", ORGANIZER)
    composed = composer.compose(
        _message(template),
        CONTEXTS[template],
        choose_language("pt-BR"),
        name=None,
        timezone="America/Sao_Paulo",
    )
    (attachment,) = composed.attachments
    calendar = icalendar.Calendar.from_ical(attachment.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    start = events[0].decoded("dtstart")
    assert str(start.tzinfo) == "America/Sao_Paulo"
    assert start.hour == 11  # 14:00 UTC
    assert events[0]["uid"] == "3eaf4c31-5a6d-4f8e-9b2c-3d4e5f607182@example.org"
    assert str(events[0]["location"]) == "On-line"


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("es", "Recordatorio: Conservación preventiva comienza a las 8:00"),
        ("pt-BR", "Lembrete: Conservação preventiva começa às 11:00"),
        ("en", "Reminder: Preventive conservation starts at 9:00\u202fAM"),
    ],
)
def test_a_late_reminder_says_at_what_time_the_run_starts_not_tomorrow(language: str, subject: str) -> None:
    """14:00 UTC: 8:00 in Mexico City, 11:00 in São Paulo, 9:00 in Lima."""
    zone = {"es": "America/Mexico_City", "pt-BR": "America/Sao_Paulo", "en": "America/Lima"}[language]
    rendered = TemplateRenderer(LINKS).render(
        "run_reminder",
        choose_language(language),
        {**CONTEXTS["run_reminder"], "late": True},
        name=None,
        timezone=zone,
    )
    assert rendered.subject == subject


@pytest.mark.parametrize(("was_enrolled", "attached"), [(True, 1), (False, 0)])
def test_a_cancelled_runs_mail_takes_the_sessions_out_of_the_calendar_of_whoever_had_a_seat(
    was_enrolled: bool, attached: int
) -> None:
    import icalendar

    composer = MessageComposer(TemplateRenderer(LINKS), "example.org", ORGANIZER)
    composed = composer.compose(
        _message("run_cancelled"),
        {**CONTEXTS["run_cancelled"], "was_enrolled": was_enrolled},
        choose_language("es"),
        name=None,
        timezone="America/Lima",
        address="ana@museo.example",
    )
    assert len(composed.attachments) == attached
    assert ("(.ics)" in composed.text) is was_enrolled
    if attached:
        (attachment,) = composed.attachments
        assert attachment.params == {"method": "CANCEL"}
        calendar = icalendar.Calendar.from_ical(attachment.data)
        assert str(calendar["method"]) == "CANCEL"
        assert [str(e["uid"]) for e in calendar.walk("VEVENT")] == [
            f"{s['session_id']}@example.org" for s in RUN["sessions"]
        ]
        assert {str(e["attendee"]) for e in calendar.walk("VEVENT")} == {"mailto:ana@museo.example"}


def test_a_participants_own_cancellation_is_confirmed_without_a_calendar() -> None:
    """A CANCEL would outrank (higher SEQUENCE) the invitation of a later enrolment in the same run."""
    composer = MessageComposer(TemplateRenderer(LINKS), "example.org", ORGANIZER)
    composed = composer.compose(
        _message("enrolment_cancelled"),
        CONTEXTS["enrolment_cancelled"],
        choose_language("pt-BR"),
        name=None,
        timezone=None,
        address="ana@museo.example",
    )
    assert composed.subject == "Inscrição cancelada: Conservação preventiva"
    assert composed.attachments == ()


def test_inbox_messages_carry_no_attachment() -> None:
    composer = MessageComposer(TemplateRenderer(LINKS), "example.org", ORGANIZER)
    composed = composer.compose(
        _message("enrolment_confirmed", Channel.INBOX),
        CONTEXTS["enrolment_confirmed"],
        choose_language("es"),
        name=None,
        timezone=None,
    )
    assert composed.attachments == ()


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_evaluator_is_told_every_application_of_the_round_with_its_link_and_the_deadline(
    language: str,
) -> None:
    rendered = TemplateRenderer(LINKS).render(
        "evaluation_assigned",
        choose_language(language),
        CONTEXTS["evaluation_assigned"],
        name=None,
        timezone=None,
    )
    assert "2" in rendered.subject
    for assignment in ASSIGNED:
        assert f"https://portal.example/evaluations/{assignment['application_id']}" in rendered.text
    assert "Curso de museografía" in rendered.text
    assert {"es": "15 de mayo de 2027", "pt-BR": "15 de maio de 2027", "en": "May 15, 2027"}[
        language
    ] in rendered.text


def test_a_replacement_is_told_as_such_and_a_deadline_less_call_asks_for_soon() -> None:
    context = {
        **CONTEXTS["evaluation_assigned"],
        "replacing": True,
        "score_by": None,
        "assignments": ASSIGNED[:1],
    }
    rendered = TemplateRenderer(LINKS).render(
        "evaluation_assigned", choose_language("en"), context, name="Elena", timezone=None
    )
    assert rendered.subject == "You have a grant application to evaluate"
    assert "Replacing another evaluator" in rendered.text
    assert "as soon as you can" in rendered.text
