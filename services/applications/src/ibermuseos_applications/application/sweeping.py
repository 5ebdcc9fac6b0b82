"""Supporting documents nobody can submit any more are deleted after a retention period: those of drafts of calls
closed long ago. Documents of submitted applications are never touched. A document's bytes are written and deleted
in the transactions that attach and remove it, so no other kind of orphan can be left behind."""

from datetime import timedelta

from ibermuseos_kernel.clock import Clock

from .common import load_application
from .ports import ConcurrentChange, UnitOfWorkFactory


async def sweep_orphan_documents(uows: UnitOfWorkFactory, clock: Clock, retention: timedelta) -> int:
    """Deletes the documents of drafts once `retention` has passed since their call closed; returns how many went
    (a count only: nothing about whose they were)."""
    async with uows() as uow:
        drafts = await uow.applications.drafts_with_documents_in_calls_closed_before(clock.now() - retention)
    swept = 0
    for application_id in drafts:
        try:
            async with uows() as uow:
                application = await load_application(uow, application_id)
                purged = application.purge_documents()
                await uow.applications.save(application)
                await uow.documents.remove(purged)
                await uow.commit()
        except ConcurrentChange:
            continue  # the next sweep sees it again
        swept += len(purged)
    return swept
