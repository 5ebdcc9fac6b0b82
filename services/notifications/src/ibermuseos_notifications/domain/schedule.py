"""When reminders are due: before a grantee's report deadline, the day before a run starts, retries."""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo


def report_reminder_moments(
    due_on: date,
    days_before: Iterable[int],
    local_time: time,
    timezone: tzinfo,
    now: datetime,
) -> dict[int, datetime]:
    """Days before → the moment (UTC) to remind a grantee of their report, for the moments still ahead.

    A reminder whose moment has passed (a grant accepted late) is not sent: the acceptance
    confirmation already states the due date.
    """
    moments: dict[int, datetime] = {}
    for days in sorted(set(days_before), reverse=True):
        moment = datetime.combine(due_on - timedelta(days=days), local_time, tzinfo=timezone).astimezone(UTC)
        if moment > now:
            moments[days] = moment
    return moments


@dataclass(frozen=True)
class RunReminder:
    at: datetime
    late: bool
    """For someone who enrolled after the usual moment: it comes shortly before the run, not the day before."""


def run_reminder_moment(
    first_session_starts_at: datetime, hours_before: float, now: datetime, late_hours_before: float
) -> RunReminder | None:
    """When to remind a participant of a run: `hours_before` its first session. For someone who enrols (or
    learns of new dates) after that moment, `late_hours_before` the first session instead, provided that
    moment is at least as far from now: a reminder sooner after the confirmation would only repeat it.
    None when neither is ahead (the confirmation, with the sessions and the calendar, is all they need)."""
    usual = first_session_starts_at - timedelta(hours=hours_before)
    if usual > now:
        return RunReminder(usual, late=False)
    late = first_session_starts_at - timedelta(hours=late_hours_before)
    if late - now >= timedelta(hours=late_hours_before):
        return RunReminder(late, late=True)
    return None


def retry_delay(attempt: int, *, base_seconds: float, cap_seconds: float, jitter: bool = True) -> timedelta:
    """Exponential backoff after the `attempt`-th failure: base, 2×base, 4×base … up to cap (with jitter)."""
    seconds = min(cap_seconds, base_seconds * 2.0 ** min(attempt - 1, 20))
    if jitter:
        seconds *= random.uniform(0.8, 1.0)
    return timedelta(seconds=seconds)
