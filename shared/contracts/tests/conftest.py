"""Contract instances for the contracts' tests."""

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from ibermuseos_contracts.applications import Activity, Applicant, ApplicationSubmittedV1
from ibermuseos_contracts.common import Institution
from ibermuseos_contracts.types import Money


def _application_submitted(person_id: str = "person-1") -> ApplicationSubmittedV1:
    return ApplicationSubmittedV1(
        application_id=uuid.uuid4(),
        call_id=uuid.uuid4(),
        call_year=2027,
        applicant=Applicant(
            person_id=person_id,
            name="Ana Souza",
            email="ana@example.org",
            preferred_language="pt-BR",
            gender="female",
            role="curator",
            country_of_residence="BR",
        ),
        institution=Institution(name="Museu Nacional", type="museum", city="Rio de Janeiro", country="BR"),
        activity=Activity(
            title="Conservação preventiva",
            organiser="INAH",
            kind="course",
            host_country="MX",
            host_city="Ciudad de México",
            starts_on=date(2027, 3, 1),
            ends_on=date(2027, 3, 10),
            modality="in_person",
        ),
        requested=Money(amount="1500.00", currency="USD"),
        replication_commitment=True,
        submitted_at=datetime.now(UTC),
    )


@pytest.fixture
def application_submitted() -> Callable[..., ApplicationSubmittedV1]:
    """Makes an ApplicationSubmitted of a Brazilian curator, for `person_id`."""
    return _application_submitted
