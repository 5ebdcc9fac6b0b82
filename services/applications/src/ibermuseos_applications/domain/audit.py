"""The audit log: who decided what, when, and why."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

SYSTEM = "system"
"""The actor of what the service decides by itself (automatic screening, deadlines)."""


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    call_id: UUID | None = None
    application_id: UUID | None = None
    justification: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
