"""What each public event says, as facts (hand-checked), and the rebuild's steps with fakes."""

import os
import subprocess
import sys
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from ibermuseos_reporting.application.rebuild import Progress, rebuild
from ibermuseos_reporting.domain import projections
from ibermuseos_reporting.domain.facts import Column, FactTable, merge_facts
from ibermuseos_reporting.domain.projections import (
    APPLICATIONS,
    CERTIFICATES,
    ENROLMENTS,
    REPLICATION_INSTITUTIONS,
    SPELLINGS,
    project,
    version,
)


def facts_of(item: Any) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    return {table.name: rows for table, rows in merge_facts(project(item.type, item.public)).items()}


def test_a_submitted_application_records_the_applicant_profile_and_the_spelling_of_the_institution(
    events: Any,
) -> None:
    app, call = uuid.uuid4(), uuid.uuid4()
    museum = events.institution("Museo Nacional de Antropología", "Ciudad de México", "MX")
    item = events.submitted(app, call, "ana", country="MX", institution=museum, gender="female")
    facts = facts_of(item)
    row = facts["applications"][(app,)]
    assert (row["person"], row["country"], row["gender"], row["call_year"]) == (
        events.person("ana"),
        "MX",
        "female",
        2027,
    )
    assert row["spelling"] == "MX|ciudad de mexico|museo nacional de antropologia"
    assert row["requested_amount"] == Decimal("1800.00")
    assert "name" not in row
    assert "email" not in row
    assert list(facts["spellings"]) == [("MX|ciudad de mexico|museo nacional de antropologia",)]


def test_a_grant_report_records_each_replicated_institution(events: Any) -> None:
    app, call = uuid.uuid4(), uuid.uuid4()
    places = [
        events.institution("Museo Regional de Ica", "Ica", "PE"),
        events.institution("MALI", "Lima", "PE"),
    ]
    facts = facts_of(events.report(app, call, "diego", places))
    assert [row["spelling"] for row in facts["replication_institutions"].values()] == [
        "PE|ica|museo regional de ica",
        "PE|lima|mali",
    ]
    assert facts["applications"][(app,)]["report_attended"] is True


def test_a_later_eligibility_declaration_wins_whatever_the_order(events: Any) -> None:
    app, call = uuid.uuid4(), uuid.uuid4()
    ineligible = events.ineligible(app, call, "gabi")
    override = events.eligible(app, call, "gabi")
    for order in ([ineligible, override], [override, ineligible]):
        facts = [fact for item in order for fact in project(item.type, item.public)]
        assert merge_facts(facts)[APPLICATIONS][(app,)]["eligible"] is True


def test_a_completion_records_the_outcome_year_and_hours(events: Any) -> None:
    enrolment, offering = uuid.uuid4(), uuid.uuid4()
    place = events.institution("Museu Nacional", "Rio de Janeiro", "BR")
    item = events.completed(
        enrolment, offering, "ivan", kind="mini_course", country="BR", institution=place, hours="10"
    )
    row = merge_facts(project(item.type, item.public))[ENROLMENTS][(enrolment,)]
    assert (row["outcome"], row["year"], row["hours"], row["kind"]) == (
        "completed",
        2027,
        Decimal("10"),
        "mini_course",
    )


def test_a_revocation_arriving_before_its_certificate_keeps_both(events: Any) -> None:
    certificate, enrolment, offering = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    issued = events.certificate(certificate, enrolment, offering, "elena", "40")
    revoked = events.revoked(certificate, "elena")
    facts = [fact for item in (revoked, issued) for fact in project(item.type, item.public)]
    row = merge_facts(facts)[CERTIFICATES][(certificate,)]
    assert row["enrolment_id"] == enrolment
    assert row["revoked_at"] == revoked.public.revoked_at


