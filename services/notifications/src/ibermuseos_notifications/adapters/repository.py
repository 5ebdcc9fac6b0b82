"""Messages, recipients and what messages speak of, in PostgreSQL; repositories never commit."""

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from ibermuseos_kernel.errors import Invalid
from ibermuseos_kernel.instants import within_span
from ibermuseos_kernel.paging import Page, Slice
from ibermuseos_platform.db import count_rows, on_page
from ibermuseos_platform.paging import sliced
from ibermuseos_platform.uow import SqlAlchemyUnitOfWork
from pydantic import TypeAdapter
from sqlalchemy import Row, Select, and_, case, delete, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from ..application.queries import (
    Delivery,
    DeliveryAttempt,
    DeliveryDetail,
    DeliveryFilter,
    FocalPoint,
    InboxMessage,
    Unread,
)
from ..domain.messages import Attempt, Category, Channel, Message, Status
from ..domain.recipients import Contact, Recipient
from ..domain.timezones import QuietHours
from .tables import (
    applications,
    calls,
    certificates,
    delivery_attempts,
    enrolments,
    evaluation_assignments,
    focal_points,
    messages,
    recipients,
    runs,
)

_CATEGORIES = frozenset(category.value for category in Category)
V = TypeVar("V")


MESSAGES = TypeAdapter(Message)
RECORDED = {
    "notification_id",
    "cause_id",
    "cause_type",
    "recipient_id",
    "channel",
    "template",
    "category",
    "about",
    "context",
    "language",
    "context_language",
    "status",
    "next_attempt_at",
    "created_at",
}
"""What a new message's row holds besides its key (`event_id`, the message's `event_key`)."""
SAVED = {
    "status",
    "language",
    "address",
    "next_attempt_at",
    "attempts",
    "retries",
    "subject",
    "body",
    "sent_at",
    "read_at",
    "relay",
    "last_error",
    "failure_reason",
    "sending_attempt",
    "possible_duplicate",
}
"""What delivering, reading and resending change."""


def _message(row: Row[Any]) -> Message:
    # Rows from before cause_id was kept are caused by the event they are keyed by.
    return MESSAGES.validate_python(
        {**row._mapping, "event_key": row.event_id, "cause_id": row.cause_id or row.event_id}
    )


def _view(view: type[V], row: Any, **given: Any) -> V:
    """A view of `row`: each of its fields from the row's column of the same name, unless `given`."""
    columns = row._mapping
    return view(**{field.name: given.get(field.name, columns.get(field.name)) for field in fields(view)})  # type: ignore[arg-type]


def _inbox_message(row: Row[Any]) -> InboxMessage:
    return _view(InboxMessage, row, id=row.notification_id, delivered_at=row.sent_at)


def _delivery(row: Row[Any]) -> Delivery:
    return _view(Delivery, row, id=row.notification_id, status=Status(row.status))


_NOT_A_CURSOR = "not a cursor this list gave out; follow `next` as it is"


def _position(page: Page) -> tuple[datetime, int] | None:
    """Where a page read by key starts: after the (moment, id) of the last item seen."""
    if page.offset:
        raise Invalid.one("query.cursor", _NOT_A_CURSOR)
    if page.after is None:
        return None
    moment, _, id = page.after.rpartition("|")
    try:
        position = datetime.fromisoformat(moment), int(id)
    except ValueError:
        raise Invalid.one("query.cursor", _NOT_A_CURSOR) from None
    if position[0].tzinfo is None or not within_span(position[0]):
        raise Invalid.one("query.cursor", _NOT_A_CURSOR)
    return position


