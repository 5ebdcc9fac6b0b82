#!/usr/bin/env bash
# Local PostgreSQL server for development and tests, listening on 127.0.0.1:5432 only.
#
# usage: deploy/local/postgres.sh start|stop|status|createdb NAME ROLE PASSWORD
#
#   start                       Start a cluster of our own on 127.0.0.1:5432 (initialising it
#                               on first use, installing Debian's postgresql package if no
#                               server binaries are found). Does nothing but check the server
#                               when PG_ADMIN_URL is set, or when a server already answers on
#                               127.0.0.1:5432 (it is reused).
#   stop                        Stop the cluster this script started (no error if none runs).
#   status                      Print whether a server answers; exit 0 if it does, 3 if not.
#   createdb NAME ROLE PASSWORD Idempotently create login role ROLE with PASSWORD (the password
#                               is reset if ROLE exists) and database NAME owned by ROLE,
#                               connecting as superuser postgres@127.0.0.1:5432 or PG_ADMIN_URL.
#
# Environment: PG_ADMIN_URL (superuser URL of an external server: use it instead of a local
# cluster), PG_START_TIMEOUT (default 60 s).
#
# Files:
#   .run/postgres/datadir        path of the cluster's data folder (read by stop/status)
#   .run/postgres/logs/postgres.log  server log
#   <base>/data                  data folder (PGDATA), <base>/run: unix socket folder, where
#                                <base> is .run/postgres when the postgres user can reach it,
#                                else /var/tmp/ibermuseos-postgres-<hash of the repo path>
#                                (e.g. a CI clone under a mode-700 temporary folder).
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd -- "$script_dir/../.." && pwd -P)
pg_run=$repo_root/.run/postgres
datadir_file=$pg_run/datadir
log_dir=$pg_run/logs
log_file=$log_dir/postgres.log
lock_file=$pg_run/.lock

host=127.0.0.1
port=5432
pg_user=postgres # OS user running the server when this script runs as root

