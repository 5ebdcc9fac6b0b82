"""What an applicant writes: a draft form that may be incomplete, and the checks that make it a submission."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Self

from ibermuseos_contracts.applications import Activity, ActivityKind, Applicant
from ibermuseos_contracts.common import Gender, Institution, InstitutionType, Modality
from ibermuseos_contracts.types import CountryCode
from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, StringConstraints

from .calls import CallTerms
from .errors import Issue
from .values import Amount, DocumentKind, LongText, ShortText

ProgramLanguageTag = Annotated[
    str,
    StringConstraints(pattern=r"^(es|pt|en)(-[A-Z]{2})?$"),
    Field(description="es, pt or en, optionally with a region (pt-BR): the program's three languages"),
]

BUDGET_LINES = ("travel", "registration", "lodging", "subsistence")


class Section(BaseModel):
    """A part of the form; in a draft any field may still be empty."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def merged(self, patch: Self) -> Self:
        """This section with the fields `patch` sets (explicit nulls clear a field)."""
        return self.model_copy(update={name: getattr(patch, name) for name in patch.model_fields_set})

    def missing(self, prefix: str, *, optional: tuple[str, ...] = ()) -> list[Issue]:
        return [
            Issue(f"{prefix}.{name}", "is required")
            for name in type(self).model_fields
            if name not in optional and getattr(self, name) is None
        ]


class ApplicantForm(Section):
    name: ShortText | None = None
    email: EmailStr | None = None
    preferred_language: ProgramLanguageTag | None = None
    gender: Gender | None = Field(default=None, description="Only if the applicant wishes to say")
    role: ShortText | None = Field(default=None, description="The applicant's job at their institution")
    country_of_residence: CountryCode | None = None


class InstitutionForm(Section):
    name: ShortText | None = None
    type: InstitutionType | None = None
    city: ShortText | None = None
    country: CountryCode | None = None


class ActivityForm(Section):
    title: ShortText | None = None
    organiser: ShortText | None = None
    kind: ActivityKind | None = None
    host_country: CountryCode | None = None
    host_city: ShortText | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    modality: Modality | None = None
    link: HttpUrl | None = None


class BudgetForm(Section):
    """The requested amounts by line, in the call's currency."""

    travel: Amount | None = None
    registration: Amount | None = None
    lodging: Amount | None = None
    subsistence: Amount | None = None

    @property
    def total(self) -> Decimal:
        return sum((getattr(self, line) or Decimal(0) for line in BUDGET_LINES), Decimal(0))


class FormPatch(BaseModel):
    """Changes to a draft: sections given are merged field by field into the form."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    applicant: ApplicantForm | None = None
    institution: InstitutionForm | None = None
    activity: ActivityForm | None = None
    budget: BudgetForm | None = None
    motivation: LongText | None = None
    replication_commitment: bool | None = Field(
        default=None, description="Whether the applicant commits to replicate what they learn at home"
    )


class Form(BaseModel):
    """The whole application form as the applicant has filled it so far."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    applicant: ApplicantForm = ApplicantForm()
    institution: InstitutionForm = InstitutionForm()
    activity: ActivityForm = ActivityForm()
    budget: BudgetForm = BudgetForm()
    motivation: LongText | None = None
    replication_commitment: bool | None = None

    def merged(self, patch: FormPatch) -> "Form":
        update: dict[str, Any] = {}
        for name in patch.model_fields_set:
            value = getattr(patch, name)
            current = getattr(self, name)
            update[name] = current.merged(value) if isinstance(current, Section) and value else value
        return self.model_copy(update=update)

    def inconsistencies(self) -> list[Issue]:
        """Contradictions that are wrong even in a draft."""
        activity = self.activity
        if activity.starts_on and activity.ends_on and activity.ends_on < activity.starts_on:
            return [Issue("activity.ends_on", "the activity ends before it starts")]
        return []

    def issues(self, terms: CallTerms, documents: list[DocumentKind]) -> list[Issue]:
        """Everything that keeps the form from being submitted, all at once."""
        issues = self.applicant.missing("applicant", optional=("gender",))
        issues += self.institution.missing("institution")
        issues += self.activity.missing("activity", optional=("link",))
        issues += self.inconsistencies()
        if self.budget.total <= 0:
            issues.append(Issue("budget", "request an amount in at least one line"))
        if self.motivation is None:
            issues.append(Issue("motivation", "is required"))
        if self.replication_commitment is None:
            issues.append(
                Issue("replication_commitment", "say whether you commit to replicate what you learn")
            )
        for kind in terms.required_documents:
            if kind not in documents:
                issues.append(Issue("documents", f"the call requires a document of kind '{kind}'"))
        return issues

    # The contract parts of a complete form (call only after `issues` found none).

    def applicant_part(self, person_id: str) -> Applicant:
        return Applicant(person_id=person_id, **self.applicant.model_dump())

    def institution_part(self) -> Institution:
        return Institution(**self.institution.model_dump())

    def activity_part(self) -> Activity:
        return Activity(**self.activity.model_dump(exclude={"link"}))
