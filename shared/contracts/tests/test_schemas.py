import copy
from pathlib import Path

from ibermuseos_contracts import all_events, schemas

RELEASED = {
    "type": "object",
    "properties": {
        "application_id": {"type": "string", "format": "uuid", "title": "Application Id"},
        "amount": {"type": "string"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "institution": {"$ref": "#/$defs/Institution"},
    },
    "required": ["application_id", "amount", "institution"],
    "$defs": {
        "Institution": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "country": {"type": "string"}},
            "required": ["name", "country"],
        }
    },
}


def changed(edit) -> dict:  # type: ignore[no-untyped-def]
    schema = copy.deepcopy(RELEASED)
    edit(schema)
    return schema


def test_adding_an_optional_field_is_compatible() -> None:
    current = changed(lambda s: s["properties"].update(extra={"type": "integer"}))

    assert schemas.breaking_changes(RELEASED, current) == []


def test_new_words_in_descriptions_are_compatible() -> None:
    current = changed(lambda s: s["properties"]["amount"].update(description="the amount", title="Amount"))

    assert schemas.breaking_changes(RELEASED, current) == []


def test_removing_a_field_breaks() -> None:
    current = changed(lambda s: s["properties"].pop("note"))

    assert schemas.breaking_changes(RELEASED, current) == ["value.note: removed"]


def test_adding_a_required_field_breaks() -> None:
    def edit(s: dict) -> None:
        s["properties"]["year"] = {"type": "integer"}
        s["required"].append("year")

    assert schemas.breaking_changes(RELEASED, changed(edit)) == ["value.year: added as required"]


def test_making_a_field_optional_breaks_readers() -> None:
    current = changed(lambda s: s["required"].remove("amount"))

    assert schemas.breaking_changes(RELEASED, current) == ["value.amount: no longer required"]


def test_changing_a_type_breaks_even_inside_a_nested_model() -> None:
    current = changed(lambda s: s["$defs"]["Institution"]["properties"].update(country={"type": "integer"}))

    problems = schemas.breaking_changes(RELEASED, current)

    assert len(problems) == 1
    assert problems[0].startswith("value.institution.country: type changed")


def test_dropping_a_released_event_breaks() -> None:
    problems = schemas.incompatibilities({"a/X.v1.json": RELEASED}, {})

    assert problems == ["a/X.v1.json: released schema removed (publish the old version beside the new one)"]


def test_committed_schemas_are_stale_when_a_contract_changed() -> None:
    generated = {"a/X.v1.json": RELEASED, "a/Y.v1.json": RELEASED}
    written = {
        "a/X.v1.json": changed(lambda s: s["properties"].pop("note")),
        "a/Z.v1.json": RELEASED,
    }

    assert schemas.stale(written, generated) == [
        "a/X.v1.json: differs from its contract",
        "a/Y.v1.json: not exported",
        "a/Z.v1.json: no contract produces it any more",
    ]


def test_every_event_has_a_private_and_a_public_schema() -> None:
    generated = schemas.current_schemas()

    events = all_events()
    assert len(events) > 1
    for event in events:
        base = f"{event.event_type.source}/{event.event_type.name}.v{event.event_type.version}"
        assert {f"{base}.json", f"{base}.public.json"} <= set(generated), base
        assert generated[f"{base}.public.json"]["x-topic"] == event.topic.public
    assert len(generated) == 2 * len(events)
    assert "applications/ApplicationSubmitted.v1.json" in generated
    assert "applications/ApplicationSubmitted.v1.public.json" in generated
    public = generated["applications/ApplicationSubmitted.v1.public.json"]
    assert public["x-topic"] == "public.applications.application.v1"
    assert public["x-ce-type"] == "org.ibermuseos.applications.ApplicationSubmitted.v1"


def test_the_check_passes_on_what_export_wrote_and_fails_on_a_break(tmp_path: Path) -> None:
    assert schemas.main(["export", "--dir", str(tmp_path)]) == 0
    assert schemas.main(["release", "--dir", str(tmp_path)]) == 0
    assert schemas.main(["check", "--dir", str(tmp_path)]) == 0

    released = tmp_path / "released" / "applications" / "ApplicationSubmitted.v1.json"
    released.write_text(released.read_text().replace('"call_year"', '"call_year_removed"'))

    assert schemas.main(["check", "--dir", str(tmp_path)]) == 1
