"""Fixtures of the reporting tests: the public events reporting reads, built from the real contracts."""

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ibermuseos_contracts import Envelope, Event, Pseudonymiser, encode, to_public
from ibermuseos_contracts.applications import (
    ActivityKind,
    Applicant,
    ApplicationDeclaredEligibleV1,
    ApplicationDeclaredIneligibleV1,
    ApplicationRejectedV1,
    ApplicationSubmittedV1,
    ApplicationWaitlistedV1,
    ApplicationWithdrawnV1,
    CallOpenedV1,
    GrantAcceptedV1,
    GrantAwardedV1,
    GrantDeclinedV1,
    GrantReportSubmittedV1,
    Reason,
    ReplicationActivity,
)
from ibermuseos_contracts.common import Gender, Institution, InstitutionType
from ibermuseos_contracts.courses import (
    CertificateIssuedV1,
    CertificateRevokedV1,
    CourseCompletedV1,
    CoursePublishedV1,
    EnrolmentCancelledV1,
    OfferingKind,
    Outcome,
    Participant,
    ParticipantEnrolledV1,
    ParticipantProfile,
)
from ibermuseos_contracts.types import Localized, Money
from ibermuseos_platform.testing.examples import COURSE_IN_MEXICO

PSEUDONYM_KEY = b"dev-only-pseudonym-key-change-me"
"""The development key the services use in tests: events produced here match theirs."""


@dataclass(frozen=True)
class Published:
    """One event as reporting sees it: its public twin, its envelope and the record to put on Kafka."""

    private: Event
    public: Any
    envelope: Envelope

    @property
    def type(self) -> str:
        return self.envelope.type

    @property
    def time(self) -> datetime:
        return self.envelope.time

    @property
    def topic(self) -> str:
        return type(self.private).topic.public

    @property
    def key(self) -> bytes:
        return self.private.subject.encode()

    @property
    def value(self) -> bytes:
        return encode(self.public)

    @property
    def headers(self) -> list[tuple[str, bytes]]:
        return self.envelope.to_headers()


def text(value: str) -> Localized:
    return Localized(es=value, pt=value, en=value)


