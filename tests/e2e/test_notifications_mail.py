"""Notifications within the whole platform: what people do over the other services' APIs reaches them as mail.

The notifications service mails a real SMTP server on loopback that this module starts
(its port is in platform_harness.EXTRA_ENV); the mails are asserted as that server received them.
"""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import icalendar
import pytest
from ibermuseos_platform.testing.mail import Inbox, smtp_server
from ibermuseos_platform.testing.waiting import eventually
from platform_harness import EXTRA_ENV, Platform

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def smtp() -> Iterator[Inbox]:
    with smtp_server(int(EXTRA_ENV["notifications"]["NOTIFICATIONS_SMTP__PORT"])) as inbox:
        yield inbox


async def _one_mail(smtp: Inbox, address: str, subject_start: str) -> EmailMessage:
    async def arrived() -> bool:
        return any(str(m["Subject"]).startswith(subject_start) for m in smtp.to(address))

    await eventually(arrived, timeout=60, what=f"the mail '{subject_start}…' to {address}")
    (mail,) = [m for m in smtp.to(address) if str(m["Subject"]).startswith(subject_start)]
    return mail


def _text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def test_an_application_submitted_over_the_applications_api_is_acknowledged_by_mail(
    smtp: Inbox, platform: Platform
) -> None:
    http, applications = platform.http, platform.url("applications")
    now = datetime.now(UTC)
    year = now.year + 1
    coordinator = platform.token(f"coord-{uuid.uuid4().hex[:6]}", "coordinator", country="MX")
    subject = f"ana-{uuid.uuid4().hex[:6]}"
    address = f"{subject}@museu.example"
    applicant = platform.token(subject, "participant", country="BR", name="Ana Souza", email=address)
    title = {"es": "Becas de formación", "pt": "Bolsas de formação", "en": "Training grants"}
    drafted = await http.post(
        f"{applications}/calls",
        json={
            "year": year,
            "title": title,
            "rules": {"es": "Bases", "pt": "Regras", "en": "Rules"},
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=30)).isoformat(),
            "timezone": "America/Mexico_City",
            "currency": "USD",
            "budget": "50000.00",
            "max_per_grant": "2000.00",
            "eligible_residence_countries": ["BR"],
            "eligible_host_countries": ["MX"],
            "eligible_activity_kinds": ["course"],
            "activities_from": f"{year}-01-01",
            "activities_until": f"{year}-12-31",
            "criteria": [{"id": "relevance", "name": title, "weight": "1"}],
            "evaluators_per_application": 1,
        },
        headers=coordinator,
    )
    assert drafted.status_code == 201, drafted.text
    call_id = drafted.json()["id"]
    assert (
        await http.post(f"{applications}/calls/{call_id}/publish", headers=coordinator)
    ).status_code == 200
    draft = await http.post(
        f"{applications}/calls/{call_id}/applications",
        json={
            "applicant": {
                "preferred_language": "pt-BR",
                "role": "Conservadora",
                "country_of_residence": "BR",
            },
            "institution": {
                "name": "Museu Nacional",
                "type": "museum",
                "city": "Rio de Janeiro",
                "country": "BR",
            },
            "activity": {
                "title": "Conservação preventiva",
                "organiser": "INAH",
                "kind": "course",
                "host_country": "MX",
                "host_city": "Ciudad de México",
                "starts_on": f"{year}-05-10",
                "ends_on": f"{year}-05-21",
                "modality": "in_person",
            },
            "budget": {"travel": "1800.00"},
            "motivation": "Levar a conservação preventiva ao acervo.",
            "replication_commitment": True,
        },
        headers=applicant,
    )
    assert draft.status_code == 201, draft.text
    application_id = draft.json()["id"]
    submitted = await http.post(f"{applications}/applications/{application_id}/submit", headers=applicant)
    assert submitted.status_code == 200, submitted.text

    mail = await _one_mail(smtp, address, f"Recebemos sua candidatura à bolsa ({year})")
    assert mail["To"].addresses[0].display_name == "Ana Souza"
    assert mail["Content-Language"] == "pt-BR"
    text = _text(mail)
    assert text.startswith("Olá, Ana Souza,")
    assert "Conservação preventiva" in text
    assert "US$\xa01.800,00" in text
    assert f"/applications/{application_id}" in text
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert f'/applications/{application_id}"' in str(html.get_content())


async def test_an_enrolment_over_the_courses_api_is_confirmed_by_mail_with_a_valid_calendar(
    smtp: Inbox, platform: Platform
) -> None:
    http, courses = platform.http, platform.url("courses")
    coordinator = platform.token(f"coord-{uuid.uuid4().hex[:6]}", "coordinator", country="MX")
    text = {"es": "Museos y memoria", "pt": "Museus e memória", "en": "Museums and memory"}
    offering = await http.post(
        f"{courses}/offerings",
        json={
            "kind": "mini_course",
            "title": text,
            "description": text,
            "subject_area": "research",
            "hours": "6",
            "publish": True,
        },
        headers=coordinator,
    )
    assert offering.status_code == 201, offering.text
    now = datetime.now(UTC).replace(microsecond=0)
    sessions = [
        (now + timedelta(days=5), now + timedelta(days=5, hours=3)),
        (now + timedelta(days=12), now + timedelta(days=12, hours=3)),
    ]
    run = await http.post(
        f"{courses}/runs",
        json={
            "offering_id": offering.json()["id"],
            "sessions": [{"starts_at": s.isoformat(), "ends_at": e.isoformat()} for s, e in sessions],
            "timezone": "America/Mexico_City",
            "modality": "online",
            "language": "es",
            "capacity": 50,
            "enrolment_opens_at": now.isoformat(),
            "enrolment_closes_at": (now + timedelta(days=4)).isoformat(),
        },
        headers=coordinator,
    )
    assert run.status_code == 201, run.text
    subject = f"joana-{uuid.uuid4().hex[:6]}"
    address = f"{subject}@museu.example"
    participant = platform.token(subject, "participant", country="PT", name="Joana Silva", email=address)
    enrolled = await http.post(
        f"{courses}/runs/{run.json()['id']}/enrolments",
        json={
            "preferred_language": "en",
            "timezone": "Europe/Lisbon",
            "country": "PT",
            "institution": {"name": "Museu do Oriente", "type": "museum", "city": "Lisboa", "country": "PT"},
        },
        headers=participant,
    )
    assert enrolled.status_code == 201, enrolled.text

    mail = await _one_mail(smtp, address, "Enrolment confirmed: Museums and memory")
    assert mail["Content-Language"] == "en"
    assert _text(mail).startswith("Dear Joana Silva,")
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    assert str(calendar["version"]) == "2.0"
    events = sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))
    assert [(e.decoded("dtstart"), e.decoded("dtend")) for e in events] == sessions
    assert {str(e.decoded("dtstart").tzinfo) for e in events} == {"Europe/Lisbon"}
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Lisbon"]
    assert all(str(e["summary"]).startswith("Museums and memory") for e in events)
    assert len({str(e["uid"]) for e in events}) == 2