def test_the_best_written_spelling_is_kept_whatever_the_order(events: Any) -> None:
    app, call = uuid.uuid4(), uuid.uuid4()
    plain = events.submitted(
        app,
        call,
        "a",
        country="MX",
        institution=events.institution("MUSEO NACIONAL DE ANTROPOLOGIA", "CIUDAD DE MEXICO", "MX"),
    )
    nice = events.submitted(
        app,
        call,
        "a",
        country="MX",
        institution=events.institution("Museo Nacional de Antropología", "Ciudad de México", "MX"),
    )
    for order in ([plain, nice], [nice, plain]):
        facts = [fact for item in order for fact in project(item.type, item.public)]
        row = next(iter(merge_facts(facts)[SPELLINGS].values()))
        assert (row["name"], row["city"]) == ("Museo Nacional de Antropología", "Ciudad de México")


def test_events_reporting_does_not_read_give_no_facts() -> None:
    assert project("org.ibermuseos.applications.ApplicationScored.v1", object()) == []


def test_the_projection_version_is_the_same_in_every_process_and_changes_with_a_new_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    current = version()
    assert len(current) == 12
    in_another_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from ibermuseos_reporting.domain.projections import version; print(version())",
        ],
        env={**os.environ, "PYTHONHASHSEED": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert in_another_process == current
    extended = FactTable(
        REPLICATION_INSTITUTIONS.name,
        REPLICATION_INSTITUTIONS.key,
        {**REPLICATION_INSTITUTIONS.columns, "added_later": Column(str)},
    )
    monkeypatch.setattr(
        projections,
        "TABLES",
        tuple(extended if table is REPLICATION_INSTITUTIONS else table for table in projections.TABLES),
    )
    assert version() != current


# ---------------------------------------------------------------------------- rebuild


class FakeSource:
    """Partitions as lists; `published` grows while the rebuild runs."""

    def __init__(self, published: list[Any]) -> None:
        self.published = published
        self.position = 0

    async def end_offsets(self) -> dict[Any, int]:
        return {"p0": len(self.published)}

    def remaining(self, goal: dict[Any, int]) -> int:
        return max(0, goal["p0"] - self.position)

    async def next_batch(self, goal: dict[Any, int], max_records: int) -> tuple[int, list[Any]] | None:
        if self.position >= goal["p0"]:
            return None
        batch = self.published[self.position : min(goal["p0"], self.position + max_records)]
        self.position += len(batch)
        return len(batch), [_Decoded(item) for item in batch]


class _Decoded:
    def __init__(self, item: Any) -> None:
        self.type, self.event, self.time = item.type, item.public, item.time


class FakeTarget:
    def __init__(self, source: FakeSource, late: list[Any]) -> None:
        self.schema = "rm_test"
        self.rows: list[Any] = []
        self.log: list[str] = []
        self._source, self._late = source, late

    async def write(self, rows: Any, events: int, last_event_time: datetime | None) -> None:
        self.rows.append(rows)
        self.log.append(f"write {events}")
        if self._late:
            # Events keep arriving while the rebuild reads.
            self._source.published.extend(self._late)
            self._late = []

    def switching(self) -> Any:
        target = self

        class Switching:
            async def __aenter__(self) -> Any:
                target.log.append("lock")

                async def switch() -> None:
                    target.log.append("switch")

                return switch

            async def __aexit__(self, *exc: object) -> None:
                target.log.append("unlock")

        return Switching()


async def test_a_rebuild_reads_everything_even_what_arrives_meanwhile_then_switches_under_the_lock(
    scenario: Any,
) -> None:
    first, late = scenario.published[:30], scenario.published[30:]
    source = FakeSource(list(first))
    target = FakeTarget(source, list(late))
    lines: list[str] = []

    async def report(progress: Progress) -> None:
        lines.append(progress.line())

    result = await rebuild(source, target, Progress(report), batch_size=7)
    assert result.events == len(scenario.published)
    assert target.log[-3:] == ["lock", "switch", "unlock"]
    assert lines[-1].startswith(f"{len(scenario.published)} / {len(scenario.published)} events (100.0%)")


def test_progress_says_events_done_rate_and_time_left() -> None:
    async def report(progress: Progress) -> None: ...

    progress = Progress(report)
    progress.start(1_000)
    progress.done = 250
    line = progress.line()
    assert line.startswith("250 / 1,000 events (25.0%), ")
    assert "events/s, about " in line
    assert line.endswith("s left")