class Events:
    """Builds contract events, publicised with the test pseudonym key, at a clock that moves forward."""

    def __init__(self) -> None:
        self.pseudonymise = Pseudonymiser(PSEUDONYM_KEY)
        self.clock = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def person(self, subject: str) -> str:
        """The pseudonymous id reporting sees for a person."""
        return self.pseudonymise(subject)

    def _publish(self, event: Event) -> Published:
        envelope = Envelope.for_event(event)
        return Published(event, to_public(event, self.pseudonymise), envelope)

    @staticmethod
    def institution(name: str, city: str, country: str, kind: str = "museum") -> Institution:
        return Institution(name=name, type=InstitutionType(kind), city=city, country=country)

    # ------------------------------------------------------------------ applications

    def call_opened(self, call_id: uuid.UUID, year: int, title: str = "Becas") -> Published:
        now = self.now()
        return self._publish(
            CallOpenedV1(
                call_id=call_id,
                year=year,
                title=text(title),
                rules=text("rules"),
                opens_at=now,
                closes_at=now + timedelta(days=30),
                timezone="America/Mexico_City",
                budget=Money(amount=Decimal("100000"), currency="USD"),
                max_per_grant=Money(amount=Decimal("3000"), currency="USD"),
                eligible_residence_countries=[],
                eligible_host_countries=[],
                eligible_activity_kinds=[ActivityKind.COURSE],
            )
        )

    def submitted(
        self,
        application_id: uuid.UUID,
        call_id: uuid.UUID,
        person: str,
        *,
        country: str,
        institution: Institution,
        year: int = 2027,
        gender: str | None = None,
        amount: str = "1800.00",
    ) -> Published:
        return self._publish(
            ApplicationSubmittedV1(
                application_id=application_id,
                call_id=call_id,
                call_year=year,
                applicant=Applicant(
                    person_id=person,
                    name=f"Name of {person}",
                    email=f"{person}@museo.example",
                    preferred_language="es",
                    gender=Gender(gender) if gender else None,
                    role="Conservadora",
                    country_of_residence=country,
                ),
                institution=institution,
                activity=COURSE_IN_MEXICO,
                requested=Money(amount=Decimal(amount), currency="USD"),
                replication_commitment=True,
                submitted_at=self.now(),
            )
        )

    def eligible(self, application_id: uuid.UUID, call_id: uuid.UUID, person: str) -> Published:
        return self._publish(
            ApplicationDeclaredEligibleV1(
                application_id=application_id, call_id=call_id, applicant_id=person, declared_at=self.now()
            )
        )

    def ineligible(self, application_id: uuid.UUID, call_id: uuid.UUID, person: str) -> Published:
        return self._publish(
            ApplicationDeclaredIneligibleV1(
                application_id=application_id,
                call_id=call_id,
                applicant_id=person,
                reasons=[Reason(code="late", explanation=text("late"))],
                declared_at=self.now(),
            )
        )

    def withdrawn(self, application_id: uuid.UUID, call_id: uuid.UUID, person: str) -> Published:
        return self._publish(
            ApplicationWithdrawnV1(
                application_id=application_id, call_id=call_id, applicant_id=person, withdrawn_at=self.now()
            )
        )

    def waitlisted(self, application_id: uuid.UUID, call_id: uuid.UUID, person: str) -> Published:
        return self._publish(
            ApplicationWaitlistedV1(
                application_id=application_id,
                call_id=call_id,
                applicant_id=person,
                position=1,
                waitlisted_at=self.now(),
            )
        )

    def rejected(self, application_id: uuid.UUID, call_id: uuid.UUID, person: str) -> Published:
        return self._publish(
            ApplicationRejectedV1(
                application_id=application_id, call_id=call_id, applicant_id=person, rejected_at=self.now()
            )
        )

    def awarded(
        self, application_id: uuid.UUID, call_id: uuid.UUID, person: str, amount: str, year: int = 2027
    ) -> Published:
        now = self.now()
        return self._publish(
            GrantAwardedV1(
                application_id=application_id,
                call_id=call_id,
                call_year=year,
                applicant_id=person,
                amount=Money(amount=Decimal(amount), currency="USD"),
                accept_by=now + timedelta(days=10),
                awarded_at=now,
            )
        )

    def accepted(
        self, application_id: uuid.UUID, call_id: uuid.UUID, person: str, amount: str, year: int = 2027
    ) -> Published:
        return self._publish(
            GrantAcceptedV1(
                application_id=application_id,
                call_id=call_id,
                call_year=year,
                applicant_id=person,
                amount=Money(amount=Decimal(amount), currency="USD"),
                report_due_on=date(2027, 12, 1),
                accepted_at=self.now(),
            )
        )

    def declined(self, application_id: uuid.UUID, call_id: uuid.UUID, person: str, amount: str) -> Published:
        return self._publish(
            GrantDeclinedV1(
                application_id=application_id,
                call_id=call_id,
                applicant_id=person,
                amount=Money(amount=Decimal(amount), currency="USD"),
                declined_at=self.now(),
            )
        )

    def report(
        self,
        application_id: uuid.UUID,
        call_id: uuid.UUID,
        person: str,
        institutions: list[Institution],
        year: int = 2027,
    ) -> Published:
        return self._publish(
            GrantReportSubmittedV1(
                application_id=application_id,
                call_id=call_id,
                call_year=year,
                applicant_id=person,
                attended=True,
                learned="A lot about conservation.",
                replications=[
                    ReplicationActivity(
                        held_on=date(2027, 9, 1), colleagues_trained=12, institutions=institutions
                    )
                ],
                submitted_at=self.now(),
            )
        )

    # ----------------------------------------------------------------------- courses

    def course_published(self, offering_id: uuid.UUID, kind: str, title: str, hours: str = "20") -> Published:
        return self._publish(
            CoursePublishedV1(
                offering_id=offering_id,
                kind=OfferingKind(kind),
                title=text(title),
                description=text("description"),
                subject_area="conservation",
                hours=Decimal(hours),
                certificate=kind != "conversatorio",
                published_at=self.now(),
            )
        )

    def enrolled(
        self,
        enrolment_id: uuid.UUID,
        offering_id: uuid.UUID,
        person: str,
        *,
        kind: str,
        country: str,
        institution: Institution,
        gender: str | None = None,
        run_id: uuid.UUID | None = None,
    ) -> Published:
        return self._publish(
            ParticipantEnrolledV1(
                enrolment_id=enrolment_id,
                run_id=run_id or uuid.uuid5(offering_id, "run"),
                offering_id=offering_id,
                kind=OfferingKind(kind),
                participant=Participant(
                    person_id=person,
                    name=f"Name of {person}",
                    email=f"{person}@museo.example",
                    preferred_language="es",
                    gender=Gender(gender) if gender else None,
                    country=country,
                    institution=institution,
                ),
                enrolled_at=self.now(),
            )
        )

    def completed(
        self,
        enrolment_id: uuid.UUID,
        offering_id: uuid.UUID,
        person: str,
        *,
        kind: str,
        country: str,
        institution: Institution,
        outcome: str = "completed",
        year: int = 2027,
        hours: str = "20",
        gender: str | None = None,
        run_id: uuid.UUID | None = None,
    ) -> Published:
        return self._publish(
            CourseCompletedV1(
                enrolment_id=enrolment_id,
                run_id=run_id or uuid.uuid5(offering_id, "run"),
                offering_id=offering_id,
                kind=OfferingKind(kind),
                subject_area="conservation",
                year=year,
                participant=ParticipantProfile(
                    person_id=person,
                    gender=Gender(gender) if gender else None,
                    country=country,
                    institution=institution,
                ),
                outcome=Outcome(outcome),
                hours=Decimal(hours) if outcome == "completed" else Decimal(0),
                attendance_rate=0.9 if outcome == "completed" else 0.3,
                evaluated_at=self.now(),
            )
        )

    def cancelled(self, enrolment_id: uuid.UUID, person: str, run_id: uuid.UUID) -> Published:
        return self._publish(
            EnrolmentCancelledV1(
                enrolment_id=enrolment_id,
                run_id=run_id,
                person_id=person,
                was_enrolled=True,
                cancelled_at=self.now(),
            )
        )

    def certificate(
        self,
        certificate_id: uuid.UUID,
        enrolment_id: uuid.UUID,
        offering_id: uuid.UUID,
        person: str,
        hours: str,
    ) -> Published:
        return self._publish(
            CertificateIssuedV1(
                certificate_id=certificate_id,
                enrolment_id=enrolment_id,
                run_id=uuid.uuid5(offering_id, "run"),
                offering_id=offering_id,
                kind=OfferingKind.TRAINING_COURSE,
                person_id=person,
                holder_name=f"Name of {person}",
                verification_code="ABCDEFGH1234",
                title=text("Certificado"),
                hours=Decimal(hours),
                completed_on=date(2027, 6, 1),
                issued_at=self.now(),
            )
        )

    def revoked(self, certificate_id: uuid.UUID, person: str) -> Published:
        return self._publish(
            CertificateRevokedV1(
                certificate_id=certificate_id,
                person_id=person,
                reason="issued by mistake",
                revoked_at=self.now(),
            )
        )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The narrowest ranges the disclosure adversary found, said at the end of the session."""
    from reporting_adversary import FINDINGS

    if FINDINGS:
        terminalreporter.section("reporting: the disclosure adversary")
        for line in FINDINGS:
            terminalreporter.write_line(line)


@pytest.fixture
def events() -> Events:
    return Events()


@dataclass
class Scenario:
    """A small program, every figure of which is worked out by hand below."""

    published: list[Published]
    people: dict[str, str]
    """name → pseudonymous id"""
    call_id: uuid.UUID
    offerings: dict[str, uuid.UUID]


def build_scenario(events: Events) -> Scenario:
    """Ana takes part in three programs; Carla fails her course and declines her grant; Elena's only
    certificate is revoked; Diego's replication reaches two institutions no beneficiary came from."""
    e = events
    mna_full = e.institution("Museo Nacional de Antropología", "Ciudad de México", "MX")
    mna_caps = e.institution("MUSEO NACIONAL DE ANTROPOLOGIA", "Ciudad de Mexico", "MX")
    mna_abbr = e.institution("MNA", "Ciudad de México", "MX")
    mali = e.institution("Museo de Arte de Lima", "Lima", "PE")
    mali_abbr = e.institution("M.A.L.I.", "Lima", "PE")
    mnba_cl = e.institution("MNBA", "Santiago", "CL")
    museu = e.institution("Museu Nacional", "Rio de Janeiro", "BR")
    ica = e.institution("Museo Regional de Ica", "Ica", "PE")
    cusco = e.institution("Casa de la Cultura de Cusco", "Cusco", "PE", "cultural_centre")

    call = uuid.uuid4()
    tc, mc, cv = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    a1, a2, a3, a4 = (uuid.uuid4() for _ in range(4))
    subjects = ["ana", "bruno", "carla", "diego", "elena", "fabio", "gabi", "hugo", "ivan", "julia"]
    tag = uuid.uuid4().hex[:6]
    subject = {name: f"{name}-{tag}" for name in subjects}
    p = subject
    published: list[Published] = [
        e.call_opened(call, 2027, "Becas 2027"),
        e.course_published(tc, "training_course", "Conservación preventiva", "40"),
        e.course_published(mc, "mini_course", "Gestión de colecciones", "10"),
        e.course_published(cv, "conversatorio", "El futuro de los museos", "2"),
    ]

    def course(
        name: str, offering: uuid.UUID, kind: str, country: str, place: Institution, **kw: Any
    ) -> uuid.UUID:
        enrolment = uuid.uuid4()
        published.append(
            e.enrolled(enrolment, offering, p[name], kind=kind, country=country, institution=place)
        )
        published.append(
            e.completed(enrolment, offering, p[name], kind=kind, country=country, institution=place, **kw)
        )
        return enrolment

    # Ana: training course, conversatorio and a grant: one beneficiary.
    course("ana", tc, "training_course", "MX", mna_full, gender="female", hours="40")
    course("ana", cv, "conversatorio", "MX", mna_full, gender="female", hours="2")
    published += [
        e.submitted(
            a1, call, p["ana"], country="MX", institution=mna_full, gender="female", amount="2000.00"
        ),
        e.eligible(a1, call, p["ana"]),
        e.awarded(a1, call, p["ana"], "2000.00"),
        e.accepted(a1, call, p["ana"], "2000.00"),
    ]
    course("bruno", mc, "mini_course", "MX", mna_caps, gender="male", hours="10")
    # Carla: did not complete, and declined her grant.
    course("carla", tc, "training_course", "MX", mna_abbr, gender="female", outcome="not_completed")
    published += [
        e.submitted(a2, call, p["carla"], country="MX", institution=mna_abbr, gender="female"),
        e.eligible(a2, call, p["carla"]),
        e.awarded(a2, call, p["carla"], "1800.00"),
        e.declined(a2, call, p["carla"], "1800.00"),
    ]
    # Diego: a grant, and a replication reaching MALI again (two spellings) and two new institutions.
    published += [
        e.submitted(a3, call, p["diego"], country="PE", institution=mali, gender="male", amount="1500.00"),
        e.eligible(a3, call, p["diego"]),
        e.awarded(a3, call, p["diego"], "1500.00"),
        e.accepted(a3, call, p["diego"], "1500.00"),
        e.report(a3, call, p["diego"], [mali, mali_abbr, ica, cusco]),
    ]
    # Elena: completed in 2026, but her only certificate was revoked.
    elena = course("elena", tc, "training_course", "CL", mnba_cl, gender="female", hours="40", year=2026)
    certificate = uuid.uuid4()
    published += [e.certificate(certificate, elena, tc, p["elena"], "40"), e.revoked(certificate, p["elena"])]
    course("fabio", cv, "conversatorio", "CL", mnba_cl, hours="2", year=2026)
    published += [
        e.submitted(a4, call, p["gabi"], country="PE", institution=mali, gender="female"),
        e.ineligible(a4, call, p["gabi"]),
    ]
    hugo = course("hugo", tc, "training_course", "MX", mna_abbr, gender="male", hours="40")
    published.append(e.certificate(uuid.uuid4(), hugo, tc, p["hugo"], "40"))
    course("ivan", mc, "mini_course", "BR", museu, gender="male", hours="10")
    julia = uuid.uuid4()
    published += [
        e.enrolled(julia, mc, p["julia"], kind="mini_course", country="BR", institution=museu),
        e.cancelled(julia, p["julia"], uuid.uuid5(mc, "run")),
    ]
    return Scenario(
        published,
        {name: e.person(value) for name, value in subject.items()},
        call,
        {"training_course": tc, "mini_course": mc, "conversatorio": cv},
    )


