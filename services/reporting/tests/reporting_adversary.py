"""An integer-programming adversary against reporting's public figures, and the programs it is tried on.

The adversary reads what the public API returns (every table under every filter, totals, rates,
the open-data files) and works out, for each published count, the narrowest range of true counts
consistent with all of it. It knows the README's definitions and the method the answers say
protected them, and it knows more than a real attacker: which classes of units the data could hold
at all (the classes of the dataset itself, but not how many of each).

Its model of the microdata is written here again from the README, apart from the service's code:
a unit is a beneficiary (their qualifying participations together) or any other application or
enrolment alone; a class is the units alike in everything a figure can tell apart.

- Answers that declare a `protection` (fixed random rounding to base 3 of the classes): every
  published count is 3 x (an integer combination of the classes' protected counts z), and a
  class of true count x was published as 3z with |x - 3z| <= 2.
- Answers without one (the earlier, suppressing API): a shown count is exact, a hidden one is
  1 to 4, or at least 5 when named in `protecting`, and a rate is of the exact counts.
"""

import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import scipy.linalg
from scipy.optimize import Bounds, LinearConstraint, milp

GRANTS = "training_grants"
PROGRAM_OF_KIND = {
    "training_course": "training_courses",
    "mini_course": "mini_courses",
    "conversatorio": "conversatorios",
}
FINDINGS: list[str] = []
"""What the adversary found in this test session: said at the end of it (`conftest.pytest_terminal_summary`)."""
CLOCK_YEAR = 2027
"""The test events' clock runs in 2027: the year of an enrolment that no completion dated."""


# ------------------------------------------------------------------------ a program


@dataclass(frozen=True)
class Place:
    name: str
    city: str
    country: str
    kind: str


@dataclass
class Person:
    subject: str
    country: str
    gender: str | None
    place: Place


@dataclass
class Enrolment:
    person: Person
    offering: str
    outcome: str | None = None
    """completed, not_completed, or None (not evaluated)"""
    year: int | None = None
    cancelled: bool = False
    certificates: list[bool] = field(default_factory=list)
    """one entry per certificate issued: whether it was revoked"""


@dataclass
class Application:
    person: Person
    call: str
    eligible: bool | None = None
    withdrawn: bool = False
    waitlisted: bool = False
    rejected: bool = False
    amount: int | None = None
    """awarded, with this amount"""
    accepted: bool = False
    declined: bool = False
    report: bool = False


@dataclass(frozen=True)
class Offering:
    id: uuid.UUID
    kind: str
    hours: int


@dataclass
class Program:
    offerings: dict[str, Offering]
    calls: dict[str, tuple[uuid.UUID, int]]
    enrolments: list[Enrolment]
    applications: list[Application]


def generate(seed: int, people: int = 90) -> Program:
    """A program with many small cells: a big country and six small ones, people in one to three activities.

    The same seed gives the same program (ids included), so the same protected figures."""
    rng = random.Random(seed)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    countries = ["MX"] * 8 + ["BR"] * 4 + ["PE"] * 3 + ["CL"] * 2 + ["AD", "BO", "CR"]
    places = {
        country: [
            Place(
                f"Museo {country} {index}", f"Ciudad {country}", country, rng.choice(["museum", "university"])
            )
            for index in range(rng.randint(1, 3))
        ]
        for country in sorted(set(countries))
    }
    offerings = {
        "course-2026": Offering(new_id(), "training_course", 40),
        "course-2027": Offering(new_id(), "training_course", 30),
        "mini": Offering(new_id(), "mini_course", 10),
        "talk": Offering(new_id(), "conversatorio", 2),
    }
    calls = {"grants-2026": (new_id(), 2026), "grants-2027": (new_id(), 2027)}
    program = Program(offerings, calls, [], [])
    for index in range(people):
        country = rng.choice(countries)
        person = Person(
            f"p{seed}-{index}-{new_id().hex[:6]}",
            country,
            rng.choice(["female", "male", None]),
            rng.choice(places[country]),
        )
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            if rng.random() < 0.7:
                program.enrolments.append(_enrolment(rng, person, rng.choice(list(offerings)), offerings))
            else:
                program.applications.append(_application(rng, person, rng.choice(list(calls))))
    return program


