#!/usr/bin/env bash
# Local Apache Kafka broker for development and tests: one KRaft node (broker and
# controller in one JVM) on loopback, run from jars fetched from Maven Central.
#
# usage: deploy/local/kafka.sh start|stop|status|wait|topics-cli [ARGS...]
#
#   start        Start a broker on 127.0.0.1:9092 (controller on 127.0.0.1:9093) and wait
#                until it serves requests. Does nothing but check the broker when
#                KAFKA_BOOTSTRAP_SERVERS is set, or when a broker already answers on
#                127.0.0.1:9092 (it is reused).
#   stop         Stop the broker this script started (no error if none runs).
#   status       Print whether a broker answers; exit 0 if it does, 3 if not.
#   wait         Wait until the broker answers (KAFKA_WAIT_TIMEOUT seconds, default 90).
#   libs         Fetch the broker's jars (once) without starting anything; prints their folder.
#   topics-cli   Run Kafka's topics CLI (org.apache.kafka.tools.TopicCommand) against the
#                broker, e.g. `topics-cli --list` or `topics-cli --describe --topic T`.
#
# Environment: KAFKA_BOOTSTRAP_SERVERS (use an external broker), KAFKA_START_TIMEOUT
# (default 90 s), KAFKA_WAIT_TIMEOUT (default 90 s), KAFKA_HEAP_OPTS (default
# "-Xms256m -Xmx512m").
#
# Files, all under the git-ignored <repo>/.run/:
#   .run/m2/                       Maven local repository used to fetch the jars
#   .run/kafka/libs/               broker and tools jars (deploy/local/kafka/pom.xml)
#   .run/kafka/server.properties   broker configuration (rewritten on every cold start)
#   .run/kafka/data/               KRaft metadata log and topic data
#   .run/kafka/logs/               server.log (broker log), kafka.out (JVM stdout/stderr),
#                                  mvn.log (jar download), storage-format.log
#   .run/kafka/kafka.pid           pid of the broker JVM
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd -- "$script_dir/../.." && pwd -P)
run_dir=$repo_root/.run
kafka_dir=$run_dir/kafka
libs_dir=$kafka_dir/libs
data_dir=$kafka_dir/data
log_dir=$kafka_dir/logs
pid_file=$kafka_dir/kafka.pid
props_file=$kafka_dir/server.properties
lock_file=$kafka_dir/.lock
pom=$script_dir/kafka/pom.xml

host=127.0.0.1
port=9092
controller_port=9093