class SqlMessages:
    def __init__(self, session: AsyncSession, uow: SqlAlchemyUnitOfWork) -> None:
        self._session = session
        self._uow = uow

    async def add(self, new: Sequence[Message]) -> int:
        """Record messages once: the same notice never makes a second message for a person and channel."""
        if not new:
            return 0
        rows = [{**MESSAGES.dump_python(m, include=RECORDED), "event_id": m.event_key} for m in new]
        result = await self._session.execute(
            pg_insert(messages).values(rows).on_conflict_do_nothing().returning(messages.c.id)
        )
        return len(result.all())

    async def due_ids(self, now: datetime, limit: int) -> list[int]:
        result = await self._session.execute(
            select(messages.c.id)
            .where(messages.c.status == Status.PENDING.value, messages.c.next_attempt_at <= now)
            .order_by(messages.c.next_attempt_at)
            .limit(limit)
        )
        return list(result.scalars())

    async def claim(self, id: int, now: datetime) -> Message | None:
        """The message, locked, if it is still due and no other worker holds it."""
        row = (
            await self._session.execute(
                select(messages)
                .where(
                    messages.c.id == id,
                    messages.c.status == Status.PENDING.value,
                    messages.c.next_attempt_at <= now,
                )
                .with_for_update(skip_locked=True)
            )
        ).one_or_none()
        return self._tracked(row)

    async def get(self, notification_id: UUID, *, lock: bool = False) -> Message | None:
        query = select(messages).where(messages.c.notification_id == notification_id)
        if lock:
            query = query.with_for_update()
        return self._tracked((await self._session.execute(query)).one_or_none())

    async def sending(self, id: int, attempt: int) -> Message | None:
        row = (
            await self._session.execute(
                select(messages)
                .where(messages.c.id == id, messages.c.sending_attempt == attempt)
                .with_for_update()
            )
        ).one_or_none()
        return self._tracked(row)

    def _tracked(self, row: Row[Any] | None) -> Message | None:
        if row is None:
            return None
        message = _message(row)
        self._uow.track(message)
        return message

    async def save(self, message: Message) -> None:
        assert message.id is not None
        await self._session.execute(
            update(messages)
            .where(messages.c.id == message.id)
            .values(**MESSAGES.dump_python(message, include=SAVED), updated_at=func.now())
        )
        for attempt in message.new_attempts:
            # An attempt is written when it starts and again when it ends: by its number.
            statement = pg_insert(delivery_attempts).values(_attempt_row(message.id, attempt))
            await self._session.execute(
                statement.on_conflict_do_update(
                    index_elements=[delivery_attempts.c.message_id, delivery_attempts.c.number],
                    set_={
                        name: statement.excluded[name]
                        for name in ("relay", "finished_at", "outcome", "code", "detail")
                    },
                )
            )
        message.new_attempts.clear()

    async def cancel_pending(self, about: str, templates: Sequence[str], reason: str) -> int:
        result = await self._session.execute(
            update(messages)
            .where(
                messages.c.about == about,
                messages.c.template.in_(templates),
                messages.c.status == Status.PENDING.value,
            )
            .values(status=Status.CANCELLED.value, last_error=reason, updated_at=func.now())
            .returning(messages.c.id)
        )
        return len(result.all())

    async def reschedule_pending(
        self, about: str, template: str, at: datetime, context: dict[str, Any] | None = None
    ) -> None:
        await self._session.execute(
            update(messages)
            .where(
                messages.c.about == about,
                messages.c.template == template,
                messages.c.status == Status.PENDING.value,
            )
            .values(
                next_attempt_at=at,
                context=messages.c.context.op("||")(literal(context or {}, JSONB)),
                updated_at=func.now(),
            )
        )

    # ------------------------------------------------------------------- the inbox

    async def _keyed(
        self,
        query: Select[Any],
        moment: Any,
        page: Page,
        render: Callable[[Row[Any]], V],
    ) -> Slice[V]:
        """A list newest first by (`moment`, id), from the page's position on."""
        total = await count_rows(self._session, query)
        position = _position(page)
        if position is not None:
            after: ColumnElement[bool] = or_(
                moment < position[0], and_(moment == position[0], messages.c.id < position[1])
            )
            query = query.where(after)
        rows = list(
            (
                await self._session.execute(
                    query.order_by(moment.desc(), messages.c.id.desc()).limit(page.limit + 1)
                )
            ).all()
        )
        following = None
        if len(rows) > page.limit:
            last = rows[page.limit - 1]
            following = Page(page.limit, after=f"{last._mapping[moment.name].isoformat()}|{last.id}")
        return Slice([render(row) for row in rows[: page.limit]], total, following)

    async def inbox(self, recipient_id: str, page: Page, *, unread_only: bool) -> Slice[InboxMessage]:
        query = select(messages).where(
            messages.c.recipient_id == recipient_id,
            messages.c.channel == Channel.INBOX.value,
            messages.c.status == Status.SENT.value,
            messages.c.erased_at.is_(None),
        )
        if unread_only:
            query = query.where(messages.c.read_at.is_(None))
        return await self._keyed(query, messages.c.sent_at, page, _inbox_message)

    async def unread(self, recipient_id: str) -> Unread:
        """How many inbox messages are unread, and a version that changes with the inbox (for ETags)."""
        row = (
            await self._session.execute(
                select(
                    func.count().filter(messages.c.read_at.is_(None)),
                    func.coalesce(func.max(messages.c.id), 0),
                    func.count(),
                ).where(
                    messages.c.recipient_id == recipient_id,
                    messages.c.channel == Channel.INBOX.value,
                    messages.c.status == Status.SENT.value,
                    messages.c.erased_at.is_(None),
                )
            )
        ).one()
        return Unread(int(row[0]), int(row[1]) * 1_000_003 + int(row[2]) - int(row[0]))

    async def read_all(self, recipient_id: str, now: datetime) -> int:
        result = await self._session.execute(
            update(messages)
            .where(
                messages.c.recipient_id == recipient_id,
                messages.c.channel == Channel.INBOX.value,
                messages.c.status == Status.SENT.value,
                messages.c.read_at.is_(None),
            )
            .values(read_at=now, updated_at=func.now())
            .returning(messages.c.id)
        )
        return len(result.all())

    # ----------------------------------------------------------------- operators

    async def deliveries(self, where: DeliveryFilter, page: Page) -> Slice[Delivery]:
        query = select(messages).where(
            messages.c.status.in_([status.value for status in where.statuses]),
            messages.c.channel == Channel.EMAIL.value,
        )
        if where.recipient_id:
            query = query.where(messages.c.recipient_id == where.recipient_id)
        if where.template:
            query = query.where(messages.c.template == where.template)
        return await self._keyed(query, messages.c.updated_at, page, _delivery)

    async def delivery(self, notification_id: UUID) -> DeliveryDetail | None:
        row = (
            await self._session.execute(
                select(messages).where(
                    messages.c.notification_id == notification_id, messages.c.channel == Channel.EMAIL.value
                )
            )
        ).one_or_none()
        if row is None:
            return None
        attempts = await self._session.execute(
            select(delivery_attempts)
            .where(delivery_attempts.c.message_id == row.id)
            .order_by(delivery_attempts.c.number)
        )
        attempt_log = [_view(DeliveryAttempt, attempt, at=attempt.started_at) for attempt in attempts]
        return _view(
            DeliveryDetail, row, id=row.notification_id, status=Status(row.status), attempt_log=attempt_log
        )


