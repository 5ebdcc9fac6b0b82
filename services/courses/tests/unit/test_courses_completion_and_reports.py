"""Completion rules, webinar attendance reports and verification codes."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from ibermuseos_contracts.courses import Outcome
from ibermuseos_courses.domain import attendance_report
from ibermuseos_courses.domain.catalogue import CompletionRule
from ibermuseos_courses.domain.codes import canonical, formatted, new_code
from ibermuseos_kernel.errors import Invalid

TRAINING = CompletionRule(Decimal("0.75"), Decimal(60))


@pytest.mark.parametrize(
    ("attended", "grade", "outcome"),
    [
        (3, Decimal(60), Outcome.COMPLETED),
        (4, Decimal(100), Outcome.COMPLETED),
        (2, Decimal(100), Outcome.NOT_COMPLETED),
        (4, Decimal("59.99"), Outcome.NOT_COMPLETED),
        (4, None, Outcome.NOT_COMPLETED),
    ],
)
def test_a_training_course_needs_three_quarters_of_the_sessions_and_the_pass_mark(
    attended: int, grade: Decimal | None, outcome: Outcome
) -> None:
    assert TRAINING.evaluate(sessions=4, attended=attended, grade=grade)[0] is outcome


def test_the_attendance_rate_is_sessions_attended_over_sessions() -> None:
    assert TRAINING.evaluate(sessions=3, attended=2, grade=None)[1] == pytest.approx(0.6667)


def test_a_conversatorio_is_completed_by_attending() -> None:
    attended = CompletionRule(Decimal(0))
    assert attended.evaluate(sessions=1, attended=1, grade=None)[0] is Outcome.COMPLETED
    assert attended.evaluate(sessions=1, attended=0, grade=None)[0] is Outcome.NOT_COMPLETED


def test_overlapping_connections_count_once_and_gaps_not_at_all() -> None:
    at = lambda h, m: datetime(2027, 5, 10, h, m, tzinfo=UTC)  # noqa: E731
    intervals = [
        (at(10, 0), at(10, 30)),
        (at(10, 20), at(10, 40)),
        (at(11, 0), at(11, 5)),
        (at(10, 5), at(10, 10)),
    ]
    assert attendance_report.connected_minutes(intervals) == 45


def test_a_zoom_report_is_read_past_its_summary_and_matched_by_e_mail() -> None:
    report = (
        "\ufeffMeeting ID,Topic\n1,x\n\n"
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
        "Ana,ANA@m.example,05/10/2027 10:00:00 AM,05/10/2027 10:40:00 AM,40\n"
        "Ana,ana@m.example,05/10/2027 10:30:00 AM,05/10/2027 11:00:00 AM,30\n"
        "Beto,beto@m.example,05/10/2027 10:00:00 AM,05/10/2027 10:10:00 AM,10\n"
        "Guest,,05/10/2027 10:00:00 AM,05/10/2027 11:00:00 AM,60\n"
    )
    rows = attendance_report.parse(report, tz=ZoneInfo("America/Lima"))
    assert rows[0].joined == datetime(2027, 5, 10, 15, 0, tzinfo=UTC)
    ana, beto, carla = uuid4(), uuid4(), uuid4()
    result = attendance_report.match(
        rows, {"ana@m.example": ana, "beto@m.example": beto, "carla@m.example": carla}, min_minutes=45
    )
    assert {(m.enrolment_id, m.present, m.minutes) for m in result.marks} == {
        (ana, True, 60),
        (beto, False, 10),
        (carla, False, 0),
    }
    assert [(u.line, u.email) for u in result.unmatched] == [(8, "")]


def test_dates_are_read_day_first_when_asked() -> None:
    rows = attendance_report.parse(
        "email,joined,left\na@b.c,11/05/2027 10:00,11/05/2027 10:30\n", tz=ZoneInfo("UTC"), day_first=True
    )
    assert rows[0].joined.month == 5


def test_every_unreadable_row_of_a_report_is_listed() -> None:
    with pytest.raises(Invalid) as refused:
        attendance_report.parse(
            "Email,Join Time,Leave Time\na@b.c,soon,2027-05-10T10:00\nb@b.c,2027-05-10T10:00,2027-05-10T09:00\nc@b.c\n",
            tz=ZoneInfo("UTC"),
        )
    assert [p.field for p in refused.value.issues] == ["report.line.2", "report.line.3", "report.line.4"]


def test_a_report_without_the_needed_columns_is_refused() -> None:
    with pytest.raises(Invalid):
        attendance_report.parse("Name,Duration\nAna,40\n", tz=ZoneInfo("UTC"))


def test_codes_are_unguessable_and_survive_the_ways_people_type_them() -> None:
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    code = next(iter(codes))
    printed = formatted(code)
    assert len(code) == 21
    assert printed.count("-") == 4
    assert canonical(printed) == code
    assert canonical(printed.lower().replace("-", " ")) == code
    assert canonical(printed.replace("0", "O").replace("1", "l")) == code


def test_a_mistyped_code_is_caught_by_its_check_character() -> None:
    code = new_code()
    for index in range(20):
        replacement = "A" if code[index] != "A" else "B"
        assert canonical(code[:index] + replacement + code[index + 1 :]) is None
    swapped = code[1] + code[0] + code[2:]
    assert code[0] == code[1] or canonical(swapped) is None
    assert canonical("short") is None
