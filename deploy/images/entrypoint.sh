#!/bin/sh
# The image's two commands: `serve` (the default) runs the service, `migrate` its migrations
# (what the Kubernetes Job and the compose one-shot service run). Anything else is run as given.
set -eu
case "${1:-serve}" in
serve) shift $(($# > 0 ? 1 : 0)); exec "ibermuseos-${SERVICE}" --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" "$@" ;;
migrate) exec alembic -c /app/alembic.ini upgrade head ;;
*) exec "$@" ;;
esac
