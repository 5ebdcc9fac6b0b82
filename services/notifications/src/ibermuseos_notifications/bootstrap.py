"""The composition root: builds the service's parts from its settings, inside the FastAPI lifespan."""

from collections.abc import Mapping
from dataclasses import dataclass

from ibermuseos_contracts import Event
from ibermuseos_platform.consumer import Handler
from ibermuseos_platform.runtime import Platform, PlatformSettings

from . import SERVICE
from .adapters.tables import metadata
from .settings import Settings


@dataclass
class Container:
    platform: Platform


def bootstrap(settings: Settings, handlers: Mapping[type[Event], Handler]) -> Container:
    platform = Platform(
        PlatformSettings(SERVICE, settings.database, settings.kafka, settings.outbox, settings.privacy),
        metadata,
    )
    platform.add_consumer(SERVICE, handlers, public=False)
    return Container(platform=platform)
