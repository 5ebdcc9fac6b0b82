"""Operators' tool for the platform's topics.

    ibermuseos-topics ensure    create every contract topic (private and public) that is missing
    ibermuseos-topics list      the platform's topics with partitions and retention

Services create their own topics at start-up; `ensure` lets operators create them ahead (and
data consumers' ACLs be set) before any service runs. Settings from KAFKA_BOOTSTRAP_SERVERS,
KAFKA_TOPIC_PREFIX, KAFKA_PARTITIONS and KAFKA_REPLICATION_FACTOR, and for a secured cluster
KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_FILE.
"""

import argparse
import asyncio
import json
import sys

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from ibermuseos_contracts import all_events

from .kafka import connection, ensure_topics, published_topics
from .settings import KafkaSettings, KafkaToolSettings


async def _list(settings: KafkaSettings) -> None:
    admin = AIOKafkaAdminClient(**connection(settings))
    await admin.start()
    try:
        names = sorted(name for name in await admin.list_topics() if not name.startswith("__"))
        described = await admin.describe_topics(names)
        configs = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
        )
        retention: dict[str, str] = {}
        for response in configs:
            for resource in response.resources:
                values = {entry[0]: entry[1] for entry in resource[4]}
                retention[resource[3]] = values.get("retention.ms", "?")
        for topic in described:
            name = topic["topic"]
            print(
                json.dumps(
                    {
                        "topic": name,
                        "partitions": len(topic["partitions"]),
                        "retention.ms": retention.get(name),
                    }
                )
            )
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ibermuseos-topics", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["ensure", "list"])
    args = parser.parse_args(argv)
    settings = KafkaToolSettings()
    if args.command == "ensure":
        topics = published_topics({event.topic for event in all_events()}, settings)
        created = asyncio.run(ensure_topics(settings, topics))
        print(f"{len(created)} topic(s) created, {len(topics) - len(created)} already there")
        return 0
    asyncio.run(_list(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