def _enrolment(
    rng: random.Random, person: Person, offering: str, offerings: dict[str, Offering]
) -> Enrolment:
    roll = rng.random()
    year = 2026 if offering == "course-2026" else 2027
    if roll < 0.1:
        return Enrolment(person, offering, cancelled=True)
    if roll < 0.2:
        return Enrolment(person, offering)
    outcome = "completed" if roll < 0.8 else "not_completed"
    certificates: list[bool] = []
    if outcome == "completed" and offerings[offering].kind != "conversatorio" and rng.random() < 0.7:
        certificates = [rng.random() < 0.15]
    return Enrolment(person, offering, outcome, year, certificates=certificates)


def _application(rng: random.Random, person: Person, call: str) -> Application:
    application = Application(person, call)
    roll = rng.random()
    if roll < 0.12:
        application.eligible = False
        return application
    if roll < 0.2:
        application.withdrawn = True
        application.eligible = rng.choice([None, True])
        return application
    application.eligible = True
    roll = rng.random()
    if roll < 0.15:
        application.rejected = True
    elif roll < 0.35:
        application.waitlisted = True
        after = rng.random()
        if after < 0.4:
            application.amount = rng.randrange(1000, 3001, 100)
        elif after < 0.7:
            application.rejected = True
    else:
        application.amount = rng.randrange(1000, 3001, 100)
    if application.amount is not None:
        after = rng.random()
        if after < 0.65:
            application.accepted = True
            application.report = rng.random() < 0.5
        elif after < 0.85:
            application.declined = True
    return application


def events_of(program: Program, events: Any) -> list[Any]:
    """The public events of the program, built with the tests' `Events`."""
    e = events
    published = [e.call_opened(call_id, year, f"Becas {year}") for call_id, year in program.calls.values()]
    published += [
        e.course_published(offering.id, offering.kind, name, str(offering.hours))
        for name, offering in program.offerings.items()
    ]

    def place(person: Person) -> Any:
        p = person.place
        return e.institution(p.name, p.city, p.country, p.kind)

    for enrolment in program.enrolments:
        person, offering = enrolment.person, program.offerings[enrolment.offering]
        key, who = uuid.uuid4(), e.pseudonymise(person.subject)
        common = {"kind": offering.kind, "country": person.country, "institution": place(person)}
        published.append(e.enrolled(key, offering.id, who, gender=person.gender, **common))
        if enrolment.cancelled:
            published.append(e.cancelled(key, who, uuid.uuid5(offering.id, "run")))
        if enrolment.outcome is not None:
            published.append(
                e.completed(
                    key,
                    offering.id,
                    who,
                    outcome=enrolment.outcome,
                    year=enrolment.year,
                    hours=str(offering.hours),
                    gender=person.gender,
                    **common,
                )
            )
        for revoked in enrolment.certificates:
            certificate = uuid.uuid4()
            published.append(e.certificate(certificate, key, offering.id, who, str(offering.hours)))
            if revoked:
                published.append(e.revoked(certificate, who))
    for application in program.applications:
        person = application.person
        call_id, year = program.calls[application.call]
        key, who = uuid.uuid4(), e.pseudonymise(person.subject)
        published.append(
            e.submitted(
                key,
                call_id,
                who,
                country=person.country,
                institution=place(person),
                year=year,
                gender=person.gender,
            )
        )
        if application.eligible is not None:
            published.append((e.eligible if application.eligible else e.ineligible)(key, call_id, who))
        if application.withdrawn:
            published.append(e.withdrawn(key, call_id, who))
        if application.waitlisted:
            published.append(e.waitlisted(key, call_id, who))
        if application.rejected:
            published.append(e.rejected(key, call_id, who))
        if application.amount is not None:
            amount = f"{application.amount}.00"
            published.append(e.awarded(key, call_id, who, amount, year))
            if application.accepted:
                published.append(e.accepted(key, call_id, who, amount, year))
            if application.declined:
                published.append(e.declined(key, call_id, who, amount))
            if application.report:
                published.append(e.report(key, call_id, who, [place(person)], year))
    return published


