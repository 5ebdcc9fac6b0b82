"""What stored text may contain: never a control character, save tab and line breaks in prose.

NUL cannot be stored by PostgreSQL at all; the other control characters (and a line break in a
name) would reach mail headers, CSV files and pages. The patterns are plain character classes,
so that pydantic, JSON Schema readers and `re` all read them the same way.
"""

import re

LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
"""A single line: no control character at all (C0, DEL, C1)."""

PROSE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
"""Free text: tab, line feed and carriage return allowed, no other control character."""

_LINE = re.compile(LINE)
_PROSE = re.compile(PROSE)


def is_line(text: str) -> bool:
    return _LINE.match(text) is not None


def is_prose(text: str) -> bool:
    return _PROSE.match(text) is not None
