"""Verification codes: 100 random bits in Crockford's base 32, grouped for reading aloud, with a check
character that catches a mistyped or swapped character before anything is looked up."""

import secrets

from ibermuseos_contracts.courses import printed_code

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
BODY_LENGTH = 20
"""20 characters of 5 bits: 100 bits, far beyond guessing."""
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _check_character(body: str) -> str:
    value = 0
    for char in body:
        value = value * 32 + ALPHABET.index(char)
    return CHECK_ALPHABET[value % 37]


def new_code() -> str:
    """A fresh code in its canonical form (no dashes)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _check_character(body)


formatted = printed_code
"""The code as printed: groups of five, the check character last (e.g. K7QF3-M9TAB-...-X)."""


def canonical(text: str) -> str | None:
    """The canonical code a person typed (any case, dashes or spaces, O for 0, I or L for 1), or
    None when it cannot be a code: wrong length, a foreign character, or a wrong check character."""
    cleaned = text.upper().replace("-", "").replace(" ", "")
    if len(cleaned) != BODY_LENGTH + 1:
        return None
    body = cleaned[:-1].translate(_READS_AS)
    if any(char not in ALPHABET for char in body):
        return None
    expected = _check_character(body)
    if cleaned[-1].translate(_READS_AS) != expected:
        return None
    return body + expected
