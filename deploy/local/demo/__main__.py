"""Loads the demo data into the running local platform and prints where to look.

Run by `make run` after the services are ready. Every service has a module here
(`demo_<service>.py`) with a `load(client, people)` function; loading twice changes
nothing (the calls carry fixed Idempotency-Keys or check first).
"""

import sys
from pathlib import Path

import demo_applications
import demo_courses
import demo_notifications
import demo_reporting
import httpx
from people import PEOPLE, Urls, mint_tokens

REPO = Path(__file__).resolve().parents[3]


def main() -> int:
    tokens = mint_tokens(REPO / ".run" / "dev-issuer")
    urls = Urls()
    with httpx.Client(timeout=30) as client:
        for module in (demo_applications, demo_courses, demo_notifications, demo_reporting):
            module.load(client, urls, tokens)
    print()
    print("The Ibermuseos training platform is running:")
    for name, url in urls.services().items():
        print(f"  {name:<14} {url}/docs   (AsyncAPI: {url}/asyncapi, health: {url}/health/ready)")
    for line in demo_notifications.where_to_look(urls):
        print(f"  {line}")
    for line in demo_reporting.where_to_look(urls):
        print(f"  {line}")
    print()
    print("Demo tokens (Authorization: Bearer <token>), valid 12 hours:")
    for person in PEOPLE:
        print(
            f"  {person.label} [{', '.join(person.roles)}{', ' + person.country if person.country else ''}]"
        )
        print(f"    {tokens[person.key]}")
    print()
    print("Stop everything with `make down`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
