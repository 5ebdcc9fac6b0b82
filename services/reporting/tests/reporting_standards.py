"""The official 360Giving JSON Schemas (vendored in `schemas/360giving`), as the tests validate files against them."""

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

GIVING = Path(__file__).parent / "schemas" / "360giving"


def giving_validator() -> Draft202012Validator:
    grant = json.loads((GIVING / "360-giving-schema.json").read_text())
    package = json.loads((GIVING / "360-giving-package-schema.json").read_text())
    # The schemas say "$schema": "http://json-schema.org/draft/2020-12/schema" (http: not the dialect's own id).
    resource = DRAFT202012.create_resource(grant)
    published = package["properties"]["grants"]["items"]["$ref"]  # the grant schema's URL (release 1.4.2)
    registry = Registry().with_resources([(published, resource), (grant["$id"], resource)])
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: object) -> bool:
        # RFC 3339: a date, "T", a time and an offset (jsonschema checks no date-time without extra packages).
        return not isinstance(value, str) or (
            "T" in value and datetime.fromisoformat(value).tzinfo is not None
        )

    @checker.checks("uri")
    def uri(value: object) -> bool:
        return not isinstance(value, str) or bool(urlsplit(value).scheme)

    return Draft202012Validator(package, registry=registry, format_checker=checker)


def giving_package_from_csv(text: str) -> dict[str, Any]:
    """A 360Giving CSV read back into a package by the standard's column titles ("Title:Sub title", "Title:0:Sub")."""
    schema = json.loads((GIVING / "360-giving-schema.json").read_text())

    def resolved(spec: dict[str, Any]) -> dict[str, Any]:
        ref = spec.get("$ref") or spec.get("items", {}).get("$ref")
        return schema["$defs"][ref.rsplit("/", 1)[1]] if ref else spec

    def path_of(properties: dict[str, Any], title: str) -> tuple[str, dict[str, Any]]:
        for name, spec in properties.items():
            if (spec.get("title") or resolved(spec).get("title")) == title:
                return name, spec
        raise AssertionError(f"no field titled {title!r}")

    grants = []
    for row in csv.DictReader(io.StringIO(text)):
        grant: dict[str, Any] = {}
        for column, value in row.items():
            if value == "" or column == "Number of grantees":
                continue
            parts = column.split(":")
            name, spec = path_of(schema["properties"], parts[0])
            kind = spec.get("type")
            if len(parts) == 1:
                grant[name] = float(value) if kind == "number" else value
                continue
            index = int(parts[1]) if parts[1].isdigit() else 0
            sub_name, _ = path_of(resolved(spec)["properties"], parts[-1])
            if kind == "array":
                items = grant.setdefault(name, [])
                while len(items) <= index:
                    items.append({})
                items[index][sub_name] = value
            else:
                grant.setdefault(name, {})[sub_name] = value
        grants.append(grant)
    return {"grants": grants}
