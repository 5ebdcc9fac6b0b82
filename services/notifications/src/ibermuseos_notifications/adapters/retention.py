"""Erasing what the retention policy no longer allows to keep, in bounded batches, in PostgreSQL.

Every statement picks at most `limit` due rows with `FOR UPDATE SKIP LOCKED` (a row another
transaction holds is left for the next run) and changes only those: a batch is one short
transaction. Erased rows no longer match, so running a statement again erases nothing more.
"""

# ruff: noqa: S608 - the SQL is composed of this module's constants only; every value is a bound parameter

import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from ibermuseos_platform.uow import SqlAlchemyUnitOfWork
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.retention import Cutoffs

ERASED_ROWS = Counter(
    "notifications_retention_erased_rows_total",
    "Rows erased (content removed or row deleted) by the retention policy or a person's erasure, by table",
    ["table"],
)

# An e-mail address inside free text (relay replies, failure details): masked when a message is erased.
ADDRESS_PATTERN = r"""[^@[:space:]<>"']+@[^@[:space:]<>"']+"""

_ERASE_CONTENT = """
    subject = NULL, body = NULL, context = '{}'::jsonb, address = NULL,
    last_error = regexp_replace(m.last_error, :pattern, '<address>', 'g'), erased_at = :now
"""

_MESSAGE_DUE = """
    erased_at IS NULL AND (
        (status = 'sent' AND channel = 'email' AND coalesce(sent_at, updated_at) < :sent_email)
        OR (status = 'sent' AND channel = 'inbox' AND read_at IS NOT NULL AND read_at < :read_inbox)
        OR (status = 'sent' AND channel = 'inbox' AND read_at IS NULL
            AND coalesce(sent_at, updated_at) < :unread_inbox)
        OR (status IN ('failed', 'bounced') AND updated_at < :failed)
        OR (status = 'cancelled' AND updated_at < :cancelled)
    )
"""


def _erase_messages(picked: str) -> str:
    """Erase the content of the messages `picked` selects, and mask addresses in their attempts' details."""
    return f"""
        WITH picked AS ({picked}),
        erased AS (
            UPDATE messages m SET {_ERASE_CONTENT} FROM picked WHERE m.id = picked.id RETURNING m.id
        ),
        masked AS (
            UPDATE delivery_attempts a SET detail = regexp_replace(a.detail, :pattern, '<address>', 'g')
            FROM erased WHERE a.message_id = erased.id AND a.detail ~ :pattern RETURNING a.id
        )
        SELECT (SELECT count(*) FROM erased) AS messages, (SELECT count(*) FROM masked) AS attempts
    """


_ERASE_DUE_MESSAGES = _erase_messages(
    f"SELECT id FROM messages WHERE {_MESSAGE_DUE} ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED"
)

_ERASE_PERSONS_MESSAGES = _erase_messages(
    "SELECT id FROM messages WHERE recipient_id = :person_id AND erased_at IS NULL"
    " AND status <> 'pending' FOR UPDATE"
)

# The end of a run's last session, from its schedule (NULL when it has none).
_RUN_END = "(SELECT max((s->>'ends_at')::timestamptz) FROM jsonb_array_elements({r}.sessions) AS s)"


def _pending(condition: str) -> str:
    return f"EXISTS (SELECT 1 FROM messages p WHERE p.status = 'pending' AND ({condition}))"


def _run_due(r: str) -> str:
    end = _RUN_END.format(r=r)
    return f"""
        (CASE WHEN {end} IS NULL THEN {r}.remembered_at < :context_remembered ELSE {end} < :run_ended END)
        AND NOT {_pending(f"p.context->>'run_id' = {r}.run_id::text")}
    """


_DELETE_ENROLMENTS = f"""
    DELETE FROM enrolments WHERE enrolment_id IN (
        SELECT e.enrolment_id FROM enrolments e LEFT JOIN runs r ON r.run_id = e.run_id
        WHERE (CASE WHEN r.run_id IS NULL THEN e.remembered_at < :context_remembered ELSE {_run_due("r")} END)
          AND NOT {_pending("p.about = e.enrolment_id::text")}
        ORDER BY e.enrolment_id LIMIT :limit FOR UPDATE OF e SKIP LOCKED
    )
"""

_DELETE_RUNS = f"""
    DELETE FROM runs WHERE run_id IN (
        SELECT r.run_id FROM runs r
        WHERE {_run_due("r")}
          AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.run_id = r.run_id)
        ORDER BY r.run_id LIMIT :limit FOR UPDATE SKIP LOCKED
    )
"""

