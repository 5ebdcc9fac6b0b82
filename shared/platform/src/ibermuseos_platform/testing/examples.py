"""Parts of events as the services publish them, for the tests of the services that read them."""

from datetime import date

from ibermuseos_contracts.applications import Activity, ActivityKind
from ibermuseos_contracts.common import Modality

COURSE_IN_MEXICO = Activity(
    title="Curso de museografía",
    organiser="INAH",
    kind=ActivityKind.COURSE,
    host_country="MX",
    host_city="Ciudad de México",
    starts_on=date(2027, 5, 10),
    ends_on=date(2027, 5, 21),
    modality=Modality.IN_PERSON,
)
"""What a grant pays for: a two-week course of the INAH in Mexico City, in May 2027."""