# ------------------------------------------------------------------ the classes (README)

Descriptor = tuple[Any, ...]


@dataclass(frozen=True)
class Record:
    """One application or enrolment, described as the README's classes tell records apart."""

    table: str  # "grant" or "course"
    values: Mapping[str, Any]
    qualifying: bool

    def descriptor(self) -> Descriptor:
        return (self.table, self.qualifying, *sorted(self.values.items()))


def records_of(program: Program) -> dict[str, list[Record]]:
    """Every record of the program, by the person's subject."""
    found: dict[str, list[Record]] = defaultdict(list)
    for enrolment in program.enrolments:
        offering = program.offerings[enrolment.offering]
        kept = [revoked for revoked in enrolment.certificates if not revoked]
        qualifying = enrolment.outcome == "completed" and not (enrolment.certificates and not kept)
        person = enrolment.person
        values: dict[str, Any] = {
            "offering": str(offering.id),
            "kind": offering.kind,
            "year": enrolment.year if enrolment.outcome else CLOCK_YEAR,
            "country": person.country,
            "enrolled": True,
            "waitlisted_only": False,
            "cancelled": enrolment.cancelled,
            "outcome": enrolment.outcome,
            "certificates": len(kept),
            "hours": offering.hours * len(kept),
        }
        if qualifying:
            values |= _personal(person) | {"subject_area": "conservation"}
        found[person.subject].append(Record("course", values, qualifying))
    for application in program.applications:
        call_id, year = program.calls[application.call]
        person = application.person
        awarded = application.amount is not None
        values = {
            "call": str(call_id),
            "year": year,
            "country": person.country,
            "submitted": True,
            "eligible": None if application.withdrawn else application.eligible,
            "withdrawn": application.withdrawn,
            "awarded": awarded,
            "waitlisted": application.waitlisted,
            "rejected": application.rejected,
            "accepted": application.accepted,
            "declined": application.declined,
            "report": application.report,
            "awarded_currency": "USD" if awarded else None,
            "accepted_currency": "USD" if application.accepted else None,
        }
        if application.accepted:
            values |= _personal(person)
        found[person.subject].append(Record("grant", values, application.accepted))
    return found


def _personal(person: Person) -> dict[str, Any]:
    return {
        "gender": person.gender or "not_given",
        "institution_type": person.place.kind,
        "institution": (person.place.country, person.place.kind),
    }


@dataclass(frozen=True)
class Klass:
    """A class of units: its records and how many units it holds."""

    records: tuple[Record, ...]
    beneficiary: bool
    count: int


def classes_of(program: Program) -> list[Klass]:
    units: list[tuple[bool, tuple[Record, ...]]] = []
    for records in records_of(program).values():
        qualifying = [r for r in records if r.qualifying]
        if qualifying:
            units.append((True, tuple(sorted(qualifying, key=lambda r: repr(r.descriptor())))))
        units += [(False, (r,)) for r in records if not r.qualifying]
    counted: dict[tuple[bool, tuple[Descriptor, ...]], list[tuple[bool, tuple[Record, ...]]]] = defaultdict(
        list
    )
    for beneficiary, records in units:
        counted[(beneficiary, tuple(r.descriptor() for r in records))].append((beneficiary, records))
    return [Klass(members[0][1], members[0][0], len(members)) for members in counted.values()]


# ------------------------------------------------------------------ what cells count


def participation(record: Record) -> dict[str, Any]:
    v = record.values
    if record.table == "grant":
        program, offering, subject = GRANTS, v["call"], "not_applicable"
    else:
        program, offering, subject = PROGRAM_OF_KIND[v["kind"]], v["offering"], v["subject_area"]
    return {
        "country": v["country"],
        "program": program,
        "offering": offering,
        "subject_area": subject,
        "year": v["year"],
        "gender": v["gender"],
        "institution_type": v["institution_type"],
    }


