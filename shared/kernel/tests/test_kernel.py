from datetime import UTC, datetime, timedelta, timezone

import pytest
from ibermuseos_contracts.courses import CoursePublishedV1
from ibermuseos_kernel.events import RecordsEvents
from ibermuseos_kernel.fields import Day, Instant, Name, Prose, TimeZoneName
from ibermuseos_kernel.instants import within_span
from ibermuseos_kernel.paging import Page
from ibermuseos_kernel.text import is_line, is_prose
from ibermuseos_kernel.zones import is_zone, zone
from pydantic import TypeAdapter, ValidationError


@pytest.mark.parametrize(
    "name", ["America/Mexico_City", "UTC", "Europe/Lisbon", "America/Argentina/Buenos_Aires"]
)
def test_zone_names_of_the_zone_database_are_zones(name: str) -> None:
    assert is_zone(name)
    assert zone(name).key == name


@pytest.mark.parametrize(
    "name",
    ["America", "Etc", "../../../../etc/passwd", "Mars/Olympus", "Europe/Madrid\n", "", "posixrules/../UTC"],
)
def test_folders_paths_and_made_up_names_are_not_zones(name: str) -> None:
    assert not is_zone(name)
    with pytest.raises(ValueError, match="not an IANA time zone"):
        zone(name)


@pytest.mark.parametrize("text", ["a\x00b", "Evil\r\nBcc: x", "tab\there", "\x7f", "\x85"])
def test_a_line_has_no_control_character(text: str) -> None:
    assert not is_line(text)


def test_prose_keeps_its_line_breaks_and_tabs_but_no_other_control_character() -> None:
    assert is_prose("Querida Ana,\r\n\tbienvenida.")
    assert not is_prose("a\x00b")
    assert not is_prose("bell\x07")


def test_instants_at_the_ends_of_the_calendar_are_outside_the_span_without_overflowing() -> None:
    assert not within_span(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))))
    assert not within_span(datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))))
    assert within_span(datetime(2027, 3, 1, tzinfo=UTC))


def test_an_offset_page_follows_until_the_list_ends() -> None:
    assert Page(10, 0).following(10, 25) == Page(10, 10)
    assert Page(10, 20).following(5, 25) is None
    assert Page(10, 0).following(0, 0) is None


def test_an_aggregate_hands_its_events_over_once() -> None:
    class Offering(RecordsEvents):
        def publish(self, event: CoursePublishedV1) -> None:
            self._record(event)

    offering = Offering()
    assert offering.pull_events() == []
    event = object.__new__(CoursePublishedV1)
    offering.publish(event)

    assert offering.pull_events() == [event]
    assert offering.pull_events() == []


@pytest.mark.parametrize(
    "name", ["America", "Etc", "../../../../etc/passwd", "Mars/Olympus", "Europe/Madrid\n"]
)
def test_a_time_zone_field_refuses_what_is_not_a_zone_naming_it_in_one_line(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(TimeZoneName).validate_python(name)

    [problem] = refused.value.errors()
    assert f"{name!r} is not an IANA time zone name" in problem["msg"]
    assert len(problem["msg"]) < 200


def test_a_time_zone_field_takes_a_zone_and_refuses_null() -> None:
    assert TypeAdapter(TimeZoneName).validate_python("America/Montevideo") == "America/Montevideo"
    with pytest.raises(ValidationError, match="null is not an IANA time zone name"):
        TypeAdapter(TimeZoneName).validate_python(None)


@pytest.mark.parametrize(
    ("kind", "value"),
    [(Instant, "0001-01-01T00:00:00+14:00"), (Instant, "9999-12-31T23:59:59-14:00"), (Day, "9999-12-31")],
)
def test_instants_and_days_at_the_ends_of_the_calendar_are_refused(kind: object, value: str) -> None:
    with pytest.raises(ValidationError, match="must lie between the years 1900 and 2199"):
        TypeAdapter(kind).validate_python(value)


@pytest.mark.parametrize("text", ["a\x00b", "Evil\r\nBcc: victim@evil.example"])
def test_a_name_is_one_line_without_control_characters(text: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Name).validate_python(text)
    assert TypeAdapter(Prose).validate_python("Querida Ana,\r\n\tbienvenida.")
