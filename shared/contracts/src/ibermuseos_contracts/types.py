"""Value types shared by the contracts: country codes, languages, money, privacy markers."""

from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


class _SchemaMarker:
    """A field annotation that tags the field in its JSON Schema with `x-<name>: true`."""

    __slots__ = ("keyword",)

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema[self.keyword] = True
        return schema

    def __repr__(self) -> str:
        return self.keyword


PERSONAL = _SchemaMarker("x-personal")
"""Marks a field that identifies or describes a person: it never leaves the private tier."""

PSEUDONYMISED = _SchemaMarker("x-pseudonymised")
"""Marks a person's id: on the public tier it is replaced by a keyed hash of itself."""

PersonId = Annotated[str, StringConstraints(min_length=1, max_length=255), PSEUDONYMISED]
"""The subject of a person's token; pseudonymised on the public tier."""

OptionalPersonId = Annotated[str | None, StringConstraints(max_length=255), PSEUDONYMISED]

PersonalText = Annotated[str, PERSONAL]
PersonalEmail = Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"), PERSONAL]


@cache
def _is_country(code: str) -> bool:
    # Looked up once per code: validating a replay of a million events asks the same few codes again and again.
    return pycountry.countries.get(alpha_2=code) is not None


def _known_country(code: str) -> str:
    if not _is_country(code):
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code")
    return code


CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    AfterValidator(_known_country),
    Field(description="ISO 3166-1 alpha-2 country code", examples=["MX"]),
]

LanguageTag = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$"),
    Field(description="BCP 47 language tag, e.g. es, pt-BR, en", examples=["pt-BR"]),
]

ProgramLanguage = Literal["es", "pt", "en"]
"""The three languages the program publishes in."""


def _known_currency(code: str) -> str:
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"'{code}' is not an ISO 4217 currency code")
    return code


CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), AfterValidator(_known_currency)]


class Money(BaseModel):
    """An amount in a currency, never a float."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
    currency: CurrencyCode


class Localized(BaseModel):
    """A text in the program's three languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    es: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
    pt: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
    en: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]

    def in_language(self, language: str) -> str:
        """The text in `language` (a BCP 47 tag), falling back to Spanish."""
        primary = language.split("-")[0]
        value: Any = getattr(self, primary, None) if primary in ("es", "pt", "en") else None
        return str(value) if value else self.es
