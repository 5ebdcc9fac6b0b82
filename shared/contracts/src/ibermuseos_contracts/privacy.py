"""The public tier: the same event with personal fields removed and people pseudonymised."""

import hashlib
import hmac
import types
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, create_model
from pydantic.fields import FieldInfo

from .base import Event
from .types import PERSONAL, PSEUDONYMISED


class Pseudonymiser:
    """A keyed hash of a person's id: stable across services, not reversible from the stream."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key

    def __call__(self, person_id: str) -> str:
        digest = hmac.new(self._key, person_id.encode(), hashlib.sha256).hexdigest()
        return "p-" + digest[:32]


def _is(field: FieldInfo, marker: object) -> bool:
    return any(item is marker for item in field.metadata)


def _public_annotation(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return public_model(annotation)
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extras = get_args(annotation)
        if any(extra is PERSONAL or extra is PSEUDONYMISED for extra in extras):
            # Only a field's own annotation is read for markers: one buried in a list or an
            # optional would be silently ignored, and its value would leak to the public tier.
            raise TypeError(
                f"privacy marker inside {annotation!r}: mark the whole field instead, "
                "e.g. Annotated[str | None, PERSONAL]"
            )
        return Annotated[(_public_annotation(inner), *extras)]
    if origin in (list, tuple, set, frozenset):
        return origin[
            tuple(_public_annotation(arg) if arg is not Ellipsis else arg for arg in get_args(annotation))
        ]
    if origin in (Union, types.UnionType):
        args = tuple(_public_annotation(arg) for arg in get_args(annotation))
        return Union[args]  # noqa: UP007 - built from a runtime tuple
    return annotation


@cache
def public_model(model: type[BaseModel]) -> type[BaseModel]:
    """The public shape of a contract model: personal fields dropped, person ids pseudonymous."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if _is(field, PERSONAL):
            continue
        annotation = field.annotation if _is(field, PSEUDONYMISED) else _public_annotation(field.annotation)
        fields[name] = (annotation, FieldInfo.merge_field_infos(field))
    public = create_model(
        model.__name__ + "Public",
        __config__=model.model_config,
        __doc__=(model.__doc__ or "") + "\n\nPublic tier: no personal fields; people are pseudonymous.",
        __module__=model.__module__,
        **fields,
    )
    return public


def _publicise(value: Any, pseudonymise: Pseudonymiser) -> Any:
    if isinstance(value, BaseModel):
        return publicise_fields(value, pseudonymise)
    if isinstance(value, list | tuple | set | frozenset):
        return [_publicise(item, pseudonymise) for item in value]
    return value


def _pseudonymise(value: Any, pseudonymise: Pseudonymiser) -> Any:
    if value is None:
        return None
    if isinstance(value, list | tuple | set | frozenset):
        return [pseudonymise(str(item)) for item in value]
    return pseudonymise(str(value))


def publicise_fields(model: BaseModel, pseudonymise: Pseudonymiser) -> dict[str, Any]:
    """The field values of `model` as they may appear on the public tier."""
    data: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        if _is(field, PERSONAL):
            continue
        value = getattr(model, name)
        if _is(field, PSEUDONYMISED):
            data[name] = _pseudonymise(value, pseudonymise)
        else:
            data[name] = _publicise(value, pseudonymise)
    return data


def to_public(event: Event, pseudonymise: Pseudonymiser) -> BaseModel:
    """The public twin of `event`, validated against its public model."""
    return public_model(type(event)).model_validate(publicise_fields(event, pseudonymise))