EXPECTED_EXACT = {
    "beneficiaries": 6,
    "by_country": {"MX": 3, "PE": 1, "CL": 1, "BR": 1},
    "by_program": {"training_courses": 2, "conversatorios": 2, "mini_courses": 2, "training_grants": 2},
    "by_year": {"2027": 5, "2026": 1},
    "by_gender": {"male": 4, "female": 1, "not_given": 1},
    "institutions": {"total": 6, "direct": 4, "through_replication_only": 2},
    "institutions_by_country": {"MX": 1, "PE": 3, "CL": 1, "BR": 1},
    "grants": {
        "applications": 4,
        "eligible": 3,
        "ineligible": 1,
        "withdrawn": 0,
        "awarded": 3,
        "waitlisted": 0,
        "rejected": 0,
        "accepted": 2,
        "declined": 1,
        "reports": 1,
        "net_awarded": 2,
        "on_waitlist": 0,
        "amount_awarded": {"USD": "5300.00"},
        "amount_accepted": {"USD": "3500.00"},
        "amount_net_awarded": {"USD": "3500.00"},
    },
    "courses": {
        "Conservación preventiva": {
            "enrolments": 4,
            "evaluated": 4,
            "completed": 3,
            "completion_rate": 0.75,
            "certificates": 1,
            "hours_certified": "40",
            "cancellations": 0,
        },
        "Gestión de colecciones": {
            "enrolments": 3,
            "evaluated": 2,
            "completed": 2,
            "completion_rate": 1.0,
            "certificates": 0,
            "hours_certified": "0",
            "cancellations": 1,
        },
        "El futuro de los museos": {
            "enrolments": 2,
            "evaluated": 2,
            "completed": 2,
            "completion_rate": 1.0,
            "certificates": 0,
            "hours_certified": "0",
            "cancellations": 0,
        },
    },
    "applications_by_country": {"MX": 2, "PE": 2},
}
"""Worked out by hand: beneficiaries are Ana (3 programs), Bruno, Diego, Fabio, Hugo and Ivan; Carla did not
complete and declined, Elena's certificate was revoked, Gabi was ineligible, Julia cancelled. Institutions:
MNA (three spellings and the abbreviation), MALI, MNBA of Santiago and the Museu Nacional directly; Ica and
Cusco only through Diego's replication (MALI, written twice there, was reached directly already)."""


