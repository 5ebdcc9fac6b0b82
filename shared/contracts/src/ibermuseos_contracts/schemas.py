"""JSON Schema of every event, exported into the repository, and the check that no change breaks a release.

ibermuseos-schemas export   write the schemas of the current contracts
ibermuseos-schemas check    fail if the written schemas are stale or break the released ones
ibermuseos-schemas release  record the current schemas as released
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import all_events
from .base import Event
from .privacy import public_model

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
CURRENT = "current"
RELEASED = "released"

Schemas = dict[str, dict[str, Any]]


def schema_of(event: type[Event], *, public: bool) -> dict[str, Any]:
    """The JSON Schema of an event's private or public shape, with its CloudEvents type."""
    model = public_model(event) if public else event
    schema = model.model_json_schema(mode="serialization")
    schema["x-ce-type"] = str(event.event_type)
    schema["x-topic"] = event.topic.public if public else event.topic.private
    schema["x-key"] = event.subject_field
    return schema


def current_schemas() -> Schemas:
    """File name → schema, for every event in both tiers."""
    schemas: Schemas = {}
    for event in all_events():
        base = f"{event.event_type.source}/{event.event_type.name}.v{event.event_type.version}"
        schemas[f"{base}.json"] = schema_of(event, public=False)
        schemas[f"{base}.public.json"] = schema_of(event, public=True)
    return schemas


def _render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(schemas: Schemas, folder: Path) -> None:
    """Replace the schemas in `folder` with `schemas`."""
    for old in folder.glob("**/*.json"):
        old.unlink()
    for name, schema in schemas.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_render(schema))


def read(folder: Path) -> Schemas:
    """The schemas stored in `folder`."""
    return {
        str(path.relative_to(folder)): json.loads(path.read_text())
        for path in sorted(folder.glob("**/*.json"))
    }


def stale(written: Schemas, generated: Schemas) -> list[str]:
    """Why the committed schemas differ from the contracts, one line per file."""
    problems = [f"{name}: not exported" for name in generated.keys() - written.keys()]
    problems += [f"{name}: no contract produces it any more" for name in written.keys() - generated.keys()]
    problems += [
        f"{name}: differs from its contract"
        for name in generated.keys() & written.keys()
        if _render(generated[name]) != _render(written[name])
    ]
    return sorted(problems)


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        *_, name = schema["$ref"].split("/")
        schema = root.get("$defs", {}).get(name, {})
    return schema


def _shape(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    """What a value must look like, without the words that describe it."""
    schema = _resolve(schema, root)
    ignored = {"title", "description", "examples", "default"}
    shape: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ignored:
            continue
        if key == "properties":
            shape[key] = {name: _shape(prop, root) for name, prop in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            shape[key] = _shape(value, root)
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            shape[key] = [_shape(option, root) for option in value]
        else:
            shape[key] = value
    return shape


def breaking_changes(released: dict[str, Any], current: dict[str, Any], where: str = "") -> list[str]:
    """What in `current` breaks a reader or writer of `released`: within a version, only optional fields may be added."""
    old, new = _resolve(released, released), _resolve(current, current)
    return _compare(old, released, new, current, where or "value")


def _compare(
    old: dict[str, Any],
    old_root: dict[str, Any],
    new: dict[str, Any],
    new_root: dict[str, Any],
    where: str,
) -> list[str]:
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    old_props, new_props = old.get("properties"), new.get("properties")
    if old_props is None or new_props is None:
        old_shape, new_shape = _shape(old, old_root), _shape(new, new_root)
        if old_shape != new_shape:
            return [
                f"{where}: type changed from {json.dumps(old_shape, sort_keys=True)} to {json.dumps(new_shape, sort_keys=True)}"
            ]
        return []
    problems: list[str] = []
    for name in sorted(old_props.keys() - new_props.keys()):
        problems.append(f"{where}.{name}: removed")
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(new_required - old_required):
        problems.append(
            f"{where}.{name}: required now" if name in old_props else f"{where}.{name}: added as required"
        )
    for name in sorted(old_required - new_required):
        problems.append(f"{where}.{name}: no longer required")
    for name in sorted(old_props.keys() & new_props.keys()):
        problems += _compare(old_props[name], old_root, new_props[name], new_root, f"{where}.{name}")
    return problems


def incompatibilities(released: Schemas, current: Schemas) -> list[str]:
    """Every breaking change between the released schemas and the current ones."""
    problems = [
        f"{name}: released schema removed (publish the old version beside the new one)"
        for name in sorted(released.keys() - current.keys())
    ]
    for name in sorted(released.keys() & current.keys()):
        problems += [f"{name}: {problem}" for problem in breaking_changes(released[name], current[name])]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ibermuseos-schemas",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["export", "check", "release"])
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR)
    args = parser.parse_args(argv)
    generated = current_schemas()
    if args.command == "export":
        write(generated, args.dir / CURRENT)
        print(f"wrote {len(generated)} schemas to {args.dir / CURRENT}")
        return 0
    if args.command == "release":
        write(generated, args.dir / RELEASED)
        print(f"released {len(generated)} schemas into {args.dir / RELEASED}")
        return 0
    problems = [f"stale: {line}" for line in stale(read(args.dir / CURRENT), generated)]
    problems += [f"breaking: {line}" for line in incompatibilities(read(args.dir / RELEASED), generated)]
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(
            "run `make schemas` to export; a breaking change needs a new event version",
            file=sys.stderr,
        )
        return 1
    print(f"{len(generated)} schemas current and compatible with the release")
    return 0


if __name__ == "__main__":
    sys.exit(main())
