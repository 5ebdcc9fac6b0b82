"""Once, with migration 0005: the documents an earlier release kept in a folder move into the database, beside the
applications that list them. Run after the new release has replaced the old one (which still reads the folder);
it can run again, and moves only what is still missing."""

import hashlib
from dataclasses import dataclass

from ibermuseos_kernel.errors import NotFound

from .common import load_application
from .ports import ConcurrentChange, DocumentFolder, UnitOfWorkFactory


@dataclass(frozen=True)
class Moved:
    """What the move did, in counts."""

    moved: int
    """Documents whose bytes went from the folder into the database."""
    missing: int
    """Documents an application lists that neither the database nor the folder holds."""
    altered: int
    """Files that are not the bytes uploaded (their SHA-256 differs from the one recorded): left in the folder."""
    removed: int
    """Files removed from the folder because their bytes are in the database."""
    left: int
    """Files left in the folder: the altered ones, and those no application lists (a discarded draft's, an upload
    whose commit failed)."""


async def move_documents_from_folder(uows: UnitOfWorkFactory, folder: DocumentFolder) -> Moved:
    """Every document listed by an application and held only by the folder is stored in the database, one
    transaction each, unchanged (checked by its SHA-256); then the files whose bytes are in the database go."""
    async with uows() as uow:
        waiting = await uow.documents.listed_without_content()
    moved = missing = altered = 0
    for application_id, document in waiting:
        content = await folder.read(document.id)
        if content is None:
            missing += 1
            continue
        if hashlib.sha256(content).hexdigest() != document.sha256:
            altered += 1
            continue
        try:
            async with uows() as uow:
                application = await load_application(uow, application_id)
                application.document(document.id)
                await uow.documents.add(application.id, document, content)
                # Saved for its version: if the document was removed meanwhile, this is a ConcurrentChange.
                await uow.applications.save(application)
                await uow.commit()
        except (NotFound, ConcurrentChange):
            continue  # discarded or changed meanwhile: a next run sees what is still listed
        moved += 1
    files = await folder.ids()
    async with uows() as uow:
        stored = await uow.documents.stored(files)
    for document_id in sorted(stored):
        await folder.remove(document_id)
    return Moved(moved, missing, altered, len(stored), len(files) - len(stored))