@pytest.fixture
def scenario(events: Events) -> Scenario:
    return build_scenario(events)


@pytest.fixture
def expected() -> dict[str, Any]:
    return EXPECTED_EXACT


@pytest.fixture
def new_scenario() -> Callable[[], Scenario]:
    """Another scenario each time it is called: new ids, and so new draws of the rounding."""
    return lambda: build_scenario(Events())


@pytest.fixture(scope="module")
def module_scenario() -> Scenario:
    """A scenario shared by the tests of one module (for tests of a running service)."""
    return build_scenario(Events())


@dataclass
class Program:
    """A program of some size, generated: hundreds of people in ten countries over three years."""

    published: list[Published]
    years: list[int]


COUNTRY_PEOPLE = {
    "MX": 46,
    "BR": 38,
    "CO": 27,
    "AR": 22,
    "PE": 19,
    "CL": 14,
    "ES": 11,
    "PT": 8,
    "UY": 6,
    "CR": 3,
}
"""People who took courses, per country: Costa Rica's three are a small cell, Uruguay's six protect it."""
OFFERINGS = [
    ("training_course", "Conservación preventiva", "40"),
    ("training_course", "Gestión de riesgos", "30"),
    ("mini_course", "Documentación de colecciones", "10"),
    ("mini_course", "Museos y comunidades", "8"),
    ("conversatorio", "El futuro de los museos", "2"),
    ("conversatorio", "Museos y memoria", "2"),
]