def _passes(values: Mapping[str, Any], filters: Mapping[str, Any]) -> bool:
    return all(wanted is None or values.get(name) == wanted for name, wanted in filters.items())


GRANT_COUNTS: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "applications": lambda v: v["submitted"],
    "eligible": lambda v: v["eligible"] is True and not v["withdrawn"],
    "ineligible": lambda v: v["eligible"] is False and not v["withdrawn"],
    "withdrawn": lambda v: v["withdrawn"],
    "awarded": lambda v: v["awarded"],
    "net_awarded": lambda v: v["awarded"] and not v["declined"],
    "waitlisted": lambda v: v["waitlisted"],
    "on_waitlist": lambda v: v["waitlisted"] and not (v["awarded"] or v["rejected"] or v["withdrawn"]),
    "rejected": lambda v: v["rejected"],
    "accepted": lambda v: v["accepted"],
    "declined": lambda v: v["declined"],
    "reports": lambda v: v["report"],
}
COURSE_COUNTS: dict[str, Callable[[Mapping[str, Any]], int]] = {
    "enrolments": lambda v: int(v["enrolled"]),
    "waitlisted": lambda v: int(v["waitlisted_only"]),
    "cancellations": lambda v: int(v["cancelled"]),
    "evaluated": lambda v: int(v["outcome"] is not None),
    "completed": lambda v: int(v["outcome"] == "completed"),
    "certificates": lambda v: v["certificates"],
    "hours_certified": lambda v: v["hours"],
}

Cells = dict[tuple[str | None, str], dict[int, int]]
"""(row key or None for the total, measure) → class index → what one unit of the class adds"""


def cells_of(classes: list[Klass], table: str, filters: Mapping[str, Any], by: str | None) -> Cells:
    """What each cell of a table counts, by the README's definitions, for every class at once."""
    cells: Cells = defaultdict(dict)

    def add(key: str | None, measure: str, index: int, weight: int) -> None:
        if weight:
            cell = cells[(key, measure)]
            cell[index] = cell.get(index, 0) + weight

    for index, klass in enumerate(classes):
        if table == "beneficiaries":
            if not klass.beneficiary:
                continue
            seen = [p for r in klass.records if r.qualifying and _passes(p := participation(r), filters)]
            if seen:
                add(None, "people", index, 1)
            if by is not None:
                for key in {str(p[by]) for p in seen}:
                    add(key, "people", index, 1)
            continue
        for record in klass.records:
            v = record.values
            if table == "grants" and record.table == "grant":
                if filters.get("program") not in (None, GRANTS) or not _passes(
                    v, {"country": filters.get("country"), "year": filters.get("year")}
                ):
                    continue
                for measure, counts in GRANT_COUNTS.items():
                    add(str(v[by or "call"]), measure, index, int(counts(v)))
            elif table == "courses" and record.table == "course":
                program = PROGRAM_OF_KIND[v["kind"]]
                if filters.get("program") not in (None, program) or not _passes(
                    v, {"country": filters.get("country"), "year": filters.get("year")}
                ):
                    continue
                by_value = {
                    "offering": v["offering"],
                    "country": v["country"],
                    "program": program,
                    "year": v["year"],
                }
                for measure, times in COURSE_COUNTS.items():
                    add(str(by_value[by or "offering"]), measure, index, times(v))
    return cells


# --------------------------------------------------------------------- observations


@dataclass
class Observation:
    """One number the public API returned, and what it counts."""

    where: str
    weights: dict[int, int]
    """class index → what one unit of the class adds to the true count"""
    value: int | None
    hidden: str | None = None
    """for a suppressing answer: "small" (1 to 4) or "protecting" (at least 5) when the value is None"""
    protected: bool = True
    target: bool = True


