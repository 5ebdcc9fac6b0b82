# One image per service, built from the workspace with only that service's packages:
#   docker build -f deploy/images/service.Dockerfile --build-arg SERVICE=applications -t ibermuseos/applications .
# `make images` builds the four (with podman and a base image made from Debian's packages where
# there is no Docker engine). Build arguments:
#   BASE_IMAGE       any image with Python 3.11 (public default; `make images` passes its Debian-built base)
#   UV_REQUIREMENT   what pip installs to get uv (a version from PyPI by default, or a wheel's path or URL)
# The build may be given the host's CA bundle as the secret `ca` (an intercepting proxy's CA); it is
# used by pip and uv during the build only and never stored in a layer.
ARG BASE_IMAGE=docker.io/library/python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
ARG UV_REQUIREMENT=uv==0.13.9
ARG SERVICE
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca SSL_CERT_FILE=/run/secrets/ca; fi; \
    python3 -m venv /opt/uv && /opt/uv/bin/pip install --quiet --no-cache-dir "${UV_REQUIREMENT}"
WORKDIR /src
# Third-party dependencies first, in their own layer: it is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
COPY shared/contracts/pyproject.toml shared/contracts/
COPY shared/kernel/pyproject.toml shared/kernel/
COPY shared/platform/pyproject.toml shared/platform/
COPY services/applications/pyproject.toml services/applications/
COPY services/courses/pyproject.toml services/courses/
COPY services/notifications/pyproject.toml services/notifications/
COPY services/reporting/pyproject.toml services/reporting/
RUN --mount=type=secret,id=ca --mount=type=cache,target=/root/.cache/uv \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi; \
    /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package "ibermuseos-${SERVICE}" --python python3
COPY shared shared
COPY services/${SERVICE} services/${SERVICE}
RUN --mount=type=secret,id=ca --mount=type=cache,target=/root/.cache/uv \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi; \
    /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package "ibermuseos-${SERVICE}" --python python3

FROM ${BASE_IMAGE}
ARG SERVICE
ENV PATH=/app/.venv/bin:$PATH SERVICE=${SERVICE} PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 HOME=/tmp
COPY --from=build /app/.venv /app/.venv
COPY services/${SERVICE}/alembic.ini /app/alembic.ini
COPY services/${SERVICE}/migrations /app/migrations
COPY deploy/images/entrypoint.sh /app/entrypoint.sh
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD ["python3", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/live').status != 200)"]
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["serve"]