_DELETE_CERTIFICATES = f"""
    DELETE FROM certificates WHERE certificate_id IN (
        SELECT c.certificate_id FROM certificates c
        WHERE c.completed_on < :certificate_completed
          AND NOT {_pending("p.about = c.certificate_id::text")}
        ORDER BY c.certificate_id LIMIT :limit FOR UPDATE SKIP LOCKED
    )
"""

_DELETE_ASSIGNMENTS = f"""
    DELETE FROM evaluation_assignments WHERE (application_id, evaluator_id) IN (
        SELECT a.application_id, a.evaluator_id FROM evaluation_assignments a
        WHERE (CASE WHEN a.score_by IS NULL THEN a.remembered_at < :context_remembered
                    ELSE a.score_by < :assignment_deadline END)
          AND NOT {
    _pending(
        "p.recipient_id = a.evaluator_id AND (p.context->>'call_id' = a.call_id::text"
        " OR p.context->>'round_id' = a.round_id::text)"
    )
}
        ORDER BY a.application_id, a.evaluator_id LIMIT :limit FOR UPDATE SKIP LOCKED
    )
"""

_DELETE_APPLICATIONS = f"""
    DELETE FROM applications WHERE application_id IN (
        SELECT a.application_id FROM applications a LEFT JOIN calls c ON c.call_id = a.call_id
        WHERE (CASE WHEN c.call_id IS NULL THEN a.remembered_at < :context_remembered
                    ELSE c.closes_at < :call_closed END)
          AND NOT {
    _pending(
        "p.about = a.application_id::text OR p.context->>'application_id' = a.application_id::text"
        " OR p.context->>'call_id' = a.call_id::text"
    )
}
          AND NOT EXISTS (SELECT 1 FROM evaluation_assignments ea WHERE ea.application_id = a.application_id)
        ORDER BY a.application_id LIMIT :limit FOR UPDATE OF a SKIP LOCKED
    )
"""

_DELETE_CALLS = f"""
    DELETE FROM calls WHERE call_id IN (
        SELECT c.call_id FROM calls c
        WHERE c.closes_at < :call_closed
          AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.call_id = c.call_id)
          AND NOT EXISTS (SELECT 1 FROM evaluation_assignments ea WHERE ea.call_id = c.call_id)
          AND NOT {_pending("p.context->>'call_id' = c.call_id::text")}
        ORDER BY c.call_id LIMIT :limit FOR UPDATE SKIP LOCKED
    )
"""

_HAS_CONTACT = (
    "(r.name IS NOT NULL OR r.email IS NOT NULL OR r.preferred_language IS NOT NULL"
    " OR r.timezone IS NOT NULL OR r.email_invalid_since IS NOT NULL)"
)
_HAS_OWN_PREFERENCES = "(r.opted_out <> '{}' OR r.quiet_start IS NOT NULL)"

# A person's contact goes once nothing has referred to them for the idle period: no message
# changed since, none pending, no record of theirs remembered, not a focal point.
_IDLE_CONTACTS = f"""
    SELECT r.person_id FROM recipients r
    WHERE {_HAS_CONTACT}
      AND r.updated_at < :contact_idle
      AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.recipient_id = r.person_id
                      AND (m.status = 'pending' OR m.updated_at >= :contact_idle))
      AND NOT EXISTS (SELECT 1 FROM focal_points f WHERE f.person_id = r.person_id)
      AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.applicant_id = r.person_id)
      AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.person_id = r.person_id)
      AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.person_id = r.person_id)
      AND NOT EXISTS (SELECT 1 FROM evaluation_assignments ea WHERE ea.evaluator_id = r.person_id)
    ORDER BY r.person_id LIMIT :limit FOR UPDATE SKIP LOCKED
"""

# The person's own choices (opt-outs, quiet hours) are kept without anything else; a row with none goes.
_ERASE_CONTACTS = f"""
    WITH idle AS ({_IDLE_CONTACTS}),
    deleted AS (
        DELETE FROM recipients r USING idle
        WHERE r.person_id = idle.person_id AND NOT {_HAS_OWN_PREFERENCES} RETURNING r.person_id
    ),
    kept_choices AS (
        UPDATE recipients r SET name = NULL, email = NULL, preferred_language = NULL, timezone = NULL,
            timezone_known = false, email_invalid_since = NULL
        FROM idle WHERE r.person_id = idle.person_id AND {_HAS_OWN_PREFERENCES} RETURNING r.person_id
    )
    SELECT (SELECT count(*) FROM deleted) + (SELECT count(*) FROM kept_choices) AS recipients
"""