@dataclass
class Ratio:
    """A published rate: numerator ÷ denominator, rounded to four decimals."""

    where: str
    numerator: dict[int, int]
    denominator: dict[int, int]
    value: float
    protected: bool


@dataclass
class AtLeast:
    """What an institutions figure says of people: at least this many participations of these classes."""

    where: str
    weights: dict[int, int]
    minimum: int


@dataclass
class Knowledge:
    observations: list[Observation] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    at_least: list[AtLeast] = field(default_factory=list)
    fixed: bool = False
    """Set by `solve`: whether the published counts determined every class's protected count."""
    rows: dict[tuple[str, str | None], set[str]] = field(default_factory=dict)
    """Every row each table by each breakdown could have (see `possible_keys`)."""


def _weights(classes: list[Klass], weigh: Callable[[Klass], int]) -> dict[int, int]:
    return {index: w for index, klass in enumerate(classes) if (w := weigh(klass))}


def possible_keys(classes: list[Klass], table: str, by: str | None) -> set[str]:
    """Every row a table by `by` could have, given the classes the adversary knows the data may hold."""
    if by is None:
        return set()
    return {key for key, _ in cells_of(classes, table, {}, by) if key is not None}


def read_table(knowledge: Knowledge, classes: list[Klass], body: Mapping[str, Any]) -> None:
    """Every count of one answer of /figures/{beneficiaries,grants,courses}, and every row it leaves out (zeros)."""
    filters = {name: value for name, value in body["filters"].items() if value is not None}
    table, by = body["table"], body["by"]
    protected = body.get("protection") is not None
    where = f"{table} by {by} {filters}"
    cells = cells_of(classes, table, filters, by)
    if table == "beneficiaries":
        total = body["total"]
        knowledge.observations.append(
            Observation(
                f"{where} total",
                cells.get((None, "people"), {}),
                total,
                "small" if total is None else None,
                protected,
            )
        )
    shown = {str(row["key"]) for row in body["rows"]}
    if (table, by) not in knowledge.rows:
        knowledge.rows[(table, by)] = possible_keys(classes, table, by)
    absent = [{"key": key} for key in sorted(knowledge.rows[(table, by)] - shown)]
    measures = {"beneficiaries": ["people"], "grants": list(GRANT_COUNTS), "courses": list(COURSE_COUNTS)}[
        table
    ]
    for row in [*body["rows"], *absent]:
        key = str(row["key"])
        for measure in measures:
            if key in shown and measure not in row:
                continue  # a count the answer does not have (an earlier version of the API)
            value = row.get(measure, 0)
            if measure == "hours_certified" and value is not None:
                value = int(Decimal(value))
            hidden = None
            if value is None:
                hidden = "protecting" if measure in row.get("protecting", []) else "small"
            knowledge.observations.append(
                Observation(
                    f"{where} {key} {measure}",
                    cells.get((key, measure), {}),
                    value,
                    hidden,
                    protected,
                    target=measure != "hours_certified",
                )
            )
        if table == "courses" and row.get("completion_rate") is not None:
            knowledge.ratios.append(
                Ratio(
                    f"{where} {key} completion_rate",
                    cells.get((key, "completed"), {}),
                    cells.get((key, "evaluated"), {}),
                    row["completion_rate"],
                    protected,
                )
            )


def read_count(
    knowledge: Knowledge,
    classes: list[Klass],
    where: str,
    weigh: Callable[[Record], bool],
    value: int,
    beneficiaries: bool = False,
) -> None:
    """A published count of records (or, with `beneficiaries`, of people) that `weigh` says it counts."""

    def weight(klass: Klass) -> int:
        if beneficiaries:
            return int(klass.beneficiary and any(r.qualifying and weigh(r) for r in klass.records))
        return sum(1 for r in klass.records if weigh(r))

    knowledge.observations.append(Observation(where, _weights(classes, weight), value))


