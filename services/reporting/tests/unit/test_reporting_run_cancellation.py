"""A cancelled run in the figures: its seats count as cancellations, no one in it as a beneficiary.

Cancelling a run publishes one EnrolmentCancelled (`run_cancelled`) per seat and place on the
waitlist, so the existing facts already say what happened; the run-level events add nothing.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from ibermuseos_contracts.courses import (
    CourseRunCancelledV1,
    CourseRunRescheduledV1,
    EnrolmentCancelledV1,
    EnrolmentLapsedV1,
    OfferingKind,
)
from ibermuseos_reporting.domain.facts import merge_facts
from ibermuseos_reporting.domain.projections import ENROLMENTS, project

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
RUN, OFFERING = uuid.uuid4(), uuid.uuid4()


def test_the_seats_of_a_cancelled_run_are_cancellations_and_give_no_participation(events: Any) -> None:
    enrolment = uuid.uuid4()
    museum = events.institution("Museo de Arte", "Lima", "PE")
    enrolled = events.enrolled(
        enrolment, OFFERING, "ana", kind="mini_course", country="PE", institution=museum, run_id=RUN
    )
    cancelled = events._publish(
        EnrolmentCancelledV1(
            enrolment_id=enrolment, run_id=RUN, person_id="ana", was_enrolled=True, cancelled_at=NOW,
            offering_id=OFFERING, kind=OfferingKind.MINI_COURSE, run_cancelled=True, reason="La sede cerró",
        )
    )  # fmt: skip
    assert "reason" not in cancelled.public.model_dump()
    facts = merge_facts(
        [*project(enrolled.type, enrolled.public), *project(cancelled.type, cancelled.public)]
    )
    row = facts[ENROLMENTS][(enrolment,)]
    # Counted as one seat given and one seat cancelled; no outcome, so no participation.
    assert row["enrolled_at"] is not None
    assert (row["cancelled_at"], row["cancelled_was_enrolled"], row["outcome"]) == (NOW, True, None)
    assert row["person"] == events.person("ana")


def test_the_run_level_events_and_a_lapsed_waitlist_add_no_fact() -> None:
    later = NOW + timedelta(days=7)
    for event in (
        CourseRunCancelledV1(
            run_id=RUN, offering_id=OFFERING, kind=OfferingKind.MINI_COURSE, reason="x",
            enrolments_cancelled=3, waitlist_cancelled=1, cancelled_at=NOW,
        ),
        CourseRunRescheduledV1(
            run_id=RUN, offering_id=OFFERING, kind=OfferingKind.MINI_COURSE, sessions=[], timezone="UTC",
            enrolment_opens_at=NOW, enrolment_closes_at=later, revision=1, rescheduled_at=NOW,
        ),
        EnrolmentLapsedV1(
            enrolment_id=uuid.uuid4(), run_id=RUN, offering_id=OFFERING, kind=OfferingKind.MINI_COURSE,
            person_id="ana", lapsed_at=NOW,
        ),
    ):  # fmt: skip
        assert project(str(type(event).event_type), event) == []
