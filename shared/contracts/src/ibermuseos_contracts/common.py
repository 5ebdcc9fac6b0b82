"""Parts that events of several services share: people's public profile, institutions, modalities."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from .types import CountryCode

Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class Part(BaseModel):
    """A value inside an event: frozen, and tolerant of fields added by newer writers."""

    model_config = ConfigDict(frozen=True, extra="ignore")


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


class Modality(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Institution(Part):
    """An institution as a person wrote it; reporting matches spellings of the same one."""

    name: Name
    type: InstitutionType
    city: Name
    country: CountryCode