def _attempt_row(message_id: int, attempt: Attempt) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "number": attempt.number,
        "relay": attempt.relay,
        "started_at": attempt.started_at,
        "finished_at": attempt.finished_at,
        "outcome": attempt.outcome,
        "code": attempt.code,
        "detail": attempt.detail,
    }


class SqlRecipients:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def remember(self, contact: Contact) -> None:
        """Keep the latest contact details; a new address clears an earlier bounce."""
        values = {
            "person_id": contact.person_id,
            "name": contact.name,
            "email": contact.email,
            "preferred_language": contact.preferred_language,
            "timezone": contact.timezone,
            "timezone_known": contact.timezone_known,
        }
        excluded = pg_insert(recipients).excluded
        statement = (
            pg_insert(recipients)
            .values(values)
            .on_conflict_do_update(
                index_elements=[recipients.c.person_id],
                set_={
                    "name": func.coalesce(excluded.name, recipients.c.name),
                    "email": func.coalesce(excluded.email, recipients.c.email),
                    "preferred_language": func.coalesce(
                        excluded.preferred_language, recipients.c.preferred_language
                    ),
                    # A zone the person gave wins over one guessed from their country.
                    "timezone": excluded.timezone
                    if contact.timezone_known
                    else case((recipients.c.timezone_known, recipients.c.timezone), else_=excluded.timezone),
                    "timezone_known": recipients.c.timezone_known | excluded.timezone_known,
                    # A bounce marks an address, not a person: a new address is worth a try.
                    "email_invalid_since": case(
                        (
                            or_(
                                excluded.email.is_(None),
                                func.lower(excluded.email) == func.lower(recipients.c.email),
                            ),
                            recipients.c.email_invalid_since,
                        ),
                        else_=None,
                    ),
                    "updated_at": func.now(),
                },
            )
        )
        await self._session.execute(statement)

    async def get(self, person_id: str) -> Recipient | None:
        row = (
            await self._session.execute(select(recipients).where(recipients.c.person_id == person_id))
        ).one_or_none()
        if row is None:
            return None
        quiet = (
            QuietHours(row.quiet_start, row.quiet_end)
            if row.quiet_start is not None and row.quiet_end is not None
            else None
        )
        return Recipient(
            person_id=row.person_id,
            name=row.name,
            email=row.email,
            preferred_language=row.preferred_language,
            timezone=row.timezone,
            email_invalid_since=row.email_invalid_since,
            opted_out=frozenset(Category(value) for value in row.opted_out if value in _CATEGORIES),
            quiet_hours=quiet,
        )

    async def mark_invalid(self, person_id: str, address: str, now: datetime) -> None:
        """The address bounced: invalid until a different one arrives."""
        await self._session.execute(
            update(recipients)
            .where(
                recipients.c.person_id == person_id,
                func.lower(recipients.c.email) == address.lower(),
                recipients.c.email_invalid_since.is_(None),
            )
            .values(email_invalid_since=now, updated_at=func.now())
        )

    async def set_preferences(
        self, person_id: str, opted_out: Sequence[Category], quiet_hours: QuietHours | None
    ) -> None:
        values = {
            "opted_out": sorted(category.value for category in opted_out),
            "quiet_start": quiet_hours.start if quiet_hours else None,
            "quiet_end": quiet_hours.end if quiet_hours else None,
        }
        await self._session.execute(
            pg_insert(recipients)
            .values(person_id=person_id, **values)
            .on_conflict_do_update(
                index_elements=[recipients.c.person_id], set_={**values, "updated_at": func.now()}
            )
        )


