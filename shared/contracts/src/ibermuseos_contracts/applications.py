"""Events of the applications service: the Training Grants calls and applications."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints

from .base import Event
from .topics import Topic
from .types import (
    PERSONAL,
    CountryCode,
    LanguageTag,
    Money,
    PersonalEmail,
    PersonalText,
    PersonId,
)

CALL = Topic("applications", "call")
APPLICATION = Topic("applications", "application")

Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    OTHER = "other"


class InstitutionType(StrEnum):
    MUSEUM = "museum"
    GOVERNMENT = "government"
    UNIVERSITY = "university"
    CULTURAL_CENTRE = "cultural_centre"
    NGO = "ngo"
    OTHER = "other"


class ActivityKind(StrEnum):
    COURSE = "course"
    SEMINAR = "seminar"
    WORKSHOP = "workshop"
    CONGRESS = "congress"
    OTHER = "other"


class Modality(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Applicant(_Part):
    """The person applying. Name, e-mail and language travel only on the private topic."""

    person_id: PersonId
    name: Annotated[PersonalText, StringConstraints(min_length=1, max_length=300)]
    email: PersonalEmail
    preferred_language: Annotated[LanguageTag, PERSONAL]
    gender: Gender | None = None
    role: Name
    country_of_residence: CountryCode


class Institution(_Part):
    """The institution the applicant works for, as they wrote it."""

    name: Name
    type: InstitutionType
    city: Name
    country: CountryCode


class Activity(_Part):
    """The training activity the grant would fund the applicant to attend."""

    title: Name
    organiser: Name
    kind: ActivityKind
    host_country: CountryCode
    host_city: Name
    starts_on: date
    ends_on: date
    modality: Modality


class ApplicationSubmittedV1(Event, topic=APPLICATION, subject="application_id"):
    """An applicant submitted their application to a grant call."""

    application_id: UUID
    call_id: UUID
    call_year: int
    applicant: Applicant
    institution: Institution
    activity: Activity
    requested: Money
    replication_commitment: bool
    submitted_at: datetime
