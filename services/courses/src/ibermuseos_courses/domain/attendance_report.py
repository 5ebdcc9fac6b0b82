"""Webinar attendance reports: the CSV that Zoom, Teams, Meet and the like export, matched to the enrolled.

A report has an e-mail, a join time and a leave time per row; a person who dropped out and
came back has several rows. Their intervals are merged (overlaps count once) and summed;
a person is present when the sum reaches the minimum minutes. Rows whose e-mail matches
no enrolled participant (guests, a colleague's account, a typo) are listed, not guessed.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from uuid import UUID

from ibermuseos_kernel.errors import Invalid, Issue, require
from ibermuseos_kernel.instants import within_span

from .enrolments import Mark

EMAIL_COLUMNS = (
    "email",
    "e-mail",
    "user email",
    "attendee email",
    "email address",
    "correo",
    "correo electrónico",
    "correo electronico",
)
JOIN_COLUMNS = (
    "join time",
    "joined",
    "time joined",
    "join",
    "joined at",
    "first join",
    "entrada",
    "hora de entrada",
    "hora de entrada",
    "entrou",
)
LEAVE_COLUMNS = (
    "leave time",
    "left",
    "time exited",
    "leave",
    "left at",
    "last leave",
    "salida",
    "hora de salida",
    "saída",
    "saiu",
)
MAX_ROWS = 20_000

_FORMATS_MONTH_FIRST = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")
_FORMATS_DAY_FIRST = ("%d/%m/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M %p", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class ReportRow:
    line: int
    email: str
    joined: datetime
    left: datetime


@dataclass(frozen=True)
class UnmatchedRow:
    line: int
    email: str
    minutes: int


@dataclass(frozen=True)
class ReportResult:
    marks: list[Mark]
    unmatched: list[UnmatchedRow]


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    normalised = [cell.strip().strip("\ufeff").lower() for cell in header]
    for name in names:
        if name in normalised:
            return normalised.index(name)
    return None


def _moment(text: str, tz: tzinfo, day_first: bool) -> datetime | None:
    text = text.strip()
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        for pattern in _FORMATS_DAY_FIRST if day_first else _FORMATS_MONTH_FIRST:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if moment is None or not within_span(moment):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def parse(text: str, *, tz: tzinfo, day_first: bool = False) -> list[ReportRow]:
    """The report's rows. Lines before the header (a meeting summary, as Zoom writes) are skipped;
    every unreadable row is listed in one Invalid, and then nothing is recorded."""
    lines = list(csv.reader(io.StringIO(text)))
    header_at = None
    for index, cells in enumerate(lines):
        columns = (_column(cells, EMAIL_COLUMNS), _column(cells, JOIN_COLUMNS), _column(cells, LEAVE_COLUMNS))
        if all(column is not None for column in columns):
            header_at = index
            email_at, join_at, leave_at = (c for c in columns if c is not None)
            break
    if header_at is None:
        raise Invalid.one(
            "report",
            "no header with an e-mail, a join time and a leave time column (e.g. Email,Join Time,Leave Time)",
        )
    if len(lines) - header_at - 1 > MAX_ROWS:
        raise Invalid.one("report", f"at most {MAX_ROWS} rows")
    rows: list[ReportRow] = []
    problems: list[Issue] = []
    for number, cells in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) <= max(email_at, join_at, leave_at):
            problems.append(Issue(f"report.line.{number}", "has fewer columns than the header"))
            continue
        joined = _moment(cells[join_at], tz, day_first)
        left = _moment(cells[leave_at], tz, day_first)
        if joined is None:
            problems.append(Issue(f"report.line.{number}", f"unreadable join time {cells[join_at][:40]!r}"))
        if left is None:
            problems.append(Issue(f"report.line.{number}", f"unreadable leave time {cells[leave_at][:40]!r}"))
        if joined is not None and left is not None:
            if left < joined:
                problems.append(Issue(f"report.line.{number}", "leaves before it joins"))
            else:
                rows.append(ReportRow(number, cells[email_at].strip().lower(), joined, left))
    require(problems)
    return rows


def connected_minutes(intervals: list[tuple[datetime, datetime]]) -> int:
    """Whole minutes inside the union of the intervals: overlapping connections count once."""
    total = timedelta()
    current_start: datetime | None = None
    current_end: datetime | None = None
    for start, end in sorted(intervals):
        if current_end is None or current_start is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None and current_start is not None:
        total += current_end - current_start
    return int(total.total_seconds() // 60)


def match(rows: list[ReportRow], enrolled: dict[str, UUID], *, min_minutes: int) -> ReportResult:
    """A mark for every enrolled participant (absent when not in the report), and the rows of no one.

    `enrolled` maps lower-case e-mail to enrolment id.
    """
    by_email: dict[str, list[ReportRow]] = defaultdict(list)
    for row in rows:
        by_email[row.email].append(row)
    marks = []
    for email, enrolment_id in enrolled.items():
        minutes = connected_minutes([(r.joined, r.left) for r in by_email.get(email, [])])
        marks.append(Mark(enrolment_id, present=minutes >= min_minutes, minutes=minutes))
    unmatched = [
        UnmatchedRow(r.line, r.email, connected_minutes([(r.joined, r.left)]))
        for r in rows
        if r.email not in enrolled
    ]
    return ReportResult(marks, unmatched)