class SqlDirectory:
    """What messages speak of, kept from the events: calls, applications, runs, enrolments, certificates, focal points."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _upsert(self, table: Any, key: str, values: dict[str, Any]) -> None:
        statement = pg_insert(table).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c[key]],
                set_={name: statement.excluded[name] for name in values if name != key},
            )
        )

    async def _one(self, table: Any, key: str, value: Any) -> dict[str, Any] | None:
        row = (await self._session.execute(select(table).where(table.c[key] == value))).one_or_none()
        return dict(row._mapping) if row is not None else None

    async def remember_call(self, values: dict[str, Any]) -> None:
        await self._upsert(calls, "call_id", values)

    async def call(self, call_id: UUID) -> dict[str, Any] | None:
        return await self._one(calls, "call_id", call_id)

    async def remember_application(self, values: dict[str, Any]) -> None:
        await self._upsert(applications, "application_id", values)

    async def application(self, application_id: UUID) -> dict[str, Any] | None:
        return await self._one(applications, "application_id", application_id)

    async def remember_run(self, values: dict[str, Any]) -> None:
        await self._upsert(runs, "run_id", values)

    async def run(self, run_id: UUID) -> dict[str, Any] | None:
        return await self._one(runs, "run_id", run_id)

    async def remember_enrolment(self, values: dict[str, Any]) -> None:
        await self._upsert(enrolments, "enrolment_id", values)

    async def enrolment_status(self, enrolment_id: UUID, status: str) -> None:
        await self._session.execute(
            update(enrolments).where(enrolments.c.enrolment_id == enrolment_id).values(status=status)
        )

    async def enrolled_in(self, run_id: UUID) -> list[dict[str, Any]]:
        rows = await self._session.execute(
            select(enrolments).where(enrolments.c.run_id == run_id, enrolments.c.status == "enrolled")
        )
        return [dict(row._mapping) for row in rows]

    async def enrolment(self, enrolment_id: UUID) -> dict[str, Any] | None:
        return await self._one(enrolments, "enrolment_id", enrolment_id)

    async def remember_certificate(
        self, certificate_id: UUID, person_id: str, run_id: UUID, title: dict[str, str], completed_on: date
    ) -> None:
        await self._upsert(
            certificates,
            "certificate_id",
            {
                "certificate_id": certificate_id,
                "person_id": person_id,
                "run_id": run_id,
                "title": title,
                "completed_on": completed_on,
            },
        )

    async def certificate(self, certificate_id: UUID) -> dict[str, Any] | None:
        return await self._one(certificates, "certificate_id", certificate_id)

    async def focal_points(self) -> list[tuple[str, str]]:
        rows = await self._session.execute(
            select(focal_points.c.person_id, focal_points.c.country).order_by(focal_points.c.person_id)
        )
        return [(row.person_id, row.country) for row in rows]

    async def focal_points_of(self, country: str | None, page: Page) -> Slice[FocalPoint]:
        query = select(
            focal_points.c.person_id,
            focal_points.c.country,
            recipients.c.name,
            recipients.c.email,
            recipients.c.preferred_language,
            recipients.c.timezone,
            recipients.c.email_invalid_since,
        ).join(recipients, recipients.c.person_id == focal_points.c.person_id, isouter=True)
        if country:
            query = query.where(focal_points.c.country == country)
        total = await count_rows(self._session, query)
        rows = await self._session.execute(
            on_page(query.order_by(focal_points.c.country, focal_points.c.person_id), page)
        )
        found = [_view(FocalPoint, row, email_invalid=row.email_invalid_since is not None) for row in rows]
        return sliced(found, total, page)

    async def remember_assignment(self, values: dict[str, Any]) -> None:
        statement = pg_insert(evaluation_assignments).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    evaluation_assignments.c.application_id,
                    evaluation_assignments.c.evaluator_id,
                ],
                set_={
                    name: statement.excluded[name] for name in ("call_id", "round_id", "status", "score_by")
                },
            )
        )

    async def assignment_status(self, application_id: UUID, evaluator_id: str, status: str) -> None:
        await self._session.execute(
            update(evaluation_assignments)
            .where(
                evaluation_assignments.c.application_id == application_id,
                evaluation_assignments.c.evaluator_id == evaluator_id,
            )
            .values(status=status)
        )

    async def _assignments(self, *where: Any) -> list[dict[str, Any]]:
        rows = await self._session.execute(
            select(evaluation_assignments, applications.c.activity_title)
            .join(
                applications,
                applications.c.application_id == evaluation_assignments.c.application_id,
                isouter=True,
            )
            .where(*where)
            .order_by(applications.c.activity_title, evaluation_assignments.c.application_id)
        )
        return [
            {"application_id": str(row.application_id), "activity_title": row.activity_title} for row in rows
        ]

    async def round_assignments(self, round_id: UUID, evaluator_id: str) -> list[dict[str, Any]]:
        return await self._assignments(
            evaluation_assignments.c.round_id == round_id,
            evaluation_assignments.c.evaluator_id == evaluator_id,
        )

    async def assignments_to_score(self, call_id: UUID, evaluator_id: str) -> list[dict[str, Any]]:
        return await self._assignments(
            evaluation_assignments.c.call_id == call_id,
            evaluation_assignments.c.evaluator_id == evaluator_id,
            evaluation_assignments.c.status == "to_score",
        )

    async def set_focal_point(self, person_id: str, country: str, by: str) -> None:
        await self._upsert(
            focal_points,
            "person_id",
            {"person_id": person_id, "country": country, "updated_by": by, "updated_at": func.now()},
        )

    async def remove_focal_point(self, person_id: str) -> bool:
        result = await self._session.execute(
            delete(focal_points)
            .where(focal_points.c.person_id == person_id)
            .returning(focal_points.c.person_id)
        )
        return result.first() is not None


class UnitOfWork(SqlAlchemyUnitOfWork):
    """The service's unit of work: its repositories share the transaction."""

    messages: SqlMessages
    recipients: SqlRecipients
    directory: SqlDirectory

    async def __aenter__(self) -> "UnitOfWork":
        await super().__aenter__()
        self.messages = SqlMessages(self.session, self)
        self.recipients = SqlRecipients(self.session)
        self.directory = SqlDirectory(self.session)
        return self
