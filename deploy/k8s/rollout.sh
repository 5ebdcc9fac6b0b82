#!/usr/bin/env bash
# Rolls out one service: its migrations (a Job, which must succeed) before its Deployments.
#
# usage: deploy/k8s/rollout.sh SERVICE [kubectl options, e.g. --context prod]
# The previous release's Job is deleted first: a Job's template cannot change, and the migrations are
# written to run again (Alembic applies only what the database lacks).
set -euo pipefail
service=${1:?usage: rollout.sh SERVICE [kubectl options]}
shift
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
kubectl=(kubectl -n ibermuseos "$@")

"${kubectl[@]}" delete job "$service-migrate" --ignore-not-found --wait=true
"${kubectl[@]}" apply -k "$here/$service/migrate"
if ! "${kubectl[@]}" wait --for=condition=complete --timeout=15m "job/$service-migrate"; then
  "${kubectl[@]}" logs "job/$service-migrate" --tail=50 >&2 || true
  echo "rollout: the migrations of $service failed; nothing else was changed" >&2
  exit 1
fi
"${kubectl[@]}" apply -k "$here/$service"
for deployment in api relay consumers; do
  "${kubectl[@]}" rollout status "deployment/$service-$deployment" --timeout=10m
done
