"""The iCalendar (.ics) file of a run's sessions, in the participant's time zone: to add them to a calendar
(METHOD:PUBLISH), or to take them out of it (METHOD:CANCEL, RFC 5546)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import icalendar

from ..domain.timezones import zone

PRODID = "-//Ibermuseos//Formacion y Capacitacion//ES"


@dataclass(frozen=True)
class Organizer:
    """Who the calendar entries come from: the service's sender."""

    address: str
    name: str


def run_calendar(
    run: dict[str, Any],
    *,
    title: str,
    description: str,
    location: str,
    timezone: str | None,
    uid_domain: str,
    organizer: Organizer,
    cancel: bool = False,
    attendee: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """One VEVENT per session of the run; times in `timezone` (with its VTIMEZONE), stable UIDs.

    `cancel` takes the entries out: METHOD:CANCEL, STATUS:CANCELLED, the same UIDs and a SEQUENCE one above
    the last one sent, so that calendar clients drop them instead of ignoring an older version.
    """
    tz = zone(timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancel else "PUBLISH")
    calendar.add("x-wr-calname", title)
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    for number, session in enumerate(run["sessions"], start=1):
        event = icalendar.Event()
        event.add("uid", f"{session['session_id']}@{uid_domain}")
        # RFC 5545: a later version of the same event (same UID) carries a higher SEQUENCE.
        event.add("sequence", int(session.get("sequence", 0)) + (1 if cancel else 0))
        event.add("organizer", f"mailto:{organizer.address}", parameters={"CN": organizer.name})
        if cancel:
            event.add("status", "CANCELLED")
            if attendee:
                event.add("attendee", f"mailto:{attendee}")
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.fromisoformat(session["starts_at"]).astimezone(tz))
        event.add("dtend", datetime.fromisoformat(session["ends_at"]).astimezone(tz))
        event.add("summary", f"{title} ({number}/{len(run['sessions'])})")
        event.add("description", description)
        event.add("location", location)
        calendar.add_component(event)
    # What add_missing_timezones() does, with each zone's VTIMEZONE built once per process (its
    # transitions from 1970 to 2038 took most of a mail's CPU when built for every calendar).
    position = len(calendar.timezones)
    for tzid in sorted(calendar.get_missing_tzids()):
        if (vtimezone := _vtimezone(tzid)) is not None:
            calendar.subcomponents.insert(position, vtimezone)
            position += 1
    return bytes(calendar.to_ical())


@cache
def _vtimezone(tzid: str) -> icalendar.Timezone | None:
    """The VTIMEZONE of a zone (None for a zone icalendar does not know), shared by every calendar that
    needs it: a component is not changed once built."""
    try:
        return icalendar.Timezone.from_tzid(tzid)
    except ValueError:
        return None
