"""The span of time the program deals in: far wider than any call or course, narrow enough to compute with.

Dates at the ends of what Python can hold (year 1 or 9999 with an offset) overflow when moved
to UTC; nothing the program plans is before 1900 or after 2199.
"""

from datetime import date

FIRST_YEAR = 1900
LAST_YEAR = 2199


def within_span(moment: date) -> bool:
    """Checked on the local year, which needs no arithmetic and so cannot overflow."""
    return FIRST_YEAR <= moment.year <= LAST_YEAR
