"""One institution, one count: how spellings of an institution are matched.

A *spelling* is an institution as someone wrote it (name, city, country). Spellings are
matched when, within the same country and city, their names are equal after
normalisation (case, accents, punctuation, common word abbreviations) and after expanding
known abbreviations ("MNA" in Ciudad de México is the Museo Nacional de Antropología).
A coordinator can confirm a match, merge institutions the rules did not match, and split
spellings out of an institution they were wrongly matched to; those decisions are kept
apart from the projections, so they survive every rebuild.
"""

import hashlib
import re
import unicodedata
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from ibermuseos_kernel.errors import Invalid, Issue

# Words commonly shortened in institution names, in Spanish and Portuguese.
WORD_ABBREVIATIONS = {
    "nac": "nacional",
    "nal": "nacional",
    "mus": "museo",
    "mun": "municipal",
    "prov": "provincial",
    "reg": "regional",
    "univ": "universidad",
    "inst": "instituto",
    "sta": "santa",
    "sto": "santo",
}

_DOTS = re.compile(r"[.·']")
_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=65_536)
def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, common words spelt out: 'Museo Nac. de Antropología' → 'museo nacional de antropologia'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    # Dots and apostrophes join what they separate, so that "M.N.A." reads as "mna".
    plain = _NOT_WORD.sub(" ", _DOTS.sub("", plain))
    return " ".join(WORD_ABBREVIATIONS.get(word, word) for word in plain.split())


def spelling_key(country: str, city: str, name: str) -> str:
    """The identity of a spelling: equal for writings that differ only in case, accents or punctuation."""
    return f"{country}|{normalise(city)}|{normalise(name)}"


def matched_key(country: str, city_norm: str, name_norm: str) -> str:
    return f"{country}|{city_norm}|{name_norm}"


def institution_id(key: str) -> uuid.UUID:
    """The id of the institution a matched key stands for, unless a coordinator decided otherwise.

    The same in Python and SQL (`md5(key)::uuid`), and the same in every rebuild.
    """
    return uuid.UUID(hashlib.md5(key.encode(), usedforsecurity=False).hexdigest())


def spelling_id(key: str) -> uuid.UUID:
    return institution_id("spelling:" + key)


@lru_cache(maxsize=65_536)
def name_quality(name: str) -> int:
    """How well a spelling shows the name, to pick the one to display: accents and mixed case beat capitals."""
    letters = [char for char in name if char.isalpha()]
    has_lower = any(char.islower() for char in letters)
    has_upper = any(char.isupper() for char in letters)
    accented = sum(1 for char in letters if not char.isascii())
    return (
        (2 if has_lower and has_upper else 1 if has_lower else 0) * 1000
        + min(accented, 99) * 10
        + min(len(name.split()), 9)
    )


def tie_breaker(*parts: str) -> int:
    """A stable number that orders spellings of equal quality the same way in every run."""
    return zlib.crc32("|".join(parts).encode())


MAX_ABBREVIATION = 60
MAX_NAME = 300
"""The longest abbreviation and name (of an institution or a city) kept, as written and normalised."""


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """A known abbreviation of an institution's name, within a country and (optionally) a city."""

    abbreviation: str
    name: str
    country: str
    city: str | None = None

    @property
    def abbreviation_norm(self) -> str:
        return normalise(self.abbreviation)

    @property
    def name_norm(self) -> str:
        return normalise(self.name)

    @property
    def city_norm(self) -> str:
        return normalise(self.city) if self.city else ""


class InvalidAbbreviation(Invalid):
    """Every problem with an abbreviation, as `field: problem` lines and as the refusal's issues."""

    def __init__(self, problems: list[str]) -> None:
        fields = [problem.partition(": ") for problem in problems]
        super().__init__("The abbreviation is not valid", [Issue(field, why) for field, _, why in fields])
        self.problems = problems