log() { printf 'postgres: %s\n' "$*"; }
die() {
  printf 'postgres: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '4,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

lock() {
  mkdir -p "$pg_run"
  exec 9>"$lock_file"
  flock -w 180 9 || die "another postgres.sh holds $lock_file"
}

# Runs a command as the server's OS user (postgres when we are root, else ourselves),
# from / so that an unreadable current folder does not bother initdb/pg_ctl.
as_pg() {
  if ((EUID == 0)); then
    (cd / && exec runuser -u "$pg_user" -- "$@")
  else
    (cd / && exec "$@")
  fi
}

# Prints the newest /usr/lib/postgresql/*/bin holding initdb (or the folder of initdb on
# PATH); fails if there is none.
server_bindir() {
  local initdb
  initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
  if [[ ! -x $initdb ]]; then
    initdb=$(command -v initdb) || return 1
  fi
  dirname -- "$initdb"
}

apt_install() {
  local apt_log=$log_dir/apt.log
  mkdir -p "$log_dir"
  ((EUID == 0)) || die "PostgreSQL is not installed; install it (apt-get install postgresql) or run this as root"
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is not available"
  log "installing $* with apt-get (log: $apt_log)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q "$@" >>"$apt_log" 2>&1; then
    apt-get update -q >>"$apt_log" 2>&1 || true
    if ! apt-get install -y -q "$@" >>"$apt_log" 2>&1; then
      tail -n 30 "$apt_log" >&2
      die "apt-get install $* failed"
    fi
  fi
}

# Installs Debian's postgresql package, without the default "main" cluster that the
# package would otherwise create and start on port 5432 (with password authentication).
install_server() {
  local conf=/etc/postgresql-common/createcluster.conf
  apt_install postgresql-common
  if [[ -f $conf ]] && ! grep -Eq '^[[:space:]]*create_main_cluster' "$conf"; then
    printf '%s\n' '# added by ibermuseos deploy/local/postgres.sh: no default cluster' \
      'create_main_cluster = false' >>"$conf"
  fi
  apt_install postgresql
}

# Prints the path of a PostgreSQL client tool (pg_isready, psql), installing the client
# package if none is found.
client_tool() {
  local bindir
  if bindir=$(server_bindir) && [[ -x $bindir/$1 ]]; then
    printf '%s\n' "$bindir/$1"
  elif command -v "$1"; then
    :
  else
    apt_install postgresql-client >&2
    command -v "$1" || die "$1 not found after installing postgresql-client"
  fi
}

pg_isready_bin= # set by need_pg_isready

need_pg_isready() {
  [[ -n $pg_isready_bin ]] || pg_isready_bin=$(client_tool pg_isready)
}

# pg_ready [pg_isready args...]: exit status of pg_isready (0: accepts connections,
# 1: rejects them, e.g. starting up, 2: no response).
pg_ready() {
  "$pg_isready_bin" -q -t 3 "$@"
}

tcp_open() {
  # shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' tcp "$1" "$2" 2>/dev/null
}

recorded_pgdata() { # prints the data folder recorded by a previous start, if usable
  local d
  [[ -s $datadir_file ]] || return 1
  d=$(<"$datadir_file")
  [[ -n $d && -f $d/PG_VERSION ]] || return 1
  printf '%s\n' "$d"
}

# Succeeds if the cluster in PGDATA runs (a postmaster.pid whose process is alive).
cluster_running() {
  local bindir
  [[ -f $1/postmaster.pid ]] || return 1
  bindir=$(server_bindir) || return 1
  as_pg "$bindir/pg_ctl" -D "$1" status >/dev/null 2>&1
}

# Prints the base folder for a new cluster: .run/postgres if the server's OS user can
# write there, else a folder under /var/tmp named after the repository path.
choose_base() {
  local base=$pg_run hash
  mkdir -p "$base/data"
  if ((EUID != 0)); then
    printf '%s\n' "$base"
    return 0
  fi
  chown "$pg_user:" "$base/data"
  chmod 700 "$base/data"
  if runuser -u "$pg_user" -- test -w "$base/data" 2>/dev/null; then
    printf '%s\n' "$base"
    return 0
  fi
  rmdir "$base/data" 2>/dev/null || true
  hash=$(printf '%s' "$repo_root" | sha256sum | cut -c 1-10)
  base=/var/tmp/ibermuseos-postgres-$hash
  mkdir -p "$base/data"
  chmod 755 "$base"
  chown "$pg_user:" "$base/data"
  chmod 700 "$base/data"
  printf '%s\n' "$base"
}

write_config() { # write_config PGDATA SOCKET_DIR
  local conf=$1/local-dev.conf
  cat >"$conf" <<EOF
# Written by deploy/local/postgres.sh on every start: edit the script, not this file.
listen_addresses = '$host'
port = $port
unix_socket_directories = '$2'
max_connections = 400
# Speed over durability: acceptable ONLY because this is a throwaway local dev/test
# cluster. A crash of the machine can corrupt it; never use these settings elsewhere.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  if ((EUID == 0)); then chown "$pg_user:" "$conf"; fi
  grep -q "^include_if_exists = 'local-dev.conf'" "$1/postgresql.conf" ||
    printf '\n%s\n' "include_if_exists = 'local-dev.conf'" >>"$1/postgresql.conf"
}

cmd_start() {
  local bindir pgdata base socket_dir rc timeout=${PG_START_TIMEOUT:-60}
  if [[ -n ${PG_ADMIN_URL:-} ]]; then
    need_pg_isready
    pg_ready -d "$PG_ADMIN_URL" || die "PG_ADMIN_URL does not answer"
    log "using PG_ADMIN_URL (answers)"
    return 0
  fi
  lock
  if ! bindir=$(server_bindir); then
    install_server
    bindir=$(server_bindir) || die "initdb not found after installing postgresql"
  fi
  need_pg_isready
  if pgdata=$(recorded_pgdata) && cluster_running "$pgdata"; then
    pg_ready -h "$host" -p "$port" -U postgres -d postgres || die "our cluster ($pgdata) runs but does not answer on $host:$port"
    log "already running on $host:$port (data $pgdata)"
    return 0
  fi
  rc=0
  pg_ready -h "$host" -p "$port" -U postgres -d postgres || rc=$?
  if ((rc == 0)); then
    log "a server not started by this script answers on $host:$port: reusing it"
    return 0
  fi
  if ((rc == 1)) || tcp_open "$host" "$port"; then
    die "port $host:$port is in use by something that does not accept connections"
  fi
  ((EUID != 0)) || id "$pg_user" >/dev/null 2>&1 || die "OS user $pg_user does not exist"

  if ! pgdata=$(recorded_pgdata); then
    base=$(choose_base)
    pgdata=$base/data
    mkdir -p "$log_dir"
    log "data folder: $pgdata"
    if [[ ! -f $pgdata/PG_VERSION ]]; then
      log "initialising a cluster ($bindir/initdb)"
      if ! as_pg "$bindir/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 \
        --locale=C.UTF-8 --no-instructions --no-sync >>"$log_file" 2>&1; then
        tail -n 20 "$log_file" >&2
        die "initdb failed"
      fi
    fi
    printf '%s\n' "$pgdata" >"$datadir_file"
  fi
  base=$(dirname -- "$pgdata")
  socket_dir=$base/run
  # A unix socket path must fit in 107 bytes ("/.s.PGSQL.5432" included).
  if ((${#socket_dir} > 90)); then socket_dir=/tmp; fi
  if [[ $socket_dir != /tmp ]]; then
    mkdir -p "$socket_dir"
    if ((EUID == 0)); then chown "$pg_user:" "$socket_dir"; fi
  fi
  write_config "$pgdata" "$socket_dir"
  mkdir -p "$log_dir"
  # No -l: the server writes to the log file opened here (by us), which works even when
  # the postgres OS user cannot reach the run folder. fd 9 (the lock) is not passed on.
  if ! as_pg "$bindir/pg_ctl" -D "$pgdata" -w -t "$timeout" -s start >>"$log_file" 2>&1 9>&-; then
    tail -n 30 "$log_file" >&2
    die "the server did not start (log: $log_file)"
  fi
  pg_ready -h "$host" -p "$port" -U postgres -d postgres || {
    tail -n 30 "$log_file" >&2
    die "the server started but does not answer on $host:$port"
  }
  log "started on $host:$port (data $pgdata, log $log_file)"
}

cmd_stop() {
  local pgdata bindir
  lock
  if ! pgdata=$(recorded_pgdata) || ! cluster_running "$pgdata"; then
    log "not running (no cluster started by this script)"
    return 0
  fi
  bindir=$(server_bindir)
  if ! as_pg "$bindir/pg_ctl" -D "$pgdata" -m fast -w -t 60 -s stop >>"$log_file" 2>&1; then
    tail -n 20 "$log_file" >&2
    die "pg_ctl stop failed"
  fi
  log "stopped (data $pgdata)"
}

cmd_status() {
  local pgdata pid
  need_pg_isready
  if [[ -n ${PG_ADMIN_URL:-} ]]; then
    if pg_ready -d "$PG_ADMIN_URL"; then
      log "PG_ADMIN_URL answers"
      return 0
    fi
    log "PG_ADMIN_URL does not answer"
    return 3
  fi
  if pgdata=$(recorded_pgdata) && cluster_running "$pgdata"; then
    pid=$(head -n 1 "$pgdata/postmaster.pid")
    if pg_ready -h "$host" -p "$port" -U postgres -d postgres; then
      log "running (pid $pid) on $host:$port, data $pgdata, log $log_file"
      return 0
    fi
    log "cluster in $pgdata runs (pid $pid) but does not answer on $host:$port"
    return 3
  fi
  if pg_ready -h "$host" -p "$port" -U postgres -d postgres; then
    log "a server not started by this script answers on $host:$port"
    return 0
  fi
  log "not running"
  return 3
}

cmd_createdb() {
  (($# == 3)) || usage
  local db=$1 role=$2 password=$3 psql conn
  [[ -n $db && -n $role ]] || die "NAME and ROLE must not be empty"
  psql=$(client_tool psql)
  conn=${PG_ADMIN_URL:-host=$host port=$port user=postgres dbname=postgres}
  lock
  # psql quotes :'var' as a literal; format() quotes identifiers (%I) and literals (%L).
  PGCONNECT_TIMEOUT=10 "$psql" -X -q -v ON_ERROR_STOP=1 -d "$conn" \
    -v db="$db" -v role="$role" -v password="$password" <<'SQL' | sed 's/^/postgres: /'
SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') AS role_exists,
       EXISTS (SELECT FROM pg_database WHERE datname = :'db') AS db_exists
\gset
\if :role_exists
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'password')
\gexec
\echo role :role exists: password updated
\else
SELECT format('CREATE ROLE %I WITH LOGIN PASSWORD %L', :'role', :'password')
\gexec
\echo created role :role
\endif
\if :db_exists
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'role')
\gexec
\echo database :db exists, owned by :role
\else
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
\gexec
\echo created database :db owned by :role
\endif
SQL
}

main() {
  (($# >= 1)) || usage
  local cmd=$1
  shift
  case $cmd in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    createdb) cmd_createdb "$@" ;;
    *) usage ;;
  esac
}

main "$@"
