"""The raw HTTP baselines of bench_http: the least a FastAPI service can do for the same request.

- `POST /json/{run_id}`: validates the enrolment body with pydantic and answers JSON; no database.
- `POST /write/{run_id}`: the same, plus one asyncpg transaction of two INSERTs (the enrolment and
  its event), as an enrolment with an outbox needs at the least; no ORM, no token, no lock.

Served like the services (uvicorn, one process, uvloop and httptools, no access log):
`BENCH_BASELINE_DATABASE=postgresql://... uvicorn benchmarks.http_baseline:app --port P`.
"""

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict

POOL_SIZE = 10


class InstitutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    type: str
    city: str
    country: str


class EnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    preferred_language: str
    timezone: str = "UTC"
    country: str
    institution: InstitutionIn


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = os.environ.get("BENCH_BASELINE_DATABASE")
    if url is None:
        app.state.pool = None
        yield
        return
    pool = await asyncpg.create_pool(url, min_size=POOL_SIZE, max_size=POOL_SIZE)
    await pool.execute(
        "CREATE TABLE IF NOT EXISTS enrolments (id uuid PRIMARY KEY, run_id uuid, body jsonb);"
        "CREATE TABLE IF NOT EXISTS events (position bigserial PRIMARY KEY, event_id uuid, payload text)"
    )
    app.state.pool = pool
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/json/{run_id}", status_code=201)
async def json_only(run_id: uuid.UUID, body: EnrolIn) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "run_id": str(run_id), "status": "enrolled", **body.model_dump()}


@app.post("/write/{run_id}", status_code=201)
async def write(run_id: uuid.UUID, body: EnrolIn, request: Request) -> dict[str, Any]:
    enrolment = {"id": str(uuid.uuid4()), "run_id": str(run_id), "status": "enrolled", **body.model_dump()}
    payload = json.dumps(enrolment)
    async with request.app.state.pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "INSERT INTO enrolments VALUES ($1, $2, $3)", uuid.UUID(enrolment["id"]), run_id, payload
        )
        await connection.execute(
            "INSERT INTO events (event_id, payload) VALUES ($1, $2)", uuid.uuid4(), payload
        )
    return enrolment