def read_institutions(knowledge: Knowledge, classes: list[Klass], body: Mapping[str, Any]) -> None:
    """What the public institutions figures say of people: each institution reached directly had a beneficiary
    with a participation there, so the participations at such institutions are at least that many."""
    assert body.get("protection") is not None, "the public sees institutions as protected figures"
    country = body["filters"]["country"]
    assert body["filters"]["program"] is None
    assert body["filters"]["year"] is None

    def at(country: str | None, kind: str | None) -> dict[int, int]:
        def weigh(klass: Klass) -> int:
            if not klass.beneficiary:
                return 0
            return sum(
                1
                for r in klass.records
                if r.qualifying
                and (country is None or r.values["institution"][0] == country)
                and (kind is None or r.values["institution"][1] == kind)
            )

        return _weights(classes, weigh)

    where = f"institutions by {body['by']} in {country}"
    knowledge.at_least.append(AtLeast(f"{where} direct", at(country, None), body["direct"]))
    if body["by"] in ("country", "institution_type"):
        for row in body["rows"]:
            place = (row["key"], None) if body["by"] == "country" else (country, row["key"])
            knowledge.at_least.append(AtLeast(f"{where} {row['key']} direct", at(*place), row["direct"]))


# ------------------------------------------------------------------------- the solver


@dataclass
class Range:
    where: str
    low: int
    high: int

    @property
    def width(self) -> int:
        """How many true counts remain possible."""
        return self.high - self.low + 1


class Infeasible(AssertionError):
    """The answers are not what the declared method can give: something was published another way."""


