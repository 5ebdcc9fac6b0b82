"""Nothing the public sees pins a count of people: an integer-programming adversary against everything published.

The three leaks of issue 12 first, each as the adversary reading the one table that gave the count
away; then the adversary reading everything the public API returns for generated programs with many
small cells (`reporting_adversary.py` says what it knows).
"""

import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from itertools import product
from typing import Any

import asyncpg
import pytest
from ibermuseos_reporting.adapters.queries import SqlFigures
from ibermuseos_reporting.adapters.rebuild_target import asyncpg_url
from ibermuseos_reporting.adapters.store import BulkWriter
from ibermuseos_reporting.application import figures
from ibermuseos_reporting.domain.disclosure import Viewer
from ibermuseos_reporting.domain.facts import merge_facts
from ibermuseos_reporting.domain.figures import (
    BENEFICIARY_BREAKDOWNS,
    COURSE_BREAKDOWNS,
    FINE_DIMENSIONS,
    GRANT_BREAKDOWNS,
    INSTITUTION_BREAKDOWNS,
    Filters,
)
from ibermuseos_reporting.domain.opendata import Publisher, giving_package, iati_activity
from ibermuseos_reporting.domain.projections import project
from lxml import etree
from reporting_adversary import (
    FINDINGS,
    Application,
    Enrolment,
    Knowledge,
    Offering,
    Person,
    Place,
    Program,
    Range,
    classes_of,
    events_of,
    generate,
    participation,
    read_count,
    read_institutions,
    read_table,
    solve,
    true_count,
)
from reporting_standards import giving_validator
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration

PUBLIC = Viewer.public()
PUBLISHER = Publisher("XM-IBERMUSEOS", "Programa Ibermuseos", "XM-IBERMUSEOS-FORMACION")
NOW = datetime(2028, 1, 15, tzinfo=UTC)
Load = Callable[[Program], Awaitable[None]]


@pytest.fixture
def load(reporting_database: str, schema: str, events: Any) -> Load:
    """Writes a program's public events into the schema, as a rebuild would."""

    async def run(program: Program) -> None:
        published = events_of(program, events)
        connection = await asyncpg.connect(asyncpg_url(reporting_database))
        try:
            facts = [fact for item in published for fact in project(item.type, item.public)]
            await BulkWriter(connection, schema).write(
                merge_facts(facts), len(published), max(item.time for item in published)
            )
        finally:
            await connection.close()

    return run


def small_program(**parts: Any) -> Program:
    offerings = {"course": Offering(uuid.uuid4(), "training_course", 40)}
    calls = {"grants": (uuid.uuid4(), 2027)}
    return Program(offerings, calls, parts.get("enrolments", []), parts.get("applications", []))


def person(country: str, number: int) -> Person:
    return Person(
        f"{country.lower()}-{number}-{uuid.uuid4().hex[:6]}",
        country,
        None,
        Place(f"Museo {country}", "Capital", country, "museum"),
    )


def narrowest(ranges: list[Range], where: str) -> Range:
    found = [r for r in ranges if where in r.where]
    assert found, f"nothing published about {where}"
    return min(found, key=lambda r: r.width)


# ----------------------------------------------------------------- the leaks


async def test_a_completion_rate_does_not_give_away_a_count_of_completions(
    load: Load, session: AsyncSession, schema: str
) -> None:
    # Five evaluated, three completed: shown "evaluated 5, rate 0.6" with completions hidden said 3.
    people = [person("MX", n) for n in range(5)]
    program = small_program(
        enrolments=[
            Enrolment(p, "course", "completed" if n < 3 else "not_completed", 2027)
            for n, p in enumerate(people)
        ]
    )
    await load(program)
    body = await figures.courses(SqlFigures(session, schema), PUBLIC, Filters(), "offering", "es")
    classes, knowledge = classes_of(program), Knowledge()
    read_table(knowledge, classes, body)

    completed = narrowest(solve(classes, knowledge), "completed")

    assert completed.width >= 3, completed


