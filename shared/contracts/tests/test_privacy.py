import json
from collections.abc import Callable
from typing import Annotated

import pytest
from ibermuseos_contracts import Event, Pseudonymiser, Topic, all_events, public_model, to_public
from ibermuseos_contracts.applications import ApplicationSubmittedV1
from ibermuseos_contracts.types import PERSONAL, PersonId
from pydantic import BaseModel

KEY = Pseudonymiser(b"a-test-key-of-32-bytes-----------")


def _personal_paths(schema: dict, root: dict, path: str = "") -> list[str]:
    found = []
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].split("/")[-1]]
    if schema.get("x-personal"):
        found.append(path)
    for name, prop in schema.get("properties", {}).items():
        found += _personal_paths(prop, root, f"{path}.{name}")
    for option in schema.get("anyOf", []):
        found += _personal_paths(option, root, path)
    if isinstance(schema.get("items"), dict):
        found += _personal_paths(schema["items"], root, path + "[]")
    return found


Factory = Callable[..., ApplicationSubmittedV1]


def test_the_public_twin_has_no_name_email_or_language(application_submitted: Factory) -> None:
    event = application_submitted()

    public = json.loads(to_public(event, KEY).model_dump_json())

    assert "name" not in public["applicant"]
    assert "email" not in public["applicant"]
    assert "preferred_language" not in public["applicant"]
    assert "Ana Souza" not in json.dumps(public)
    assert "ana@example.org" not in json.dumps(public)
    assert public["applicant"]["gender"] == "female"
    assert public["institution"]["name"] == "Museu Nacional"


def test_people_are_pseudonymous_stable_and_keyed(application_submitted: Factory) -> None:
    first = to_public(application_submitted("person-1"), KEY)
    again = to_public(application_submitted("person-1"), KEY)
    other_key = to_public(
        application_submitted("person-1"), Pseudonymiser(b"another-key-of-enough-length----")
    )

    pseudonym = first.applicant.person_id  # type: ignore[attr-defined]
    assert pseudonym != "person-1"
    assert pseudonym == again.applicant.person_id  # type: ignore[attr-defined]
    assert pseudonym != other_key.applicant.person_id  # type: ignore[attr-defined]


def test_no_public_schema_of_any_event_has_a_personal_field() -> None:
    for event in all_events():
        schema = public_model(event).model_json_schema()
        assert _personal_paths(schema, schema) == [], event.__name__


def test_the_private_schema_marks_personal_fields(application_submitted: Factory) -> None:
    schema = type(application_submitted()).model_json_schema()

    assert set(_personal_paths(schema, schema)) >= {
        ".applicant.name",
        ".applicant.email",
        ".applicant.preferred_language",
    }


def test_a_privacy_marker_hidden_inside_a_list_is_refused() -> None:
    class Leaky(BaseModel):
        names: list[Annotated[str, PERSONAL]]

    with pytest.raises(TypeError, match="privacy marker inside"):
        public_model(Leaky)


def test_a_short_pseudonym_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Pseudonymiser(b"short")


def test_event_classes_must_say_their_version_topic_and_subject() -> None:
    topic = Topic("tests", "thing")

    with pytest.raises(TypeError, match="named <PastTenseName>V<version>"):

        class ThingHappened(Event, topic=topic, subject="thing_id"):
            thing_id: PersonId

    with pytest.raises(TypeError, match="must declare topic= and subject="):

        class ThingHappenedV1(Event):
            thing_id: str
