"""The protected microdata: every figure about people the public sees is a sum over its classes.

A *unit* is what the figures count once: a beneficiary (all their qualifying participations,
completed courses and accepted grants, together), or one application or enrolment that is not
a qualifying participation. Units alike in everything any figure can tell apart form a *class*.
Each class has its exact count and its protected count (`disclosure.protected_count`: fixed
random rounding to base 3). A figure is computed by one function for every viewer: the sum,
over the classes, of what a unit of the class contributes to the figure times the class's
exact count (for who may see it exactly) or its protected count (for everyone else). So the
public figures agree with each other however they are combined (tables, filters, totals,
rates, open-data files), and no combination of them says more about a class than its
protected count does (README, "Disclosure control").
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .disclosure import protected_count
from .figures import Filters

PROGRAM_OF_KIND = {
    "training_course": "training_courses",
    "mini_course": "mini_courses",
    "conversatorio": "conversatorios",
}
GRANTS_PROGRAM = "training_grants"


@dataclass(frozen=True, slots=True)
class Person:
    """What the beneficiary figures know of a qualifying participation beyond its record."""

    gender: str
    institution_type: str | None
    institution: tuple[str | None, str | None]
    """Country and type of the institution the participation names, as matched (for the institution figures)."""


@dataclass(frozen=True, slots=True)
class Course:
    """An enrolment, as the course figures see it; `person` is set when it is a qualifying participation."""

    offering: str | None
    kind: str | None
    year: int | None
    """Completion year, else the year the run starts (or of the enrolment)."""
    country: str | None
    enrolled: bool
    waitlisted_only: bool
    cancelled: bool
    outcome: str | None
    certificates: int
    hours: Decimal
    """Hours of its certificates not revoked."""
    subject_area: str | None = None
    person: Person | None = None


@dataclass(frozen=True, slots=True)
class Grant:
    """An application, as the grant figures see it; `person` is set when it is a qualifying participation."""

    call: str | None
    year: int | None
    country: str | None
    submitted: bool
    eligible: bool | None
    withdrawn: bool
    awarded: bool
    waitlisted: bool
    rejected: bool
    accepted: bool
    """Accepted and not declined afterwards."""
    declined: bool
    report: bool
    awarded_currency: str | None = None
    accepted_currency: str | None = None
    person: Person | None = None


Record = Course | Grant


@dataclass(frozen=True, slots=True)
class Unit:
    """What is counted once: a beneficiary's qualifying records, or one other record (with its amounts)."""

    records: tuple[Record, ...]
    awarded: tuple[Decimal, ...] = ()
    accepted: tuple[Decimal, ...] = ()

    @property
    def beneficiary(self) -> bool:
        return any(record.person is not None for record in self.records)


@dataclass(frozen=True, slots=True)
class MicroClass:
    """Units alike in everything a figure can tell apart: their records, how many, and how many as published."""

    records: tuple[Record, ...]
    beneficiary: bool
    count: int
    protected: int
    awarded: tuple[Decimal, ...]
    """Per record: the exact sum of the units' amounts awarded (zero for courses)."""
    accepted: tuple[Decimal, ...]

    def weight(self, exact: bool) -> int:
        return self.count if exact else self.protected


def class_key(beneficiary: bool, records: tuple[Record, ...]) -> str:
    """A canonical text of what makes a class: the input of its rounding draw."""

    def plain(value: object) -> object:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if isinstance(value, Person):
            return [value.gender, value.institution_type, list(value.institution)]
        return value

    return json.dumps(
        [beneficiary, *([type(r).__name__, *(plain(getattr(r, f)) for f in r.__slots__)] for r in records)],
        separators=(",", ":"),
    )


