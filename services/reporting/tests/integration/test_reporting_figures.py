"""Every figure's definition, checked on PostgreSQL against values worked out by hand (see conftest's scenario)."""

import random
from typing import Any

import pytest
from ibermuseos_kernel.errors import Forbidden, NotFound
from ibermuseos_reporting.adapters.queries import MicrodataCache, SqlFigures
from ibermuseos_reporting.adapters.rebuild_target import asyncpg_url
from ibermuseos_reporting.adapters.store import BulkWriter
from ibermuseos_reporting.application import figures
from ibermuseos_reporting.domain.disclosure import Viewer
from ibermuseos_reporting.domain.facts import merge_facts
from ibermuseos_reporting.domain.figures import Filters
from ibermuseos_reporting.domain.projections import project
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = pytest.mark.integration

COORDINATOR = Viewer(everything=True)


async def exact_figures(session: AsyncSession, schema: str) -> dict[str, Any]:
    """The scenario's figures as a coordinator sees them."""
    source = SqlFigures(session, schema)

    async def cells(by: str) -> dict[str, Any]:
        body = await figures.beneficiaries(source, COORDINATOR, Filters(), by, "es")
        return {row["key"]: row["people"] for row in body["rows"]}

    total = (await figures.beneficiaries(source, COORDINATOR, Filters(), None, "es"))["total"]
    summary, by_country = await source.institutions(Filters(), "country")
    grants = await figures.grants(source, COORDINATOR, Filters(), "call", "es")
    courses = await figures.courses(source, COORDINATOR, Filters(), "offering", "es")
    keep = (
        "enrolments",
        "evaluated",
        "completed",
        "completion_rate",
        "certificates",
        "hours_certified",
        "cancellations",
    )
    return {
        "beneficiaries": total,
        "by_country": await cells("country"),
        "by_program": await cells("program"),
        "by_year": await cells("year"),
        "by_gender": await cells("gender"),
        "institutions": summary,
        "institutions_by_country": {row["key"]: row["institutions"] for row in by_country},
        "grants": {
            key: value
            for key, value in grants["rows"][0].items()
            if key not in ("key", "label", "suppressed", "protecting", "exact")
        },
        "courses": {row["label"]: {key: row[key] for key in keep} for row in courses["rows"]},
        "applications_by_country": (await figures.applications_by_country(source, COORDINATOR))["by_country"],
    }


async def test_every_figure_of_the_scenario_is_the_one_worked_out_by_hand(
    apply: Any, session: AsyncSession, schema: str, scenario: Any, expected: dict[str, Any]
) -> None:
    await apply(scenario.published)
    assert await exact_figures(session, schema) == expected


async def test_the_same_person_in_three_programs_is_one_beneficiary(
    apply: Any, session: AsyncSession, schema: str, scenario: Any
) -> None:
    await apply(scenario.published)
    source = SqlFigures(session, schema)
    body = await figures.beneficiaries(source, COORDINATOR, Filters(country="MX"), "program", "es")
    # Ana (courses, conversatorio, grant), Bruno (mini course), Hugo (course): 3 people, 5 participations.
    assert body["total"] == 3
    assert sum(row["people"] for row in body["rows"]) == 5


async def test_replication_counts_institutions_no_beneficiary_came_from(
    apply: Any, session: AsyncSession, schema: str, scenario: Any
) -> None:
    await apply(scenario.published)
    summary, by_type = await SqlFigures(session, schema).institutions(
        Filters(country="PE"), "institution_type"
    )
    # MALI directly (Diego's own, also replicated to: counted once); Ica and Cusco only through replication.
    assert summary == {"total": 3, "direct": 1, "through_replication_only": 2}
    assert {row["key"]: row["institutions"] for row in by_type} == {"museum": 2, "cultural_centre": 1}


async def test_events_in_any_order_and_each_twice_give_the_same_figures(
    apply: Any, session: AsyncSession, schema: str, scenario: Any, expected: dict[str, Any]
) -> None:
    shuffled = list(scenario.published) * 2
    random.Random(7).shuffle(shuffled)
    await apply(shuffled)
    assert await exact_figures(session, schema) == expected


async def test_the_rebuild_writer_gives_the_same_figures_as_the_live_consumer(
    reporting_database: str, session: AsyncSession, schema: str, scenario: Any, expected: dict[str, Any]
) -> None:
    import asyncpg

    connection = await asyncpg.connect(asyncpg_url(reporting_database))
    try:
        writer = BulkWriter(connection, schema)
        batch = list(scenario.published)
        random.Random(3).shuffle(batch)
        for start in range(0, len(batch), 7):
            part = batch[start : start + 7]
            facts = [fact for item in part for fact in project(item.type, item.public)]
            await writer.write(merge_facts(facts), len(part), max(item.time for item in part))
        # Redelivered after a crash: nothing changes.
        facts = [fact for item in batch for fact in project(item.type, item.public)]
        await writer.write(merge_facts(facts), len(batch), max(item.time for item in batch))
    finally:
        await connection.close()
    assert await exact_figures(session, schema) == expected


