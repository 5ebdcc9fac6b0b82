#!/usr/bin/env bash
# The four services of the local platform, each a uvicorn process in the background.
#
# usage: deploy/local/services.sh migrate|start|stop|status [SERVICE...]
#
#   migrate   create each service's database and role (unless its URL is given) and run
#             its Alembic migrations
#   start     start the services that are not running and wait until /health/ready says 200
#   stop      stop the services this script started
#   status    print each service's URL and readiness
#
# Logs and pids: .run/services/<service>.log, .run/services/<service>.pid
set -euo pipefail
# shellcheck source=deploy/local/env.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/env.sh"

state_dir=$run_dir/services
mkdir -p "$state_dir"

log() { printf '%s: %s\n' "$1" "$2"; }

pid_of() {
  local pid_file=$state_dir/$1.pid pid
  [[ -s $pid_file ]] || return 1
  pid=$(<"$pid_file")
  kill -0 "$pid" 2>/dev/null || return 1
  [[ $(ps -ww -o args= -p "$pid" 2>/dev/null) == *"ibermuseos-$1"* ]] || return 1
  printf '%s\n' "$pid"
}

ready() {
  curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:${SERVICE_PORT[$1]}/health/ready"
}

migrate() {
  local name=$1 prefix url_var
  prefix=$(tr '[:lower:]' '[:upper:]' <<<"$name")
  url_var="${prefix}_DATABASE__URL"
  if [[ -z ${!url_var:-} ]]; then
    bash "$repo_root/deploy/local/postgres.sh" createdb "$name" "$name" "$name-dev" >/dev/null
  fi
  service_env "$name"
  (cd "$repo_root/services/$name" && "$venv_bin/alembic" -c alembic.ini upgrade head 2>&1 | grep -v '^INFO' || true)
  (cd "$repo_root/services/$name" && "$venv_bin/alembic" -c alembic.ini current 2>/dev/null | grep -q '(head)') ||
    { log "$name" "migrations did not reach head"; return 1; }
  log "$name" "database migrated"
  # Once, with its migration 0005: the documents an earlier local run kept on disk move into the database.
  if [[ $name == applications && -d $run_dir/storage/applications ]]; then
    (cd "$repo_root" && APPLICATIONS_STORAGE__FOLDER=$run_dir/storage/applications \
      "$venv_bin/ibermuseos-applications-move-documents")
  fi
}

start() {
  local name=$1 port=${SERVICE_PORT[$1]} pid
  if pid=$(pid_of "$name"); then
    log "$name" "already running (pid $pid) on http://127.0.0.1:$port"
    return 0
  fi
  if ready "$name" 2>/dev/null; then
    log "$name" "a process not started by this script answers on port $port"
    return 1
  fi
  (
    service_env "$name"
    exec setsid "$venv_bin/ibermuseos-$name" --port "$port" >>"$state_dir/$name.log" 2>&1 </dev/null
  ) &
  echo $! >"$state_dir/$name.pid"
}

wait_ready() {
  local name=$1 deadline=$((SECONDS + ${SERVICE_START_TIMEOUT:-60}))
  until ready "$name" 2>/dev/null; do
    if ! pid_of "$name" >/dev/null; then
      log "$name" "exited; last lines of $state_dir/$name.log:"
      tail -n 20 "$state_dir/$name.log" >&2
      return 1
    fi
    if ((SECONDS > deadline)); then
      log "$name" "not ready after ${SERVICE_START_TIMEOUT:-60}s; last lines of $state_dir/$name.log:"
      tail -n 20 "$state_dir/$name.log" >&2
      return 1
    fi
    sleep 0.5
  done
  log "$name" "ready on http://127.0.0.1:${SERVICE_PORT[$name]}"
}

stop() {
  local name=$1 pid i
  if ! pid=$(pid_of "$name"); then
    rm -f "$state_dir/$name.pid"
    return 0
  fi
  kill -TERM "$pid"
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$state_dir/$name.pid"
  log "$name" "stopped"
}

status() {
  local name=$1
  if ready "$name" 2>/dev/null; then
    log "$name" "ready on http://127.0.0.1:${SERVICE_PORT[$name]}"
  else
    log "$name" "not ready"
  fi
}

action=${1:-}
shift || true
names=("$@")
((${#names[@]})) || names=("${SERVICES[@]}")
case $action in
  migrate) for name in "${names[@]}"; do migrate "$name"; done ;;
  start)
    for name in "${names[@]}"; do start "$name"; done
    for name in "${names[@]}"; do wait_ready "$name"; done
    ;;
  stop) for name in "${names[@]}"; do stop "$name"; done ;;
  status) for name in "${names[@]}"; do status "$name"; done ;;
  *) sed -n '4,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
