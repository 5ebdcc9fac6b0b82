#!/usr/bin/env bash
# The local mail sink of `make run` (development only): SMTP on 127.0.0.1:1025, mails kept
# under .run/mail/ and shown on http://127.0.0.1:8025.
#
# usage: services/notifications/devtools/mailsink.sh start|stop|status
set -euo pipefail
repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../../.." && pwd -P)
dir=$repo_root/.run/mail
pid_file=$dir/sink.pid
smtp_port=${MAILSINK_SMTP_PORT:-1025}
http_port=${MAILSINK_HTTP_PORT:-8025}
mkdir -p "$dir"

running() {
  [[ -s $pid_file ]] && kill -0 "$(<"$pid_file")" 2>/dev/null &&
    [[ $(ps -ww -o args= -p "$(<"$pid_file")" 2>/dev/null) == *mailsink.py* ]]
}

case ${1:-} in
  start)
    if running; then
      echo "mail sink: already running on http://127.0.0.1:$http_port"
      exit 0
    fi
    setsid "$repo_root/.venv/bin/python" "$repo_root/services/notifications/devtools/mailsink.py" \
      --dir "$dir" --smtp-port "$smtp_port" --http-port "$http_port" >>"$dir/sink.log" 2>&1 </dev/null &
    echo $! >"$pid_file"
    for _ in $(seq 1 40); do
      curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$http_port/" 2>/dev/null && break
      sleep 0.25
    done
    curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$http_port/" ||
      { echo "mail sink: did not start; see $dir/sink.log" >&2; exit 1; }
    echo "mail sink: SMTP 127.0.0.1:$smtp_port, mails on http://127.0.0.1:$http_port (files in .run/mail/)"
    ;;
  stop)
    if running; then
      kill -TERM "$(<"$pid_file")"
      echo "mail sink: stopped"
    fi
    rm -f "$pid_file"
    ;;
  status)
    if running; then echo "mail sink: running on http://127.0.0.1:$http_port"; else echo "mail sink: not running"; fi
    ;;
  *) sed -n '2,6s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