log() { printf 'kafka: %s\n' "$*"; }
die() {
  printf 'kafka: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '4,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

kafka_version() {
  sed -n 's:.*<kafka\.version>\(.*\)</kafka\.version>.*:\1:p' "$pom" | head -n 1
}

# Sends one Kafka ApiVersions request (v0) to HOST PORT and succeeds only if the broker
# answers it without error. Pure bash and fast (milliseconds). A bare TCP connect is not
# enough: the broker binds its port some time before it starts serving requests.
# Request: size 15, api_key 18, api_version 0, correlation_id 42, client_id "probe".
# Expected reply prefix: size (4 bytes), correlation_id 42, error_code 0.
api_versions_probe() {
  local reply
  # shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
  reply=$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "\x00\x00\x00\x0f\x00\x12\x00\x00\x00\x00\x00\x2a\x00\x05probe" >&3
    timeout 3 head -c 10 <&3 | od -An -tx1 | tr -d " \n"
  ' probe "$1" "$2" 2>/dev/null) || return 1
  [[ $reply == ????????0000002a0000 ]]
}

# Succeeds if any host:port of a bootstrap list (e.g. "a:9092,PLAINTEXT://b:9092")
# answers an ApiVersions request. Only meaningful for PLAINTEXT listeners.
bootstrap_answers() {
  local entry hp h p
  local -a entries
  IFS=, read -ra entries <<<"$1"
  for entry in "${entries[@]}"; do
    hp=${entry//[[:space:]]/}
    hp=${hp#*://}
    [[ $hp == *:* ]] || continue
    h=${hp%:*}
    p=${hp##*:}
    h=${h#[}
    h=${h%]}
    if api_versions_probe "$h" "$p"; then return 0; fi
  done
  return 1
}

tcp_open() {
  # shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' tcp "$1" "$2" 2>/dev/null
}

# Prints the pid of the broker this script started if that process still runs.
our_pid() {
  local pid args
  [[ -s $pid_file ]] || return 1
  pid=$(<"$pid_file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  args=$(ps -ww -o args= -p "$pid" 2>/dev/null) || return 1
  [[ $args == *" kafka.Kafka $props_file"* ]] || return 1
  printf '%s\n' "$pid"
}

is_alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}

lock() {
  mkdir -p "$kafka_dir"
  exec 9>"$lock_file"
  flock -w 180 9 || die "another kafka.sh holds $lock_file"
}

check_java() {
  local major
  command -v java >/dev/null || die "java not found (Kafka 4.x needs Java 17 or newer)"
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  [[ -n $major && $major -ge 17 ]] || die "Kafka 4.x needs Java 17 or newer, found: $(java -version 2>&1 | head -n 1)"
}

# Fetches the jars of the pinned Kafka version unless they are already there.
ensure_libs() {
  local version tmp
  version=$(kafka_version)
  [[ -n $version ]] || die "cannot read <kafka.version> from $pom"
  [[ -f $libs_dir/kafka_2.13-$version.jar ]] && return 0
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch the Kafka jars)"
  mkdir -p "$log_dir"
  tmp=$libs_dir.tmp
  rm -rf "$tmp"
  log "fetching Kafka $version jars from Maven Central into $libs_dir"
  if ! mvn -q -B -f "$pom" -Dmaven.repo.local="$run_dir/m2" -Dkafka.libs.dir="$tmp" \
    dependency:copy-dependencies >"$log_dir/mvn.log" 2>&1 </dev/null; then
    tail -n 40 "$log_dir/mvn.log" >&2
    die "could not fetch the Kafka jars (full log: $log_dir/mvn.log)"
  fi
  [[ -f $tmp/kafka_2.13-$version.jar ]] || die "kafka_2.13-$version.jar missing after download (see $log_dir/mvn.log)"
  rm -rf "$libs_dir"
  mv "$tmp" "$libs_dir"
}

# Runs a Kafka command-line tool (a main class) from the fetched jars.
run_tool() {
  java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$script_dir/kafka/tools-log4j2.xml" \
    -cp "$libs_dir/*" "$@"
}

write_properties() {
  cat >"$props_file" <<EOF
# Written by deploy/local/kafka.sh on every cold start: edit the script, not this file.
# Single-node KRaft cluster (broker and controller in one process) for local dev/tests.
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@$host:$controller_port
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$controller_port
advertised.listeners=PLAINTEXT://$host:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data_dir

# Topics: created explicitly by the services, 3 partitions unless said otherwise.
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=1
min.insync.replicas=1

# Internal topics of a single node: replication factor 1, few partitions.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Fast, small: no delay before the first consumer-group rebalance, few threads.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
background.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
EOF
}

new_cluster_id() { # 16 random bytes, base64url without padding (Kafka's Uuid format)
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id != -* ]] && break
  done
  printf '%s\n' "$id"
}

format_storage() {
  [[ -f $data_dir/meta.properties ]] && return 0
  rm -rf "$data_dir"
  log "formatting storage in $data_dir"
  if ! run_tool kafka.tools.StorageTool format --config "$props_file" \
    --cluster-id "$(new_cluster_id)" --ignore-formatted >"$log_dir/storage-format.log" 2>&1; then
    cat "$log_dir/storage-format.log" >&2
    die "storage format failed"
  fi
}

log_size() { # size in bytes of a file, 0 if missing
  if [[ -f $1 ]]; then stat -c %s -- "$1"; else echo 0; fi
}

# Prints the last lines each log got since this start (sizes remembered in log_offsets).
declare -A log_offsets=()
print_log_tail() {
  local f
  for f in "$log_dir/server.log" "$log_dir/kafka.out"; do
    (($(log_size "$f") > ${log_offsets[$f]:-0})) || continue
    printf -- '--- last lines of %s\n' "$f" >&2
    tail -c "+$((${log_offsets[$f]:-0} + 1))" -- "$f" | tail -n 30 >&2
  done
}

# wait_ready TIMEOUT [PID]: 0 when the broker answers, 1 on timeout, 2 if PID died.
wait_ready() {
  local deadline=$((SECONDS + $1)) pid=${2:-}
  while ((SECONDS < deadline)); do
    api_versions_probe "$host" "$port" && return 0
    if [[ -n $pid ]] && ! is_alive "$pid"; then return 2; fi
    sleep 0.3
  done
  return 1
}

kill_and_wait() { # kill_and_wait PID SECONDS
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < $2 * 10; i++)); do
    is_alive "$pid" || return 0
    sleep 0.1
  done
  log "broker (pid $pid) did not stop within $2 s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    is_alive "$pid" || return 0
    sleep 0.1
  done
}

cmd_start() {
  local pid rc timeout=${KAFKA_START_TIMEOUT:-90}
  local -a heap_opts
  if [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]]; then
    bootstrap_answers "$KAFKA_BOOTSTRAP_SERVERS" ||
      die "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS does not answer"
    log "using KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS (answers)"
    return 0
  fi
  lock
  if pid=$(our_pid); then
    if ! api_versions_probe "$host" "$port"; then
      log "broker (pid $pid) is starting: waiting for it"
      rc=0
      wait_ready "$timeout" "$pid" || rc=$?
      if ((rc != 0)); then
        print_log_tail
        die "broker (pid $pid) does not answer on $host:$port"
      fi
    fi
    log "already running (pid $pid) on $host:$port"
    return 0
  fi
  if api_versions_probe "$host" "$port"; then
    log "a broker not started by this script answers on $host:$port: reusing it"
    return 0
  fi
  if tcp_open "$host" "$port"; then
    die "port $host:$port is in use but no Kafka broker answers there"
  fi

  check_java
  ensure_libs
  mkdir -p "$log_dir"
  write_properties
  format_storage

  read -ra heap_opts <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
  rm -f "$pid_file"
  log_offsets["$log_dir/server.log"]=$(log_size "$log_dir/server.log")
  log_offsets["$log_dir/kafka.out"]=$(log_size "$log_dir/kafka.out")
  # setsid: the broker runs in its own session, so it outlives the calling make/shell
  # and does not get its Ctrl-C. fd 9 (the lock) is not passed on.
  (
    cd "$kafka_dir"
    # shellcheck disable=SC2016 # $$, $0 and $@ are expanded by the inner sh
    exec setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pid_file" \
      java "${heap_opts[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
      -Djava.awt.headless=true -Dlog4j2.shutdownHookEnabled=false \
      -Dkafka.logs.dir="$log_dir" \
      -Dlog4j2.configurationFile="$script_dir/kafka/log4j2.xml" \
      -cp "$libs_dir/*" kafka.Kafka "$props_file" \
      >>"$log_dir/kafka.out" 2>&1 </dev/null 9>&-
  ) &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $pid_file ]] && break
    sleep 0.1
  done
  if [[ ! -s $pid_file ]]; then
    print_log_tail
    die "could not launch the broker JVM"
  fi
  pid=$(<"$pid_file")
  log "started broker (pid $pid), waiting up to ${timeout}s for $host:$port"
  rc=0
  wait_ready "$timeout" "$pid" || rc=$?
  if ((rc == 0)); then
    # Also check with Kafka's own admin client (Java), not only the bash probe.
    if ! run_tool org.apache.kafka.tools.BrokerApiVersionsCommand \
      --bootstrap-server "$host:$port" >"$log_dir/broker-api-versions.txt" 2>&1; then
      rc=1
      cat "$log_dir/broker-api-versions.txt" >&2
    fi
  fi
  if ((rc != 0)); then
    print_log_tail
    if ((rc == 2)); then
      rm -f "$pid_file"
      die "broker exited during startup"
    fi
    kill_and_wait "$pid" 30
    rm -f "$pid_file"
    die "broker did not answer on $host:$port within ${timeout}s (stopped it)"
  fi
  log "ready on $host:$port (Kafka $(kafka_version), data $data_dir, logs $log_dir)"
}

cmd_stop() {
  local pid
  lock
  if ! pid=$(our_pid); then
    rm -f "$pid_file"
    log "not running (no broker started by this script)"
    return 0
  fi
  log "stopping broker (pid $pid)"
  kill_and_wait "$pid" 60
  rm -f "$pid_file"
  log "stopped"
}

cmd_status() {
  local pid
  if [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]]; then
    if bootstrap_answers "$KAFKA_BOOTSTRAP_SERVERS"; then
      log "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS answers"
      return 0
    fi
    log "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS does not answer"
    return 3
  fi
  if pid=$(our_pid); then
    if api_versions_probe "$host" "$port"; then
      log "running (pid $pid) on $host:$port, data $data_dir, logs $log_dir"
      return 0
    fi
    log "process $pid runs but does not answer on $host:$port (starting?)"
    return 3
  fi
  if api_versions_probe "$host" "$port"; then
    log "a broker not started by this script answers on $host:$port"
    return 0
  fi
  log "not running"
  return 3
}

cmd_wait() {
  local timeout=${KAFKA_WAIT_TIMEOUT:-90}
  if [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]]; then
    local deadline=$((SECONDS + timeout))
    until bootstrap_answers "$KAFKA_BOOTSTRAP_SERVERS"; do
      ((SECONDS < deadline)) || die "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS does not answer after ${timeout}s"
      sleep 0.5
    done
    return 0
  fi
  wait_ready "$timeout" || die "no broker answers on $host:$port after ${timeout}s"
}

cmd_topics_cli() {
  local arg
  check_java
  ensure_libs
  for arg in "$@"; do
    if [[ $arg == --bootstrap-server* ]]; then
      run_tool org.apache.kafka.tools.TopicCommand "$@"
      return
    fi
  done
  run_tool org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "${KAFKA_BOOTSTRAP_SERVERS:-$host:$port}" "$@"
}

main() {
  (($# >= 1)) || usage
  local cmd=$1
  shift
  case $cmd in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    wait) cmd_wait ;;
    topics-cli) cmd_topics_cli "$@" ;;
    libs) lock && ensure_libs && echo "$libs_dir" ;;
    -h | --help | help) usage ;;
    *) usage ;;
  esac
}

main "$@"