def check_abbreviation(abbreviation: Abbreviation) -> None:
    """An abbreviation must be one word that is not already the name itself."""
    problems = []
    if not abbreviation.abbreviation_norm:
        problems.append("abbreviation: has no letters or digits")
    elif " " in abbreviation.abbreviation_norm:
        problems.append("abbreviation: must be a single word, e.g. MNA")
    if not abbreviation.name_norm:
        problems.append("name: has no letters or digits")
    if abbreviation.abbreviation_norm and abbreviation.abbreviation_norm == abbreviation.name_norm:
        problems.append("name: is the abbreviation itself")
    # Spelt out, a ligature or a shortened word grows; what is stored of it is bounded.
    for field, normalised, most in (
        ("abbreviation", abbreviation.abbreviation_norm, MAX_ABBREVIATION),
        ("name", abbreviation.name_norm, MAX_NAME),
        ("city", abbreviation.city_norm, MAX_NAME),
    ):
        if len(normalised) > most:
            problems.append(f"{field}: longer than {most} characters once spelt out")
    if problems:
        raise InvalidAbbreviation(problems)


def expand(name_norm: str, country: str, city_norm: str, abbreviations: Iterable[Abbreviation]) -> str:
    """The normalised name with a known abbreviation spelt out; one for the city wins over one for the whole country."""
    country_wide: str | None = None
    for known in abbreviations:
        if known.country != country or known.abbreviation_norm != name_norm:
            continue
        if known.city_norm == city_norm:
            return known.name_norm
        if not known.city_norm:
            country_wide = known.name_norm
    return country_wide or name_norm


DEFAULT_ABBREVIATIONS: Sequence[Abbreviation] = (
    Abbreviation("MNA", "Museo Nacional de Antropología", "MX", "Ciudad de México"),
    Abbreviation("MUNAL", "Museo Nacional de Arte", "MX", "Ciudad de México"),
    Abbreviation("INAH", "Instituto Nacional de Antropología e Historia", "MX"),
    Abbreviation("MALI", "Museo de Arte de Lima", "PE", "Lima"),
    Abbreviation("MASP", "Museu de Arte de São Paulo Assis Chateaubriand", "BR", "São Paulo"),
    Abbreviation("IBRAM", "Instituto Brasileiro de Museus", "BR"),
    Abbreviation("MNBA", "Museo Nacional de Bellas Artes", "AR", "Buenos Aires"),
    Abbreviation("MALBA", "Museo de Arte Latinoamericano de Buenos Aires", "AR", "Buenos Aires"),
    Abbreviation("MNBA", "Museo Nacional de Bellas Artes", "CL", "Santiago"),
    Abbreviation("MNCARS", "Museo Nacional Centro de Arte Reina Sofía", "ES", "Madrid"),
    Abbreviation("MAN", "Museo Arqueológico Nacional", "ES", "Madrid"),
    Abbreviation("MAMBO", "Museo de Arte Moderno de Bogotá", "CO", "Bogotá"),
    Abbreviation("MNAA", "Museu Nacional de Arte Antiga", "PT", "Lisboa"),
)
"""Seeded into the coordinator's table by the migration; the coordinator adds more through the API."""


def similarity(first: str, second: str) -> float:
    """How alike two normalised names are, from 0 to 1: shared words and shared letters."""
    words_a, words_b = set(first.split()), set(second.split())
    if not words_a or not words_b:
        return 0.0
    jaccard = len(words_a & words_b) / len(words_a | words_b)
    return max(jaccard, SequenceMatcher(None, first, second).ratio())


@dataclass(frozen=True, slots=True)
class Candidate:
    institution_id: uuid.UUID
    name_norm: str


def suggest_duplicates(
    candidates: Sequence[Candidate], *, threshold: float = 0.8, limit: int = 100
) -> list[tuple[Candidate, Candidate, float]]:
    """Pairs of institutions of one city that may be the same, for a coordinator to merge or dismiss."""
    pairs: list[tuple[Candidate, Candidate, float]] = []
    for index, first in enumerate(candidates):
        for second in candidates[index + 1 :]:
            if first.institution_id == second.institution_id:
                continue
            score = similarity(first.name_norm, second.name_norm)
            if score >= threshold:
                pairs.append((first, second, round(score, 3)))
    pairs.sort(key=lambda pair: (-pair[2], pair[0].name_norm, pair[1].name_norm))
    return pairs[:limit]
