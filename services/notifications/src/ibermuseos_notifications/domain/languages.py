"""Which language a person is written to in: their own, along a fallback chain, in the three program languages."""

from dataclasses import dataclass

TEMPLATE_LANGUAGES = ("es", "pt", "en")
DEFAULT_LANGUAGE = "es"


@dataclass(frozen=True)
class LanguageChoice:
    template: str
    """The language of the template: es, pt or en."""
    locale: str
    """The BCP 47 tag dates, times and amounts are formatted for (pt-BR, es, en, ...)."""


def primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def choose_language(preferred: str | None, context_language: str | None = None) -> LanguageChoice:
    """The recipient's preferred language (pt-BR to pt), else the call's or course's language, else Spanish.

    Amounts and dates follow the preferred tag when its language is the one written in
    (pt-BR and pt-PT differ), else the language written in.
    """
    for candidate in (preferred, context_language):
        if candidate and primary(candidate) in TEMPLATE_LANGUAGES:
            return LanguageChoice(primary(candidate), candidate)
    return LanguageChoice(DEFAULT_LANGUAGE, DEFAULT_LANGUAGE)
