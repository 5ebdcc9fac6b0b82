"""Supporting documents nobody can submit any more are deleted after a retention period: those of drafts of calls
closed long ago, and files no application lists (a discarded draft's whose deletion failed, an upload whose commit
failed). Documents of submitted applications are never touched."""

from dataclasses import dataclass
from datetime import timedelta

from ibermuseos_kernel.clock import Clock

from .common import load_application
from .ports import ConcurrentChange, SweepableStorage, UnitOfWorkFactory


@dataclass(frozen=True)
class Swept:
    """How many documents went, by why (counts only: nothing about whose they were)."""

    of_drafts_of_closed_calls: int = 0
    unreferenced_files: int = 0


async def sweep_orphan_documents(
    uows: UnitOfWorkFactory, storage: SweepableStorage, clock: Clock, retention: timedelta
) -> Swept:
    """Deletes the rows and files of documents not attached to a submitted application once `retention` has passed
    since the call closed (drafts), or since the file was written (files no application lists)."""
    cutoff = clock.now() - retention
    async with uows() as uow:
        drafts = await uow.applications.drafts_with_documents_in_calls_closed_before(cutoff)
    of_drafts = 0
    for application_id in drafts:
        try:
            async with uows() as uow:
                application = await load_application(uow, application_id)
                purged = application.purge_documents()
                await uow.applications.save(application)
                await uow.commit()
        except ConcurrentChange:
            continue  # the next sweep sees it again
        for document in purged:
            await storage.delete(str(document.id))
        of_drafts += len(purged)
    stored = await storage.stored_before(cutoff)
    async with uows() as uow:
        referenced = await uow.applications.referenced_documents(stored)
    unreferenced = [key for key in stored if key not in referenced]
    for key in unreferenced:
        await storage.delete(key)
    return Swept(of_drafts, len(unreferenced))