def build_program(events: Events, seed: int = 15) -> Program:
    """Courses of each kind run every year, three yearly grant calls through award, acceptance and report."""
    e, rng = events, random.Random(seed)
    years = [2025, 2026, 2027]
    published: list[Published] = []
    places = {
        country: [
            e.institution(
                f"Museo {kind} {n}", f"Ciudad {n}", country, rng.choice(["museum", "museum", "university"])
            )
            for n, kind in enumerate(["Nacional", "de Arte", "Regional", "de Historia"][: 1 + people // 12])
        ]
        for country, people in COUNTRY_PEOPLE.items()
    }
    people: list[tuple[str, str, Institution, str | None]] = []
    for country, count in COUNTRY_PEOPLE.items():
        for n in range(count):
            gender = rng.choices(["female", "male", "non_binary", None], [60, 34, 2, 4])[0]
            people.append((f"{country.lower()}-{n}-{seed}", country, rng.choice(places[country]), gender))
    offerings = [(uuid.uuid4(), kind, title, hours) for kind, title, hours in OFFERINGS]
    published += [e.course_published(o, kind, title, hours) for o, kind, title, hours in offerings]
    for person, country, place, gender in people:
        for _ in range(rng.choices([1, 2, 3], [70, 25, 5])[0]):
            offering, kind, _, hours = rng.choice(offerings)
            year = rng.choices(years, [25, 35, 40])[0]
            run = uuid.uuid5(offering, f"run-{year}")
            enrolment = uuid.uuid4()
            published.append(
                e.enrolled(
                    enrolment, offering, person, kind=kind, country=country, institution=place, run_id=run
                )
            )
            if rng.random() < 0.05:
                published.append(e.cancelled(enrolment, person, run))
                continue
            if year == years[-1] and rng.random() < 0.1:
                continue  # still running: not evaluated yet
            completed = rng.random() < {"training_course": 0.75, "mini_course": 0.85}.get(kind, 0.9)
            published.append(
                e.completed(
                    enrolment,
                    offering,
                    person,
                    kind=kind,
                    country=country,
                    institution=place,
                    outcome="completed" if completed else "not_completed",
                    year=year,
                    hours=hours,
                    gender=gender,
                    run_id=run,
                )
            )
            if completed and kind != "conversatorio":
                published.append(e.certificate(uuid.uuid4(), enrolment, offering, person, hours))
    for year in years:
        call = uuid.uuid4()
        published.append(e.call_opened(call, year, f"Becas {year}"))
        for person, country, place, gender in rng.sample(people, 30):
            application, amount = uuid.uuid4(), f"{rng.randrange(12, 31) * 100}.00"
            published.append(
                e.submitted(
                    application,
                    call,
                    person,
                    country=country,
                    institution=place,
                    year=year,
                    gender=gender,
                    amount=amount,
                )
            )
            if rng.random() < 0.15:
                published.append(e.ineligible(application, call, person))
                continue
            published.append(e.eligible(application, call, person))
            if rng.random() > 0.45:
                continue
            published.append(e.awarded(application, call, person, amount, year))
            if rng.random() < 0.15:
                published.append(e.declined(application, call, person, amount))
                continue
            published.append(e.accepted(application, call, person, amount, year))
            if year < years[-1] or rng.random() < 0.5:
                reached = [
                    e.institution(
                        f"Casa de la Cultura {rng.randrange(40)}", f"Pueblo {n}", country, "cultural_centre"
                    )
                    for n in range(rng.randrange(1, 4))
                ]
                published.append(e.report(application, call, person, [place, *reached], year))
    return Program(published, years)


@pytest.fixture(scope="module")
def module_program() -> Program:
    """A generated program shared by the tests of one module."""
    return build_program(Events())
