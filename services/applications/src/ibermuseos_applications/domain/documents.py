"""Supporting documents: which types are accepted, told by their first bytes rather than by what the sender claims."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ibermuseos_kernel.errors import Issue

from .values import DocumentKind

# The content types accepted and the bytes every file of that type starts with.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
ACCEPTED_TYPES = tuple(SIGNATURES)
_UNSAFE = re.compile(r"[^\w.\- ()]+")


def sniff(content: bytes) -> str | None:
    """The accepted type `content` really is, by its magic bytes; None for anything else."""
    for content_type, signatures in SIGNATURES.items():
        if any(content.startswith(signature) for signature in signatures):
            return content_type
    return None


def clean_filename(name: str) -> str:
    """A name safe to show and to send back in Content-Disposition: no paths, no control characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[:150]


@dataclass(frozen=True, slots=True)
class Upload:
    """A file an applicant sent, before it is accepted."""

    kind: str
    filename: str
    declared_type: str
    content: bytes
    """The bytes received (only the first ones when the file was too large to take)."""
    size: int


def upload_issues(upload: Upload, *, max_bytes: int) -> list[Issue]:
    """Every reason to refuse an upload: unknown kind, no name, too large, empty, type not accepted or not what it claims."""
    issues: list[Issue] = []
    if upload.kind not in DocumentKind.__members__.values():
        kinds = ", ".join(kind.value for kind in DocumentKind)
        issues.append(Issue("query.kind", f"must be one of: {kinds}"))
    if not clean_filename(upload.filename):
        issues.append(Issue("query.filename", "give the file's name"))
    size = upload.size
    if size > max_bytes:
        issues.append(Issue("body", f"the file is larger than {max_bytes} bytes"))
    elif size == 0:
        issues.append(Issue("body", "the file is empty"))
    declared = upload.declared_type.split(";")[0].strip().lower()
    if declared not in ACCEPTED_TYPES:
        issues.append(
            Issue(
                "header.content-type",
                f"'{declared}' is not accepted; send one of {', '.join(ACCEPTED_TYPES)}",
            )
        )
    elif size and size <= max_bytes and sniff(upload.content) != declared:
        issues.append(Issue("body", f"the content is not a {declared} file"))
    return issues


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A stored document of an application: what it is, not its bytes (those are in the storage)."""

    id: UUID
    kind: DocumentKind
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    request_id: UUID | None = None
    """The request for information this document answers, if any."""
