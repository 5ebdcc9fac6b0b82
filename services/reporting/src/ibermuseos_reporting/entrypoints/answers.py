"""The shapes of the figures answers, with what each field means: documentation for OpenAPI (`/docs`).

The endpoints build their answers in the application layer and send them with caching headers;
these models say what they hold, in the words of the README's definitions.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

PROTECTED = (
    " For who does not see it exactly, a sum of protected counts: the microdata's classes of alike units "
    "rounded to a multiple of 3 (fixed random rounding, unbiased), so a multiple of 3; a count published as r "
    "is consistent with any true count from r - 2 (not below 0) to r + 2, given everything published together."
)


class Protection(BaseModel):
    method: str = Field(description="how the counts of the answer were protected")
    base: int = Field(description="published counts of a class are multiples of this")
    interval: int = Field(
        description="a count published as r may be any true count from r - interval to r + interval"
    )
    reference: str = Field(description="where the method is described")


class Freshness(BaseModel):
    last_event_time: datetime | None = Field(description="time of the last event applied to the figures")
    events_applied: int = Field(description="events applied to the serving projections")
    lag_events: int | None = Field(
        description="events published but not yet applied (consumer lag), if measured"
    )


class Filters(BaseModel):
    country: str | None
    program: str | None
    year: int | None


class Row(BaseModel):
    key: str = Field(
        description="the value of the breakdown (country code, program, offering or call id, year…)"
    )
    label: str = Field(description="the key in words (titles of offerings and calls in the language asked)")
    exact: bool = Field(
        description="whether this row is exact (coordinators; a focal point's own country) or protected"
    )
    suppressed: list[str] = Field(description="always empty: nothing is hidden (kept for earlier clients)")
    protecting: list[str] = Field(description="always empty: nothing is hidden (kept for earlier clients)")


class Table(BaseModel):
    table: str
    by: str | None = Field(description="the breakdown of the rows (none: the total only)")
    filters: Filters
    exact: bool = Field(
        description="true when every figure of the answer is exact; false when any is protected (a focal point "
        "looking at other countries, the public)"
    )
    protection: Protection | None = Field(
        description="how the counts were protected; null when all are exact"
    )


class Fresh(BaseModel):
    freshness: Freshness


class BeneficiaryRow(Row):
    people: int = Field(
        description="unique people with a qualifying participation in this cell (a person in several cells counts "
        "in each: cells may add up to more than the total)." + PROTECTED
    )


class BeneficiaryFigures(Table):
    total: int = Field(
        description="unique people with a qualifying participation that passes the filters, each once (a completed "
        "course or attended conversatorio whose certificates are not all revoked, or a grant accepted and not "
        "declined)." + PROTECTED
    )
    rows: list[BeneficiaryRow] = Field(
        description="one row per value of the breakdown with people (rows of 0 left out)"
    )


class BeneficiariesTable(BeneficiaryFigures, Fresh):
    """Unique people who benefited, in total and by one breakdown."""


class GrantRow(Row):
    applications: int = Field(description="applications submitted." + PROTECTED)
    eligible: int = Field(
        description="applications not withdrawn whose latest eligibility declaration is eligible." + PROTECTED
    )
    ineligible: int = Field(
        description="applications not withdrawn whose latest eligibility declaration is ineligible (applications = "
        "eligible + ineligible + withdrawn + not yet checked)." + PROTECTED
    )
    withdrawn: int = Field(
        description="applications withdrawn by the applicant (also from the waitlist)." + PROTECTED
    )
    awarded: int = Field(
        description="grants awarded, including those the grantee declined later (see net_awarded)."
        + PROTECTED
    )
    net_awarded: int = Field(
        description="grants awarded and not declined: those that stand (accepted, or awaiting an answer)."
        + PROTECTED
    )
    waitlisted: int = Field(
        description="applications ever placed on the waitlist (also those awarded or rejected from it later)."
        + PROTECTED
    )
    on_waitlist: int = Field(
        description="applications on the waitlist now: not since awarded, rejected or withdrawn." + PROTECTED
    )
    rejected: int = Field(
        description="applications rejected (with those left on the waitlist when it closed)." + PROTECTED
    )
    accepted: int = Field(description="grants accepted and not declined afterwards." + PROTECTED)
    declined: int = Field(description="grants declined by the grantee (after accepting too)." + PROTECTED)
    reports: int = Field(description="grantees' reports received." + PROTECTED)
    amount_awarded: dict[str, str] = Field(
        description="per currency: amounts of the grants awarded, declined ones included (can exceed the budget when "
        "declined grants are awarded again). Protected: the published number of grants times the call's mean grant."
    )
    amount_net_awarded: dict[str, str] = Field(
        description="per currency: amounts of the grants awarded and not declined (what is committed). Protected as "
        "amount_awarded."
    )
    amount_accepted: dict[str, str] = Field(
        description="per currency: amounts of the grants accepted and not declined. Protected: the published number "
        "of accepted grants times the call's mean accepted grant."
    )


class GrantFigures(Table):
    rows: list[GrantRow]


class GrantsTable(GrantFigures, Fresh):
    """Applications, eligibility, awards and amounts, by one breakdown."""


class CourseRow(Row):
    enrolments: int = Field(description="enrolments given a seat." + PROTECTED)
    waitlisted: int = Field(description="enrolments only ever waitlisted (never given a seat)." + PROTECTED)
    cancellations: int = Field(description="seats cancelled." + PROTECTED)
    evaluated: int = Field(
        description="enrolments whose outcome is known (a completion evaluation arrived)." + PROTECTED
    )
    completed: int = Field(description="enrolments completed (for a conversatorio: attended)." + PROTECTED)
    completion_rate: float | None = Field(
        description="completed ÷ evaluated of this row as shown (so it tells nothing the two counts do not); null "
        "when evaluated is 0"
    )
    certificates: int = Field(description="certificates issued and not revoked." + PROTECTED)
    hours_certified: str = Field(
        description="hours of the certificates issued and not revoked; protected: the published certificates times "
        "their hours"
    )


class CourseFigures(Table):
    rows: list[CourseRow]


class CoursesTable(CourseFigures, Fresh):
    """Enrolments, completion rate and hours certified, by one breakdown."""


class InstitutionRow(BaseModel):
    key: str | None = Field(description="country code or institution type (null: the type is not known)")
    label: str | None
    institutions: int = Field(description="institutions reached, each counted once")
    direct: int | None = Field(default=None, description="reached directly: a beneficiary came from there")
    through_replication_only: int | None = Field(
        default=None,
        description="named in grantees' replication reports and reached by no beneficiary (within the filters)",
    )
    exact: bool
    suppressed: list[str] = Field(description="always empty (kept for earlier clients)")


class InstitutionFigures(Table):
    total: int = Field(description="institutions reached, directly or through replication, each once")
    direct: int = Field(
        description="reached directly. For the public: over the whole program, and per country and type of "
        "institution at most the least number of beneficiaries the protected counts allow there"
    )
    through_replication_only: int = Field(
        description="reached only through grantees' replication activities, judged within the filters"
    )
    rows: list[InstitutionRow]


class InstitutionsTable(InstitutionFigures, Fresh):
    """Institutions reached, each counted once: directly and through replication only."""


class Headline(BaseModel):
    beneficiaries: int = Field(
        description="unique people who benefited (exact for coordinators)." + PROTECTED
    )
    institutions: int = Field(
        description="institutions reached, directly or through replication (public: as above)"
    )
    institutions_direct: int
    institutions_through_replication_only: int
    countries: int = Field(description="countries with beneficiaries, as the figures shown count them")
    by_program: dict[str, int] = Field(description="unique people per program." + PROTECTED)
    text: str = Field(
        description='the sentence: "N museum professionals benefited, and M institutions", the figures as given above'
    )
    language: str
    exact: bool
    protection: Protection | None
    freshness: Freshness


class ApplicationsByCountry(BaseModel):
    total: int = Field(description="the sum of the countries' counts below")
    by_country: dict[str, int] = Field(
        description="applications submitted per country of residence (countries of 0 left out)." + PROTECTED
    )


class CountryReport(BaseModel):
    """Exact figures of one country in finer detail (its focal point, coordinators)."""

    country: str
    year: int | None
    beneficiaries: dict[str, BeneficiaryFigures] = Field(
        description="per breakdown: program, year, gender, offering, subject_area, institution_type, institution"
    )
    institutions: dict[str, InstitutionFigures] = Field(
        description="per breakdown: institution_type, channel"
    )
    grants: GrantFigures = Field(description="by call")
    courses: CourseFigures = Field(description="by offering")
    freshness: Freshness


class Serving(BaseModel):
    schema_: str = Field(alias="schema", description="the projection schema that answers now")
    version: str | None = Field(description="the projection version it was built for")
    current_version: bool | None = Field(description="whether that is the version this code writes")
    switched_at: datetime | None
    built_by_rebuild_at: datetime | None = Field(
        description="when a rebuild filled it (null: created empty and filled live)"
    )


class ConsumerLag(BaseModel):
    total: int | None = Field(description="events published but not yet applied; null until measured")
    by_topic: dict[str, int]
    measured_at: datetime | None
    error: str | None = Field(description="why the last measurement failed, if it did")


class RebuildRun(BaseModel):
    state: str = Field(description="running, switched or failed")
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    events_done: int
    events_total: int
    events_per_second: float | None
    error: str | None


class FreshnessReport(BaseModel):
    """How far behind the figures are."""

    serving: Serving
    events_applied: int
    last_event_time: datetime | None
    seconds_since_last_event: float | None
    consumer_lag: ConsumerLag
    last_rebuild: RebuildRun | None = Field(description="the latest rebuild, if there was one")


class GivingPublisher(BaseModel):
    identifier: str
    name: str


class GivingPackage(BaseModel):
    """A 360Giving data package (https://standard.threesixtygiving.org): accepted grants, grantees in aggregate."""

    version: str
    title: str
    modified: str
    publisher: GivingPublisher
    grants: list[dict[str, Any]] = Field(
        description="one grant record per call, currency and country (or pool)"
    )
