#!/usr/bin/env bash
# Starts and stops the four services as background processes, logs and pids under var/services/.
#   deploy/local/services.sh start|stop|status
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN="$ROOT/var/services"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
BASE="${SERVICE_PORT_BASE:-8000}"
SERVICES="bookings:$((BASE + 1)) credits:$((BASE + 2)) reports:$((BASE + 3)) notifier:$((BASE + 4))"
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
export MONGODB_URL="${MONGODB_URL:-mongodb://127.0.0.1:${FERRET_PORT:-27017}}"
READY_TIMEOUT="${READY_TIMEOUT:-60}"

log() { printf '[services] %s\n' "$*" >&2; }

ready() { "$PY" - "$1" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health/ready", timeout=2)
except Exception:
    sys.exit(1)
PY
}

start() {
  mkdir -p "$RUN"
  cd "$ROOT"
  # STAFF_JWT_SECRET if set, else a random one written once to var/staff-jwt-secret (`make token` signs with it).
  STAFF_JWT_SECRET="$("$PY" -m deploy.local.secret)"
  export STAFF_JWT_SECRET
  for entry in $SERVICES; do
    name=${entry%%:*}; port=${entry##*:}
    if [ -f "$RUN/$name.pid" ] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
      log "$name already running"; continue
    fi
    # Backgrounding nohup itself (not a subshell) makes $! the service's own pid, for `stop`.
    PORT=$port nohup "$PY" -m "services.$name" >>"$RUN/$name.log" 2>&1 &
    echo $! >"$RUN/$name.pid"
  done
  for entry in $SERVICES; do
    name=${entry%%:*}; port=${entry##*:}
    deadline=$((SECONDS + READY_TIMEOUT))
    until ready "$port"; do
      if [ $SECONDS -ge $deadline ] || ! kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
        log "$name did not become ready on port $port; its log: $RUN/$name.log"
        tail -n 20 "$RUN/$name.log" >&2; exit 1
      fi
      sleep 0.3
    done
    log "$name ready on http://127.0.0.1:$port"
  done
}

stop() {
  for entry in $SERVICES; do
    name=${entry%%:*}; f="$RUN/$name.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  log "services stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) for entry in $SERVICES; do ready "${entry##*:}" && echo "${entry%%:*}: ready" || echo "${entry%%:*}: down"; done ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