async def test_the_public_sees_protected_counts_and_a_focal_point_its_country_exactly(
    apply: Any, session: AsyncSession, schema: str, scenario: Any
) -> None:
    await apply(scenario.published)
    source = SqlFigures(session, schema)
    public = await figures.beneficiaries(source, Viewer.public(), Filters(), "country", "es")
    assert public["exact"] is False
    assert public["protection"]["base"] == 3
    counts = [public["total"], *(row["people"] for row in public["rows"])]
    # Every published count is a sum of classes' counts rounded to a multiple of 3; nothing is hidden.
    assert all(count % 3 == 0 for count in counts)
    assert all(row["exact"] is False and row["suppressed"] == [] for row in public["rows"])
    peru = await figures.beneficiaries(source, Viewer(country="PE"), Filters(), "country", "es")
    assert [(row["key"], row["people"], row["exact"]) for row in peru["rows"] if row["key"] == "PE"] == [
        ("PE", 1, True)
    ]
    assert all(not row["exact"] and row["people"] % 3 == 0 for row in peru["rows"] if row["key"] != "PE")
    assert peru["exact"] is False  # other countries' cells, and the total, are the protected ones
    own = await figures.beneficiaries(source, Viewer(country="PE"), Filters(country="PE"), "gender", "es")
    assert (own["exact"], own["protection"], own["total"]) == (True, None, 1)
    assert [(row["key"], row["people"]) for row in own["rows"]] == [("male", 1)]


async def test_public_amounts_are_the_published_number_of_grants_times_the_mean_grant(
    apply: Any, session: AsyncSession, schema: str, scenario: Any, new_scenario: Any
) -> None:
    # Whether a call's two accepted grants are published (as 3) or not (as 0) is a draw; each new
    # scenario is a new draw, so scenarios are added until one call's grants are published.
    source = SqlFigures(session, schema)
    published: list[dict[str, Any]] = []
    for another in [scenario, *(new_scenario() for _ in range(11))]:
        await apply(another.published)
        public = await figures.grants(source, Viewer.public(), Filters(), "call", "es")
        published = [row for row in public["rows"] if row["accepted"]]
        if published:
            break
    assert published, "in twelve draws no call's accepted grants were published"
    for row in published:
        assert row["label"] == "Becas 2027"
        assert row["accepted"] % 3 == 0
        # Ana's 2,000 and Diego's 1,500 accepted: a mean of 1,750; nothing but the count is told.
        assert row["amount_accepted"] == {"USD": f"{row['accepted'] * 1750}.00"}
    exact = await figures.grants(source, COORDINATOR, Filters(), "call", "es")
    assert {str(row["amount_accepted"]) for row in exact["rows"]} == {str({"USD": "3500.00"})}
    assert exact["exact"] is True


async def test_by_institution_is_for_exact_viewers_only(
    apply: Any, session: AsyncSession, schema: str, scenario: Any
) -> None:
    await apply(scenario.published)
    source = SqlFigures(session, schema)
    # Without a token the service asks for one (401, tested on the service) before it asks this.
    with pytest.raises(Forbidden):
        await figures.beneficiaries(source, Viewer.public(), Filters(), "institution", "es")
    with pytest.raises(NotFound):
        await figures.beneficiaries(source, Viewer(country="PE"), Filters(country="CL"), "institution", "es")
    own = await figures.beneficiaries(
        source, Viewer(country="MX"), Filters(country="MX"), "institution", "es"
    )
    assert [(row["label"], row["people"]) for row in own["rows"]] == [("Museo Nacional de Antropología", 3)]


async def test_the_microdata_is_built_again_when_the_data_changed_at_most_as_often_as_set(
    apply: Any, session: AsyncSession, schema: str, scenario: Any
) -> None:
    await apply(scenario.published[:10])
    every_time, at_most_hourly = MicrodataCache(b"secret"), MicrodataCache(b"secret", seconds=3600)
    before = await every_time.of(session, schema)
    assert await every_time.of(session, schema) is before  # nothing changed: not built again
    held = await at_most_hourly.of(session, schema)
    await session.commit()

    await apply(scenario.published[10:])

    assert await every_time.of(session, schema) is not before
    assert await at_most_hourly.of(session, schema) is held