async def test_the_counts_of_a_row_do_not_give_away_the_one_left_out(
    load: Load, session: AsyncSession, schema: str
) -> None:
    # Twelve applications, ten eligible: "ineligible" hidden was 12 - 10 = 2.
    program = small_program(
        applications=[Application(person("MX", n), "grants", eligible=n < 10) for n in range(12)]
    )
    await load(program)
    body = await figures.grants(SqlFigures(session, schema), PUBLIC, Filters(), "call", "es")
    classes, knowledge = classes_of(program), Knowledge()
    read_table(knowledge, classes, body)

    ineligible = narrowest(solve(classes, knowledge), " ineligible")

    assert ineligible.width >= 3, ineligible


async def test_the_total_minus_the_cells_shown_does_not_give_away_the_small_countries(
    load: Load, session: AsyncSession, schema: str
) -> None:
    # 61 people, 57 of them in countries shown: the four small countries were one each.
    sizes = {"MX": 30, "BR": 15, "PE": 12, "AD": 1, "BO": 1, "CR": 1, "UY": 1}
    program = small_program(
        enrolments=[
            Enrolment(person(country, n), "course", "completed", 2027)
            for country, size in sizes.items()
            for n in range(size)
        ]
    )
    await load(program)
    body = await figures.beneficiaries(SqlFigures(session, schema), PUBLIC, Filters(), "country", "es")
    classes, knowledge = classes_of(program), Knowledge()
    read_table(knowledge, classes, body)

    ranges = solve(classes, knowledge)

    for country in ("AD", "BO", "CR", "UY"):
        cell = narrowest(ranges, f" {country} people")
        assert cell.width >= 3, cell


# -------------------------------------------------------------- everything published


COUNTRIES = ["MX", "BR", "PE", "CL", "AD", "BO", "CR"]
PROGRAMS = ["training_grants", "training_courses", "mini_courses", "conversatorios"]
YEARS = [2026, 2027]


async def everything_public(source: SqlFigures, classes: list[Any]) -> tuple[Knowledge, int]:
    """What the public API returns for the program, read by the adversary: every table under every filter."""
    knowledge, answers = Knowledge(), 0
    for country, program, year in product([None, *COUNTRIES], [None, *PROGRAMS], [None, *YEARS]):
        filters = Filters(country, program, year)
        for by in (None, *(b for b in BENEFICIARY_BREAKDOWNS if b not in FINE_DIMENSIONS)):
            read_table(knowledge, classes, await figures.beneficiaries(source, PUBLIC, filters, by, "en"))
            answers += 1
        for by in COURSE_BREAKDOWNS:
            read_table(knowledge, classes, await figures.courses(source, PUBLIC, filters, by, "en"))
            answers += 1
        if program is None:
            for by in GRANT_BREAKDOWNS:
                read_table(knowledge, classes, await figures.grants(source, PUBLIC, filters, by, "en"))
                answers += 1
    for country in [None, *COUNTRIES]:
        for by in (None, *INSTITUTION_BREAKDOWNS):
            read_institutions(
                knowledge, classes, await figures.institutions(source, PUBLIC, Filters(country), by)
            )
            answers += 1
    await read_the_rest(knowledge, classes, source)
    return knowledge, answers + 4


async def read_the_rest(knowledge: Knowledge, classes: list[Any], source: SqlFigures) -> None:
    """The headline, applications by country, and the IATI and 360Giving files, read as the counts they are."""
    headline = await figures.headline_figures(source, PUBLIC, "en")
    read_count(
        knowledge, classes, "headline people", lambda r: True, headline["beneficiaries"], beneficiaries=True
    )
    for program in PROGRAMS:
        read_count(
            knowledge,
            classes,
            f"headline {program}",
            lambda r, p=program: participation(r)["program"] == p,
            headline["by_program"].get(program, 0),
            beneficiaries=True,
        )
    applications = (await figures.applications_by_country(source, PUBLIC))["by_country"]
    for country in COUNTRIES:
        read_count(
            knowledge,
            classes,
            f"applications {country}",
            lambda r, c=country: r.table == "grant" and r.values["submitted"] and r.values["country"] == c,
            applications.get(country, 0),
        )
    document = etree.fromstring(iati_activity(PUBLISHER, await figures.iati_indicators(source), NOW))
    for indicator in document.iterfind("iati-activity/result/indicator"):
        code = indicator.find("reference").get("code")
        if code == "institutions":
            continue  # the whole program's, as in the institutions figures read above
        for period in indicator.iterfind("period"):
            year = int(period.find("period-start").get("iso-date")[:4])
            for actual in period.iterfind("actual"):
                dimension, value = actual.find("dimension"), int(actual.get("value"))
                where = f"iati {code} {year} " + ("total" if dimension is None else dimension.get("value"))
                read_count(
                    knowledge, classes, where, iati_cell(code, year, dimension), value, beneficiaries=True
                )
    for record in await figures.giving_records(source, PUBLISHER, NOW):
        call, members = record["Grant Programme:Code"], record["Identifier"].split("-USD-", 1)[1].split("-")
        read_count(
            knowledge,
            classes,
            f"360giving {record['Identifier']}",
            lambda r, c=call, m=members: (
                r.table == "grant"
                and r.values["accepted"]
                and r.values["call"] == c
                and r.values["country"] in m
            ),
            record["Number of grantees"],
        )