@dataclass(frozen=True)
class Microdata:
    """The classes of a serving schema, with the mean amount of each call's grants (per currency)."""

    classes: tuple[MicroClass, ...]
    means: Mapping[tuple[str, str, str], Decimal] = field(default_factory=dict)
    """(call, currency, "awarded" | "accepted") → the mean amount of the call's grants: protected amounts are
    the protected number of grants times this mean."""

    @classmethod
    def of(cls, units: Iterable[Unit], key: bytes) -> "Microdata":
        keys: dict[Record, str] = {}

        def sort_key(record: Record) -> str:
            if record not in keys:
                keys[record] = class_key(False, (record,))
            return keys[record]

        grouped: dict[tuple[bool, tuple[Record, ...]], list[Unit]] = defaultdict(list)
        totals: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for unit in units:
            if len(unit.records) > 1:  # a beneficiary's records, in one order whatever the order they came in
                order = sorted(range(len(unit.records)), key=lambda i: sort_key(unit.records[i]))
                unit = Unit(
                    tuple(unit.records[i] for i in order),
                    tuple(_at(unit.awarded, i) for i in order),
                    tuple(_at(unit.accepted, i) for i in order),
                )
            grouped[(unit.beneficiary, unit.records)].append(unit)
            for index, record in enumerate(unit.records):
                if isinstance(record, Grant) and record.call is not None:
                    for what, currency, counted in (
                        ("awarded", record.awarded_currency, record.awarded),
                        ("accepted", record.accepted_currency, record.accepted),
                    ):
                        if counted and currency:
                            total = totals[(record.call, currency, what)]
                            total[0] += _at(unit.awarded if what == "awarded" else unit.accepted, index)
                            total[1] += 1
        classes = []
        for (beneficiary, records), members in grouped.items():
            count, what = len(members), class_key(beneficiary, records)
            classes.append(
                (
                    what,
                    MicroClass(
                        records,
                        beneficiary,
                        count,
                        protected_count(key, what, count),
                        tuple(
                            sum((_at(m.awarded, i) for m in members), Decimal(0)) for i in range(len(records))
                        ),
                        tuple(
                            sum((_at(m.accepted, i) for m in members), Decimal(0))
                            for i in range(len(records))
                        ),
                    ),
                )
            )
        classes.sort(key=lambda pair: pair[0])
        means = {what: amount / number for what, (amount, number) in totals.items() if number}
        return cls(tuple(micro for _, micro in classes), means)


def _at(amounts: tuple[Decimal, ...], index: int) -> Decimal:
    return amounts[index] if index < len(amounts) else Decimal(0)


# ----------------------------------------------------------------------------- tallies


@dataclass(slots=True)
class Tally:
    """A count summed over classes, exactly and as published."""

    exact: int = 0
    protected: int = 0

    def add(self, micro: MicroClass, times: int = 1) -> None:
        self.exact += micro.count * times
        self.protected += micro.protected * times

    def value(self, exact: bool) -> int:
        return self.exact if exact else self.protected


@dataclass(slots=True)
class Amount:
    """An amount summed over classes: exactly, and as the protected number of grants times the call's mean."""

    exact: Decimal = Decimal(0)
    protected: Decimal = Decimal(0)

    def value(self, exact: bool) -> Decimal:
        return self.exact if exact else self.protected


# ------------------------------------------------------------------------ beneficiaries


def participation(record: Record) -> dict[str, str | int | None]:
    """A qualifying record as the beneficiary figures see it (the `participations` view's columns)."""
    person = record.person
    assert person is not None
    program: str | None
    if isinstance(record, Grant):
        program, offering, subject, year = GRANTS_PROGRAM, record.call, None, record.year
    else:
        program = PROGRAM_OF_KIND.get(record.kind or "", record.kind)
        offering, subject, year = record.offering, record.subject_area, record.year
    return {
        "country": record.country or "ZZ",
        "program": program,
        "offering": offering,
        "subject_area": subject or "not_applicable",
        "year": year,
        "gender": person.gender,
        "institution_type": person.institution_type or "other",
    }


def _matches(seen: Mapping[str, str | int | None], filters: Filters) -> bool:
    return (
        (filters.country is None or seen["country"] == filters.country)
        and (filters.program is None or seen["program"] == filters.program)
        and (filters.year is None or seen["year"] == filters.year)
    )


