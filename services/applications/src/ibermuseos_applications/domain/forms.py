"""What an applicant writes: a draft form that may be incomplete, and the checks that make it a submission."""

from decimal import Decimal
from typing import Annotated, Any, Self

from ibermuseos_contracts.applications import Activity, ActivityKind, Applicant
from ibermuseos_contracts.common import Gender, Institution, InstitutionType, Modality
from ibermuseos_contracts.types import CountryCode
from ibermuseos_kernel.errors import Issue
from ibermuseos_kernel.fields import Day, Strict
from pydantic import ConfigDict, EmailStr, Field, HttpUrl, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from .calls import CallTerms
from .values import Amount, DocumentKind, LongText, ShortText

ProgramLanguageTag = Annotated[
    str,
    StringConstraints(pattern=r"^(es|pt|en)(-[A-Z]{2})?$"),
    Field(description="es, pt or en, optionally with a region (pt-BR): the program's three languages"),
]

BUDGET_LINES = ("travel", "registration", "lodging", "subsistence")


FROM_SIGN_IN = (
    "comes from your sign-in (the name and the verified e-mail your identity provider vouches for), "
    "not from the form"
)

_NOT_SIGNED = {
    "applicant.name": "is required: it comes from your sign-in, which carries no name",
    "applicant.email": "is required: it comes from your sign-in, which carries no verified e-mail address",
}


class Section(Strict):
    """A part of the form; in a draft any field may still be empty."""

    model_config = ConfigDict(frozen=True)

    def merged(self, patch: "Section") -> Self:
        """This section with the fields `patch` sets (explicit nulls clear a field)."""
        return self.model_copy(update={name: getattr(patch, name) for name in patch.model_fields_set})

    def missing(self, prefix: str, *, optional: tuple[str, ...] = ()) -> list[Issue]:
        return [
            Issue(f"{prefix}.{name}", "is required")
            for name in type(self).model_fields
            if name not in optional and getattr(self, name) is None
        ]


class ApplicantForm(Section):
    """The applicant's part of the form: their details, and the name and e-mail of their sign-in."""

    name: ShortText | None = None
    email: EmailStr | None = None
    preferred_language: ProgramLanguageTag | None = None
    gender: Gender | None = Field(default=None, description="Only if the applicant wishes to say")
    role: ShortText | None = Field(default=None, description="The applicant's job at their institution")
    country_of_residence: CountryCode | None = None


class ApplicantPatch(ApplicantForm):
    """Changes to the applicant's details; a name or an e-mail is refused, naming where they come from."""

    name: SkipJsonSchema[None] = None
    email: SkipJsonSchema[None] = None

    @field_validator("name", "email", mode="before")
    @classmethod
    def _from_sign_in(cls, value: object) -> None:
        raise ValueError(FROM_SIGN_IN)


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
    starts_on: Day | None = None
    ends_on: Day | None = None
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


class FormPatch(Strict):
    """Changes to a draft: sections given are merged field by field into the form."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
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
                        "starts_on": "2027-05-10",
                        "ends_on": "2027-05-21",
                        "modality": "in_person",
                    },
                    "budget": {"travel": "1500.00"},
                    "motivation": "Levar a conservação preventiva ao acervo.",
                    "replication_commitment": True,
                }
            ]
        },
    )

    applicant: ApplicantPatch | None = None
    institution: InstitutionForm | None = None
    activity: ActivityForm | None = None
    budget: BudgetForm | None = None
    motivation: LongText | None = None
    replication_commitment: bool | None = Field(
        default=None, description="Whether the applicant commits to replicate what they learn at home"
    )


class Form(Strict):
    """The whole application form as the applicant has filled it so far."""

    model_config = ConfigDict(frozen=True)

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

    def signed(self, *, name: str | None, email: str | None) -> "Form":
        """The form with the applicant's name and e-mail as their sign-in gives them."""
        return self.model_copy(
            update={"applicant": self.applicant.model_copy(update={"name": name, "email": email})}
        )

    def inconsistencies(self) -> list[Issue]:
        """Contradictions that are wrong even in a draft."""
        activity = self.activity
        if activity.starts_on and activity.ends_on and activity.ends_on < activity.starts_on:
            return [Issue("activity.ends_on", "the activity ends before it starts")]
        return []

    def issues(self, terms: CallTerms, documents: list[DocumentKind]) -> list[Issue]:
        """Everything that keeps the form from being submitted, all at once."""
        issues = [
            Issue(issue.field, _NOT_SIGNED.get(issue.field, issue.problem))
            for issue in self.applicant.missing("applicant", optional=("gender",))
        ]
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