def solve(classes: list[Klass], knowledge: Knowledge) -> list[Range]:
    """For each target observation, the least and greatest true count consistent with everything published."""
    n = len(classes)
    # Variables: x (true count of each class), then z (its protected count / 3).
    rows: list[np.ndarray] = []
    lows: list[float] = []
    highs: list[float] = []

    said: set[tuple[Any, ...]] = set()

    def constrain(x: Mapping[int, float], z: Mapping[int, float], low: float, high: float) -> None:
        key = (tuple(sorted(x.items())), tuple(sorted(z.items())), low, high)
        if key in said:
            return
        said.add(key)
        row = np.zeros(2 * n)
        for index, weight in x.items():
            row[index] += weight
        for index, weight in z.items():
            row[n + index] += weight
        rows.append(row)
        lows.append(low)
        highs.append(high)

    for index in range(n):  # |x - 3z| <= 2
        constrain({index: 1}, {index: -3}, -2, 2)
    for o in knowledge.observations:
        if o.protected:
            assert o.value is not None, o.where
            constrain({}, {i: 3 * w for i, w in o.weights.items()}, o.value, o.value)
        elif o.value is not None:
            constrain(o.weights, {}, o.value, o.value)
        elif o.hidden == "small":
            constrain(o.weights, {}, 1, 4)
        else:
            constrain(o.weights, {}, 5, np.inf)
    for r in knowledge.ratios:
        if r.protected:
            continue  # a rate of published counts: checked by the caller, it adds nothing
        # |num - rate * den| <= 0.00005 * den
        x = {i: float(w) for i, w in r.numerator.items()}
        for i, w in r.denominator.items():
            x[i] = x.get(i, 0.0) - (r.value + 0.00005) * w
        constrain(x, {}, -np.inf, 0)
        x = {i: float(w) for i, w in r.numerator.items()}
        for i, w in r.denominator.items():
            x[i] = x.get(i, 0.0) - (r.value - 0.00005) * w
        constrain(x, {}, 0, np.inf)
    for a in knowledge.at_least:
        constrain(a.weights, {}, a.minimum, np.inf)
    matrix = np.array(rows)
    constraints = LinearConstraint(matrix, np.array(lows), np.array(highs))
    bounds = Bounds(np.zeros(2 * n), np.full(2 * n, np.inf))
    integrality = np.ones(2 * n)

    def extreme(objective: np.ndarray, bounds: Bounds) -> tuple[int, np.ndarray]:
        result = milp(objective, constraints=constraints, integrality=integrality, bounds=bounds)
        if result.status == 2:
            raise Infeasible("no microdata is consistent with what was published")
        assert result.status == 0, result.message
        return round(float(objective @ result.x)), result.x

    # Everything published, at once: is any microdata consistent with it?
    _, point = extreme(np.zeros(2 * n), bounds)
    # The equalities on z have a basis of at most n rows, and every other one follows from them (they were
    # all computed from one z): the same feasible set, with a much smaller problem to solve per range.
    on_z = [i for i, row in enumerate(rows) if lows[i] == highs[i] and not row[:n].any()]
    equal_on_z = set(on_z)
    rest = [i for i in range(len(rows)) if i not in equal_on_z]
    basis: list[int] = []
    determined = np.zeros(n, dtype=bool)
    if on_z:
        equalities = matrix[on_z][:, n:]
        _, r, pivots = scipy.linalg.qr(equalities.T, mode="economic", pivoting=True)
        diagonal = np.abs(np.diag(r))
        rank = int(np.sum(diagonal > diagonal.max() * 1e-9)) if diagonal.size else 0
        basis = [on_z[i] for i in pivots[:rank]]
        # A class whose z no direction of the null space moves is the same in every solution.
        null = scipy.linalg.null_space(matrix[basis][:, n:])
        determined = np.all(np.abs(null) < 1e-9, axis=1) if null.size else np.ones(n, dtype=bool)
    kept = sorted([*basis, *rest])
    constraints = LinearConstraint(matrix[kept], np.array(lows)[kept], np.array(highs)[kept])
    z = np.round(point[n:])
    lowest = np.maximum(3 * z - 2, 0)
    # What is determined is fixed: the same feasible set, smaller problems.
    bounds = Bounds(
        np.concatenate([np.where(determined, lowest, 0), np.where(determined, z, 0)]),
        np.concatenate([np.where(determined, 3 * z + 2, np.inf), np.where(determined, z, np.inf)]),
    )

    def redundant(i: int) -> bool:
        """A row "sum of a x >= b" (a >= 0) on determined classes that their least counts already satisfy."""
        x_part = rows[i][:n]
        return (
            highs[i] == np.inf
            and bool((x_part >= 0).all())
            and bool(determined[np.flatnonzero(x_part)].all())
            and float(x_part @ lowest) >= lows[i]
        )

    coupled = {int(i) for k in range(n, len(rows)) if not redundant(k) for i in np.flatnonzero(rows[k][:n])}
    knowledge.fixed = bool(determined.all())

    def closed_form(weights: Mapping[int, int]) -> tuple[int, int] | None:
        """A range over classes whose z is determined and whose x nothing but its own bounds constrains: exact."""
        if any(not determined[i] or i in coupled for i in weights):
            return None
        return (
            sum(w * max(3 * int(z[i]) - 2, 0) for i, w in weights.items()),
            sum(w * (3 * int(z[i]) + 2) for i, w in weights.items()),
        )

    ranges: list[Range] = []
    seen: dict[tuple[tuple[int, int], ...], Range] = {}
    for o in knowledge.observations:
        if not o.target:
            continue
        key = tuple(sorted(o.weights.items()))
        if not key:
            continue  # no class of the data can count there: zero by what the adversary knows beforehand
        if key not in seen:
            known = closed_form(o.weights)
            # Every 25th range known in closed form is solved as well: the two must agree.
            if known is None or len(seen) % 25 == 0:
                objective = np.zeros(2 * n)
                for index, weight in o.weights.items():
                    objective[index] = weight
                low, _ = extreme(objective, bounds)
                high, _ = extreme(-objective, bounds)
                assert known in (None, (low, -high)), (o.where, known, (low, -high))
                known = (low, -high)
            seen[key] = Range(o.where, *known)
        ranges.append(Range(o.where, seen[key].low, seen[key].high))
    return ranges


def true_count(classes: list[Klass], weights: Mapping[int, int]) -> int:
    return sum(classes[index].count * weight for index, weight in weights.items())