def beneficiaries(data: Microdata, filters: Filters, by: str | None) -> tuple[Tally, dict[str, Tally]]:
    """Unique people with a qualifying participation that passes the filters: in total and per value of `by`."""
    total, cells = Tally(), defaultdict[str, Tally](Tally)
    for micro in data.classes:
        if not micro.beneficiary:
            continue
        seen = [participation(r) for r in micro.records if r.person is not None]
        matching = [p for p in seen if _matches(p, filters)]
        if not matching:
            continue
        total.add(micro)
        if by is not None:
            for key in {str(p[by]) for p in matching if p[by] is not None}:
                cells[key].add(micro)
    return total, dict(cells)


# ------------------------------------------------------------------------------- grants

GRANT_FLAGS: dict[str, Callable[[Grant], bool]] = {
    "applications": lambda g: g.submitted,
    "eligible": lambda g: g.eligible is True and not g.withdrawn,
    "ineligible": lambda g: g.eligible is False and not g.withdrawn,
    "withdrawn": lambda g: g.withdrawn,
    "awarded": lambda g: g.awarded,
    "waitlisted": lambda g: g.waitlisted,
    "rejected": lambda g: g.rejected,
    "accepted": lambda g: g.accepted,
    "declined": lambda g: g.declined,
    "reports": lambda g: g.report,
    "net_awarded": lambda g: g.awarded and not g.declined,
    "on_waitlist": lambda g: g.waitlisted and not (g.awarded or g.rejected or g.withdrawn),
}
"""Each count of the grants table: which applications it counts (definitions in the README)."""

GRANT_AMOUNTS = ("amount_awarded", "amount_accepted", "amount_net_awarded")


@dataclass
class GrantCell:
    counts: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in GRANT_FLAGS})
    amounts: dict[str, dict[str, Amount]] = field(
        default_factory=lambda: {name: defaultdict(Amount) for name in GRANT_AMOUNTS}
    )
    granted: dict[str, dict[str, Tally]] = field(
        default_factory=lambda: {name: defaultdict(Tally) for name in GRANT_AMOUNTS}
    )
    """How many grants each amount adds up, per currency: no grant shown, no amount shown."""


def _in(record: Record, filters: Filters) -> bool:
    """Whether an application or enrolment passes the country and year filters (its own country and year)."""
    return (filters.country is None or record.country == filters.country) and (
        filters.year is None or record.year == filters.year
    )


def _grant_key(grant: Grant, by: str) -> str | None:
    if by == "call":
        return grant.call
    if by == "country":
        return grant.country
    return None if grant.year is None else str(grant.year)


def grants(data: Microdata, filters: Filters, by: str) -> dict[str, GrantCell]:
    """Applications and their stages, and amounts per currency, per call, country or year."""
    cells: dict[str, GrantCell] = defaultdict(GrantCell)
    if filters.program not in (None, GRANTS_PROGRAM):
        return {}
    for micro in data.classes:
        for index, grant in enumerate(micro.records):
            if not isinstance(grant, Grant) or not _in(grant, filters):
                continue
            key = _grant_key(grant, by)
            if key is None:
                continue
            cell = cells[key]
            for name, counts in GRANT_FLAGS.items():
                if counts(grant):
                    cell.counts[name].add(micro)
            _add_amounts(data, micro, index, grant, cell)
    return dict(cells)


def _add_amounts(data: Microdata, micro: MicroClass, index: int, grant: Grant, cell: GrantCell) -> None:
    assert grant.call is not None or not (grant.awarded or grant.accepted)
    parts = (
        ("amount_awarded", grant.awarded, grant.awarded_currency, micro.awarded, "awarded"),
        (
            "amount_net_awarded",
            grant.awarded and not grant.declined,
            grant.awarded_currency,
            micro.awarded,
            "awarded",
        ),
        ("amount_accepted", grant.accepted, grant.accepted_currency, micro.accepted, "accepted"),
    )
    for name, counted, currency, exact, mean in parts:
        if counted and currency and grant.call is not None:
            cell.granted[name][currency].add(micro)
            amount = cell.amounts[name][currency]
            amount.exact += exact[index]
            amount.protected += micro.protected * data.means.get((grant.call, currency, mean), Decimal(0))


