"""Value types the domain's models share: amounts, texts, document kinds (texts in the three languages are the kernel's)."""

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from ibermuseos_kernel.fields import Line, Prose
from pydantic import Field, StringConstraints

Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
"""An amount of money in the call's currency: never a float, at most two decimals."""

PositiveAmount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]

ShortText = Annotated[Line, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
"""A name, a title, a city, a job: one line."""
LongText = Annotated[Prose, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Justification = Annotated[Prose, StringConstraints(strip_whitespace=True, min_length=3, max_length=2_000)]
"""Why a person decided or overrode something: kept in the audit log."""

CENT = Decimal("0.01")


class DocumentKind(StrEnum):
    """What a supporting document is; a call may require some kinds."""

    CV = "cv"
    INSTITUTION_ENDORSEMENT = "institution_endorsement"
    """A letter of the applicant's institution supporting the application."""
    ACTIVITY_ADMISSION = "activity_admission"
    """The organiser's letter of admission or invitation to the activity."""
    BUDGET_QUOTE = "budget_quote"
    OTHER = "other"


def money(amount: Decimal) -> str:
    """An amount as people read it: 1,234.50."""
    return f"{amount.quantize(CENT):,.2f}"