def _bounds(cutoffs: Cutoffs) -> dict[str, Any]:
    return asdict(cutoffs)


_CONTEXT_DELETIONS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    # Table -> statement and the cutoffs it uses. Order matters: a row is kept while one that needs it is.
    "enrolments": (_DELETE_ENROLMENTS, ("context_remembered", "run_ended")),
    "runs": (_DELETE_RUNS, ("context_remembered", "run_ended")),
    "certificates": (_DELETE_CERTIFICATES, ("certificate_completed",)),
    "evaluation_assignments": (_DELETE_ASSIGNMENTS, ("context_remembered", "assignment_deadline")),
    "applications": (_DELETE_APPLICATIONS, ("context_remembered", "call_closed")),
    "calls": (_DELETE_CALLS, ("call_closed",)),
}

CONTEXT_TABLES = tuple(_CONTEXT_DELETIONS)


class SqlRetention:
    """One bounded batch of erasure per call; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def erase_due_messages(self, cutoffs: Cutoffs, now: datetime, limit: int) -> dict[str, int]:
        bounds = _bounds(cutoffs)
        names = ("sent_email", "read_inbox", "unread_inbox", "failed", "cancelled")
        row = (
            await self._session.execute(
                text(_ERASE_DUE_MESSAGES),
                {**{n: bounds[n] for n in names}, "now": now, "limit": limit, "pattern": ADDRESS_PATTERN},
            )
        ).one()
        return {"messages": int(row.messages), "delivery_attempts": int(row.attempts)}

    async def delete_due_context(self, table: str, cutoffs: Cutoffs, limit: int) -> int:
        statement, uses = _CONTEXT_DELETIONS[table]
        bounds = _bounds(cutoffs)
        result = await self._session.execute(
            text(statement), {**{n: bounds[n] for n in uses}, "limit": limit}
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def erase_idle_contacts(self, cutoffs: Cutoffs, limit: int) -> int:
        row = (
            await self._session.execute(
                text(_ERASE_CONTACTS), {"contact_idle": cutoffs.contact_idle, "limit": limit}
            )
        ).one()
        return int(row.recipients)

    # ---------------------------------------------------------- a person's erasure on request

    async def erase_person(self, person_id: str, now: datetime, reason: str) -> dict[str, int]:
        """Everything held about one person, but the keys of their messages (so nothing is sent twice)."""
        session, who = self._session, {"person_id": person_id}
        cancelled = await session.execute(
            text(
                "UPDATE messages SET status = 'cancelled', last_error = :reason, updated_at = :now"
                " WHERE recipient_id = :person_id AND status = 'pending'"
            ),
            {**who, "reason": reason, "now": now},
        )
        erased = (
            await session.execute(
                text(_ERASE_PERSONS_MESSAGES), {**who, "now": now, "pattern": ADDRESS_PATTERN}
            )
        ).one()
        counts = {
            "pending_cancelled": int(cancelled.rowcount),  # type: ignore[attr-defined]
            "messages": int(erased.messages),
            "delivery_attempts": int(erased.attempts),
        }
        for table, column in (
            ("recipients", "person_id"),
            ("focal_points", "person_id"),
            ("applications", "applicant_id"),
            ("enrolments", "person_id"),
            ("certificates", "person_id"),
            ("evaluation_assignments", "evaluator_id"),
        ):
            result = await session.execute(text(f"DELETE FROM {table} WHERE {column} = :person_id"), who)
            counts[table] = int(result.rowcount)  # type: ignore[attr-defined]
        return counts

    async def audit_erasure(
        self, person_pseudonym: str, requested_by: str, now: datetime, counts: Mapping[str, int]
    ) -> UUID:
        row = (
            await self._session.execute(
                text(
                    "INSERT INTO person_erasures (person_pseudonym, requested_by, erased_at, counts)"
                    " VALUES (:pseudonym, :by, :now, CAST(:counts AS jsonb)) RETURNING id"
                ),
                {"pseudonym": person_pseudonym, "by": requested_by, "now": now, "counts": json.dumps(counts)},
            )
        ).one()
        return UUID(str(row.id))


class RetentionUnitOfWork(SqlAlchemyUnitOfWork):
    retention: SqlRetention

    async def __aenter__(self) -> "RetentionUnitOfWork":
        await super().__aenter__()
        self.retention = SqlRetention(self.session)
        return self