def iati_cell(code: str, year: int, dimension: Any) -> Callable[[Any], bool]:
    """Which participations a number of the IATI file counts the people of."""
    if code == "grantees":
        return lambda r: participation(r)["program"] == "training_grants" and r.values["year"] == year
    if dimension is None:
        return lambda r: r.values["year"] == year
    name, key = dimension.get("name"), dimension.get("value")
    return lambda r: r.values["year"] == year and participation(r)[name] == key


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_no_public_figure_narrows_a_count_of_people_below_its_protection_interval(
    seed: int, load: Load, session: AsyncSession, schema: str
) -> None:
    program = generate(seed)
    await load(program)
    classes = classes_of(program)
    source = SqlFigures(session, schema)
    started = time.perf_counter()
    knowledge, answers = await everything_public(source, classes)
    read = time.perf_counter() - started

    ranges = solve(classes, knowledge)
    solved = time.perf_counter() - started - read

    published = {o.where: o for o in knowledge.observations}
    for cell in ranges:
        shown = published[cell.where].value
        assert shown is not None
        truth = true_count(classes, published[cell.where].weights)
        assert cell.low <= truth <= cell.high, cell
        # The protection interval: nothing published excludes any count within 2 of the one shown.
        assert cell.low <= max(shown - 2, 0), cell
        assert cell.high >= shown + 2, cell
    for rate in knowledge.ratios:
        assert rate.protected
    tightest = min(ranges, key=lambda r: r.width)
    above_zero = min((r for r in ranges if published[r.where].value), key=lambda r: r.width)
    small = sum(1 for k in classes if k.count < 5)
    FINDINGS.append(
        f"seed {seed}: {len(classes)} classes ({small} of fewer than 5), {answers} answers, "
        f"{len(knowledge.observations)} counts read in {read:.1f}s; {len(ranges)} ranges solved in {solved:.1f}s "
        f"({'protected counts determined' if knowledge.fixed else 'protected counts free'}); "
        f"narrowest: {tightest.width} possible counts ({tightest.low}–{tightest.high}) for {tightest.where}; "
        f"for a count published above 0: {above_zero.width} ({above_zero.low}–{above_zero.high}) for {above_zero.where}"
    )


# ------------------------------------------------------------------------- open-data files


async def test_the_360giving_file_of_published_grantees_is_valid_and_none_is_made_while_there_are_none(
    load: Load, session: AsyncSession, schema: str
) -> None:
    source = SqlFigures(session, schema)
    assert await figures.giving_records(source, PUBLISHER, NOW) == []  # the service answers 404
    # Three grantees alike in every published respect: a class of 3, published as 3.
    grantees = [
        Application(person("MX", n), "grants", eligible=True, amount=2000, accepted=True) for n in range(3)
    ]
    await load(small_program(applications=grantees))

    records = await figures.giving_records(source, PUBLISHER, NOW)

    assert [(r["locations"], r["Number of grantees"], r["Amount Awarded"]) for r in records] == [
        (["MX"], 3, "6000.00")
    ]
    errors = [
        error.message for error in giving_validator().iter_errors(giving_package(records, PUBLISHER, NOW))
    ]
    assert errors == [], errors
