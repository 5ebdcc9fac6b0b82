#!/usr/bin/env bash
# Sourced by the Makefile's scripts: where the local platform's parts are and how each
# service is configured. Every value can be overridden from the environment, e.g. an
# external broker (KAFKA_BOOTSTRAP_SERVERS), PostgreSQL server (PG_ADMIN_URL) or a
# service's own database (APPLICATIONS_DATABASE__URL, COURSES_DATABASE__URL, ...).

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
run_dir=$repo_root/.run
venv_bin=$repo_root/.venv/bin

SERVICES=(applications courses notifications reporting)
declare -A SERVICE_PORT=([applications]=8001 [courses]=8002 [notifications]=8003 [reporting]=8004)

kafka_bootstrap=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}
pg_admin_url=${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
jwks_url="file://$run_dir/dev-issuer/jwks.json"

# PostgreSQL host:port of the admin URL, for the services' own URLs.
pg_hostport=$(sed -E 's#^[a-z+]+://([^@/]*@)?([^/?]+).*#\2#' <<<"$pg_admin_url")

# service_env NAME: export NAME's settings (prefix NAME_, nested with __) unless already set.
service_env() {
  local name=$1 prefix
  prefix=$(tr '[:lower:]' '[:upper:]' <<<"$name")
  local url_var="${prefix}_DATABASE__URL"
  export "$url_var=${!url_var:-postgresql+asyncpg://$name:$name-dev@$pg_hostport/$name}"
  local kafka_var="${prefix}_KAFKA__BOOTSTRAP_SERVERS" jwks_var="${prefix}_AUTH__JWKS_URL"
  export "$kafka_var=${!kafka_var:-$kafka_bootstrap}"
  export "$jwks_var=${!jwks_var:-$jwks_url}"
}
