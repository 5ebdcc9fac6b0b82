"""The composition root: builds the service's parts from its settings, inside the FastAPI lifespan."""

from dataclasses import dataclass

from ibermuseos_platform.runtime import Platform, PlatformSettings

from . import SERVICE
from .adapters.tables import metadata
from .settings import Settings


@dataclass
class Container:
    platform: Platform


def bootstrap(settings: Settings) -> Container:
    platform = Platform(
        PlatformSettings(SERVICE, settings.database, settings.kafka, settings.outbox, settings.privacy),
        metadata,
    )
    return Container(platform=platform)