def accepted_grants(data: Microdata) -> dict[tuple[str, str, str], tuple[Tally, Amount]]:
    """Grants accepted (and not declined), per call, currency and country ("ZZ" when not known): the 360Giving cells."""
    cells: dict[tuple[str, str, str], tuple[Tally, Amount]] = defaultdict(lambda: (Tally(), Amount()))
    for micro in data.classes:
        for index, grant in enumerate(micro.records):
            if isinstance(grant, Grant) and grant.accepted and grant.call and grant.accepted_currency:
                count, amount = cells[(grant.call, grant.accepted_currency, grant.country or "ZZ")]
                count.add(micro)
                amount.exact += micro.accepted[index]
                amount.protected += micro.protected * data.means.get(
                    (grant.call, grant.accepted_currency, "accepted"), Decimal(0)
                )
    return dict(cells)


def applications_by_country(data: Microdata) -> dict[str, Tally]:
    """Applications submitted, by the applicant's country of residence."""
    cells: dict[str, Tally] = defaultdict(Tally)
    for micro in data.classes:
        for grant in micro.records:
            if isinstance(grant, Grant) and grant.submitted and grant.country is not None:
                cells[grant.country].add(micro)
    return dict(cells)


# ------------------------------------------------------------------------------ courses

COURSE_FLAGS: dict[str, Callable[[Course], int]] = {
    "enrolments": lambda c: int(c.enrolled),
    "waitlisted": lambda c: int(c.waitlisted_only),
    "cancellations": lambda c: int(c.cancelled),
    "evaluated": lambda c: int(c.outcome is not None),
    "completed": lambda c: int(c.outcome == "completed"),
    "certificates": lambda c: c.certificates,
}
"""Each count of the courses table: how much one enrolment adds to it."""


@dataclass
class CourseCell:
    counts: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in COURSE_FLAGS})
    hours: Amount = field(default_factory=Amount)


def _course_key(course: Course, by: str) -> str | None:
    if by == "offering":
        return course.offering
    if by == "country":
        return course.country or "ZZ"
    if by == "program":
        return PROGRAM_OF_KIND.get(course.kind or "", course.kind)
    return None if course.year is None else str(course.year)


def courses(data: Microdata, filters: Filters, by: str) -> dict[str, CourseCell]:
    """Enrolments and their outcomes, certificates and hours certified, per offering, country, program or year."""
    cells: dict[str, CourseCell] = defaultdict(CourseCell)
    for micro in data.classes:
        for course in micro.records:
            if not isinstance(course, Course) or not _in(course, filters):
                continue
            if filters.program is not None and PROGRAM_OF_KIND.get(course.kind or "") != filters.program:
                continue
            key = _course_key(course, by)
            if key is None:
                continue
            cell = cells[key]
            for name, times in COURSE_FLAGS.items():
                if times(course):
                    cell.counts[name].add(micro, times(course))
            if course.hours:
                cell.hours.exact += course.hours * micro.count
                cell.hours.protected += course.hours * micro.protected
    return dict(cells)


# ------------------------------------------------------------------------- institutions


def institution_allowance(data: Microdata) -> dict[tuple[str | None, str | None], int]:
    """Per institution country and type: how many beneficiaries at least the public figures say came from there.

    The sum over the classes with a participation at such an institution of their protected
    count minus 2 (the least a class published as r can hold). Institutions reached directly
    are published up to this many, so that their count never says more about people than the
    protected counts do (README).
    """
    allowance: dict[tuple[str | None, str | None], int] = defaultdict(int)
    for micro in data.classes:
        if micro.beneficiary and micro.protected > 2:
            for place in {r.person.institution for r in micro.records if r.person is not None}:
                allowance[place] += micro.protected - 2
    return dict(allowance)
