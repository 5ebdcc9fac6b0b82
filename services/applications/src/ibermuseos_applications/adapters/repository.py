"""Applications stored in PostgreSQL; the repository never commits."""

from typing import Any
from uuid import UUID

from ibermuseos_contracts.applications import Activity, Applicant
from ibermuseos_contracts.common import Institution
from ibermuseos_contracts.types import Money
from ibermuseos_platform.uow import SqlAlchemyUnitOfWork
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.applications import Application, Status, Submission
from .tables import applications


def _submission_document(submission: Submission) -> dict[str, Any]:
    return {
        "applicant": submission.applicant.model_dump(mode="json"),
        "institution": submission.institution.model_dump(mode="json"),
        "activity": submission.activity.model_dump(mode="json"),
        "requested": submission.requested.model_dump(mode="json"),
        "motivation": submission.motivation,
        "replication_commitment": submission.replication_commitment,
    }


def _submission(document: dict[str, Any]) -> Submission:
    return Submission(
        applicant=Applicant.model_validate(document["applicant"]),
        institution=Institution.model_validate(document["institution"]),
        activity=Activity.model_validate(document["activity"]),
        requested=Money.model_validate(document["requested"]),
        motivation=document["motivation"],
        replication_commitment=document["replication_commitment"],
    )


class SqlApplications:
    def __init__(self, session: AsyncSession, uow: SqlAlchemyUnitOfWork) -> None:
        self._session = session
        self._uow = uow

    async def add(self, application: Application) -> None:
        await self._session.execute(
            insert(applications).values(
                id=application.id,
                call_id=application.call_id,
                call_year=application.call_year,
                applicant_id=application.submission.applicant.person_id,
                applicant_country=application.submission.applicant.country_of_residence,
                status=application.status.value,
                submitted_at=application.submitted_at,
                submission=_submission_document(application.submission),
            )
        )
        self._uow.track(application)

    async def get(self, application_id: UUID) -> Application | None:
        row = (
            await self._session.execute(select(applications).where(applications.c.id == application_id))
        ).one_or_none()
        if row is None:
            return None
        application = Application(
            id=row.id,
            call_id=row.call_id,
            call_year=row.call_year,
            submission=_submission(row.submission),
            status=Status(row.status),
            submitted_at=row.submitted_at,
        )
        self._uow.track(application)
        return application


class UnitOfWork(SqlAlchemyUnitOfWork):
    """The service's unit of work: its repositories share the transaction."""

    applications: SqlApplications

    async def __aenter__(self) -> "UnitOfWork":
        await super().__aenter__()
        self.applications = SqlApplications(self.session, self)
        return self
