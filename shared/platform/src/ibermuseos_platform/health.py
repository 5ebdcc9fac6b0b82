"""Liveness and readiness: ready when what the service needs to accept work answers (its database).

Kafka is reported beside it but does not decide readiness: with the broker down the outbox keeps
every event the API records, so taking the pods out of their Service would refuse writes for nothing.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

Check = Callable[[], Awaitable[None]]


def database_check(engine: AsyncEngine) -> Check:
    async def check() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return check


async def _results(checks: Mapping[str, Check], timeout_seconds: float) -> dict[str, str]:
    async def run(check: Check) -> str:
        try:
            await asyncio.wait_for(check(), timeout_seconds)
        except Exception as error:
            return f"down: {type(error).__name__}"
        return "up"

    outcomes = await asyncio.gather(*(run(check) for check in checks.values()))
    return dict(zip(checks, outcomes, strict=True))


def health_router(timeout_seconds: float = 3.0) -> APIRouter:
    """`/health/live` (the process answers) and `/health/ready` (what it needs answers too).

    The required checks are read from `app.state.checks` and the reported ones from
    `app.state.reported_checks`, which the service's lifespan fills.
    """
    router = APIRouter(prefix="/health", tags=["operations"])

    @router.get("/live", summary="The process is alive")
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @router.get(
        "/ready",
        summary="The database answers (Kafka's state is reported, not required)",
        responses={503: {"description": "the database is down"}},
    )
    async def ready(request: Request, response: Response) -> dict[str, object]:
        required: Mapping[str, Check] = request.app.state.checks
        reported: Mapping[str, Check] = getattr(request.app.state, "reported_checks", {})
        checks, others = await asyncio.gather(
            _results(required, timeout_seconds), _results(reported, timeout_seconds)
        )
        ready = bool(checks) and all(result == "up" for result in checks.values())
        if not ready:
            response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "ready" if ready else "not ready", "checks": checks, "reported": others}

    return router
