"""Arbitrary JSON that a JSON Schema accepts, as a hypothesis strategy: for fuzzing event handlers.

It covers what the contracts' exported schemas use (objects, arrays, strings with patterns,
lengths and formats, numbers with bounds, enums, anyOf, local $refs); anything else in a schema
is an error, so that a new kind of schema is noticed rather than fuzzed loosely.
"""

from datetime import timedelta, timezone
from typing import Any

import pycountry
from hypothesis import strategies as st

Json = Any

_OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "uuid": st.uuids().map(str),
    "date-time": st.datetimes(timezones=_OFFSETS).map(lambda moment: moment.isoformat()),
    "date": st.dates().map(lambda day: day.isoformat()),
}
# Codes a pattern allows but a contract refuses unless they exist: drawn from the real lists.
_PATTERNS: dict[str, st.SearchStrategy[str]] = {
    "^[A-Z]{2}$": st.sampled_from([country.alpha_2 for country in pycountry.countries]),
    "^[A-Z]{3}$": st.sampled_from([currency.alpha_3 for currency in pycountry.currencies]),
}
_KNOWN = {
    "type", "properties", "required", "additionalProperties", "items", "anyOf", "enum", "$ref", "$defs",
    "format", "pattern", "minLength", "maxLength", "minimum", "maximum", "title", "description",
    "default", "examples", "minItems", "maxItems", "x-personal", "x-pseudonymised", "const",
}  # fmt: skip


def from_json_schema(schema: dict[str, Json]) -> st.SearchStrategy[Json]:
    """Values `schema` accepts (its `$defs` resolve the references)."""
    return _strategy(schema, schema.get("$defs", {}))


def _strategy(schema: dict[str, Json], defs: dict[str, Json]) -> st.SearchStrategy[Json]:
    unknown = set(schema) - _KNOWN
    if unknown:
        raise ValueError(f"keywords this generator does not know: {sorted(unknown)}")
    if "$ref" in schema:
        return st.deferred(lambda: _strategy(defs[schema["$ref"].rsplit("/", 1)[-1]], defs))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "anyOf" in schema:
        return st.one_of(*(_strategy(option, defs) for option in schema["anyOf"]))
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, defs)
    if kind == "array":
        return st.lists(
            _strategy(schema.get("items", {}), defs),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 5), 5),
        )
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        # Amounts and hours are decimals with two places at most; a float with more is refused anyway.
        return st.decimals(schema.get("minimum"), schema.get("maximum"), places=2, allow_nan=False).map(float)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if not schema or set(schema) <= {"title", "description", "default"}:
        return st.none() | st.integers() | st.text(max_size=20)
    raise ValueError(f"a schema this generator does not know: {schema}")


def _object(schema: dict[str, Json], defs: dict[str, Json]) -> st.SearchStrategy[Json]:
    properties: dict[str, Json] = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields = {name: _strategy(sub, defs) for name, sub in properties.items() if name in required}
    optional = {name: _strategy(sub, defs) for name, sub in properties.items() if name not in required}
    return st.fixed_dictionaries(fields, optional=optional)


def _string(schema: dict[str, Json]) -> st.SearchStrategy[str]:
    if "format" in schema:
        return _FORMATS[schema["format"]]
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if schema.get("pattern") in _PATTERNS:
        return _PATTERNS[schema["pattern"]]
    if "pattern" in schema:
        matching: st.SearchStrategy[str] = st.from_regex(str(schema["pattern"]), fullmatch=True)
        return matching.filter(lambda text: low <= len(text) <= (high if high is not None else len(text)))
    return st.text(min_size=low, max_size=min(high, 60) if high is not None else 60)
