"""Liveness and readiness: ready only when every dependency (database, Kafka) answers."""

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


def health_router(timeout_seconds: float = 3.0) -> APIRouter:
    """`/health/live` (the process answers) and `/health/ready` (its dependencies answer too).

    The checks are read from `app.state.checks`, which the service's lifespan fills.
    """
    router = APIRouter(prefix="/health", tags=["operations"])

    @router.get("/live", summary="The process is alive")
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @router.get(
        "/ready",
        summary="The database and Kafka answer",
        responses={503: {"description": "a dependency is down"}},
    )
    async def ready(request: Request, response: Response) -> dict[str, object]:
        checks: Mapping[str, Check] = request.app.state.checks

        async def run(check: Check) -> str:
            try:
                await asyncio.wait_for(check(), timeout_seconds)
            except Exception as error:
                return f"down: {type(error).__name__}"
            return "up"

        results = dict(
            zip(checks, await asyncio.gather(*(run(check) for check in checks.values())), strict=True)
        )
        ready = bool(results) and all(result == "up" for result in results.values())
        if not ready:
            response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "ready" if ready else "not ready", "checks": results}

    return router
