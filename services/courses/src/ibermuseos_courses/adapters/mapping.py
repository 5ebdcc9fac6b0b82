"""The aggregates mapped onto their tables by SQLAlchemy (imperative mapping): the domain's classes stay
plain dataclasses, the session loads and saves them, and the unit of work writes what changed.

Columns that repeat what an aggregate derives (a run's first start and last end, an enrolment's
person, country and e-mail) are kept for queries and filled from the aggregate as it is written.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Mapper, composite, registry

from ..domain.catalogue import CompletionRule, Offering
from ..domain.certificates import Certificate
from ..domain.enrolments import Enrolment
from ..domain.runs import Run
from ..domain.status_lists import StatusEntry, StatusList
from .tables import certificates, enrolments, metadata, offerings, runs, status_lists

aggregates = registry(metadata=metadata)


def _rule(table: Any) -> Any:
    return composite(CompletionRule, table.c.min_attendance_rate, table.c.pass_mark)


aggregates.map_imperatively(Offering, offerings, properties={"rule": _rule(offerings)})
aggregates.map_imperatively(
    Run,
    runs,
    properties={"rule": _rule(runs), "_first_start": runs.c.starts_at, "_last_end": runs.c.ends_at},
)
aggregates.map_imperatively(
    Enrolment,
    enrolments,
    properties={
        "_person_id": enrolments.c.person_id,
        "_country": enrolments.c.country,
        "_email": enrolments.c.email,
    },
)
aggregates.map_imperatively(
    Certificate,
    certificates,
    properties={
        "status_entry": composite(
            StatusEntry,
            certificates.c.status_list_id,
            certificates.c.status_list_index,
            return_none_on=lambda *values: all(value is None for value in values),
        )
    },
)
aggregates.map_imperatively(StatusList, status_lists)


@event.listens_for(Run, "before_insert")
@event.listens_for(Run, "before_update")
def _run_calendar(mapper: Mapper[Run], connection: Any, run: Run) -> None:
    run._first_start, run._last_end = run.starts_at, run.ends_at  # type: ignore[attr-defined]


@event.listens_for(Enrolment, "before_insert")
def _enrolment_person(mapper: Mapper[Enrolment], connection: Any, enrolment: Enrolment) -> None:
    participant = enrolment.participant
    enrolment._person_id = participant.person_id  # type: ignore[attr-defined]
    enrolment._country = participant.country  # type: ignore[attr-defined]
    enrolment._email = participant.email.lower()  # type: ignore[attr-defined]
