# One image per service, built from the workspace with only that service's dependencies:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=applications -t ibermuseos/applications .
# The same file serves the four services (they differ only in their package), rather than four copies.
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ARG SERVICE
WORKDIR /src
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never
COPY pyproject.toml uv.lock ./
COPY shared shared
COPY services services
RUN uv sync --frozen --no-dev --no-editable --package "ibermuseos-${SERVICE}"

FROM python:3.11-slim
ARG SERVICE
ENV PATH=/app/.venv/bin:$PATH SERVICE=${SERVICE} PYTHONUNBUFFERED=1
COPY --from=build /src/.venv /app/.venv
COPY services/${SERVICE}/alembic.ini /app/alembic.ini
COPY services/${SERVICE}/migrations /app/migrations
WORKDIR /app
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/live').status != 200)"
# `migrate` runs the service's migrations (a Job or an init container), anything else serves.
CMD ["sh", "-c", "exec ibermuseos-${SERVICE} --host 0.0.0.0 --port 8000"]
