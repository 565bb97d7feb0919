#!/usr/bin/env bash
# Installs (once) and starts Apache Kafka (KRaft, single node) and FerretDB v1 on Debian's
# PostgreSQL on this machine, without Docker. Everything lives under var/ at the repository root.
# (FerretDB's SQLite backend was measured 5x slower on updates: see docs/benchmarks.md.)
#   deploy/local/servers.sh install|start|stop|status
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VAR="$ROOT/var"
KAFKA_DIR="$VAR/kafka"
FERRET_BIN="$VAR/bin/ferretdb"
FERRET_VERSION="v1.24.2"
# Ports can be moved to run a second stack beside the first.
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
FERRET_PORT="${FERRET_PORT:-27017}"
PG_PORT="${PG_PORT:-54329}"
# PostgreSQL runs as the `postgres` user, who may not be able to traverse the checkout's path
# (a clone under /root, say): its data lives in a world-traversable folder of this checkout's own.
PG_DIR="${PG_DIR:-/var/tmp/studio-credits-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)/postgres}"
READY_TIMEOUT="${READY_TIMEOUT:-90}"

log() { printf '[servers] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_kafka() {
  if [ -f "$KAFKA_DIR/libs/.complete" ]; then return; fi
  log "fetching Apache Kafka jars from Maven Central (deploy/local/kafka/pom.xml)"
  mkdir -p "$KAFKA_DIR"
  (cd "$ROOT/deploy/local/kafka" && mvn -q -B dependency:copy-dependencies \
      -DoutputDirectory="$KAFKA_DIR/libs" -DincludeScope=runtime) >"$KAFKA_DIR/mvn.log" 2>&1 \
    || { log "maven failed, see $KAFKA_DIR/mvn.log"; exit 1; }
  touch "$KAFKA_DIR/libs/.complete"
}

install_ferretdb() {
  if [ -x "$FERRET_BIN" ]; then return; fi
  # `go install module@version` is refused by the proxy's deprecation lookup here, while the
  # module itself downloads fine: fetch the tagged module and build its command from source.
  log "building FerretDB $FERRET_VERSION from the Go module proxy"
  mkdir -p "$VAR/bin"
  local dir src="$VAR/src/ferretdb"
  dir=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRET_VERSION" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  rm -rf "$src"; mkdir -p "$VAR/src"; cp -r "$dir" "$src"; chmod -R u+w "$src"
  # Their build embeds a version file that their task runner generates from git.
  echo "$FERRET_VERSION" >"$src/build/version/version.txt"
  (cd "$src" && go build -o "$FERRET_BIN" ./cmd/ferretdb) >"$VAR/ferretdb-build.log" 2>&1 \
    || { log "FerretDB build failed, see $VAR/ferretdb-build.log"; exit 1; }
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_postgres() {
  if [ -n "$(pg_bin)" ] && id postgres >/dev/null 2>&1; then return; fi
  log "installing PostgreSQL from Debian's packages"
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql) >"$VAR/apt.log" 2>&1 \
    || { log "apt-get install postgresql failed, see $VAR/apt.log"; exit 1; }
}

install_chromium() {  # the staff page's browser tests (tests/e2e/test_staff_page.py)
  if [ -x /usr/bin/chromium ]; then return; fi
  log "installing Chromium from Debian's packages"
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >"$VAR/apt-chromium.log" 2>&1 \
    || { log "apt-get install chromium failed, see $VAR/apt-chromium.log"; exit 1; }
}

install() { mkdir -p "$VAR"; install_kafka; install_ferretdb; install_postgres; install_chromium; }

as_postgres() { (cd / && runuser -u postgres -- "$@"); }

start_postgres() {
  local bin; bin="$(pg_bin)"
  if ! port_open $PG_PORT; then
    mkdir -p "$PG_DIR"; chmod 755 "$(dirname "$PG_DIR")"; chown postgres "$PG_DIR"
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
      as_postgres "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$PG_DIR/initdb.log" 2>&1 \
        || { log "initdb failed: $PG_DIR/initdb.log"; exit 1; }
    fi
    as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t "$READY_TIMEOUT" \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
      || { log "postgres did not start; its log: $PG_DIR/postgres.log"; tail -n 20 "$PG_DIR/postgres.log" >&2; exit 1; }
  fi
  as_postgres "$bin/psql" -h 127.0.0.1 -p $PG_PORT -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='ferretdb'" | grep -q 1 \
    || as_postgres "$bin/createdb" -h 127.0.0.1 -p $PG_PORT -U postgres ferretdb
  # Indexes for FerretDB's lookups (see the file); stdin, as postgres may not read $ROOT.
  as_postgres "$bin/psql" -h 127.0.0.1 -p $PG_PORT -U postgres -d ferretdb -q -v ON_ERROR_STOP=1 \
    <"$ROOT/deploy/local/postgres/ferretdb-indexes.sql" >"$PG_DIR/indexes.log" 2>&1 \
    || { log "indexing FerretDB's collections failed: $PG_DIR/indexes.log"; exit 1; }
  log "postgres up on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
  as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" stop -m fast >/dev/null 2>&1 || true
}

wait_port() {  # name port logfile pid
  local deadline=$((SECONDS + READY_TIMEOUT))
  until port_open "$2"; do
    if [ $SECONDS -ge $deadline ] || ! kill -0 "$4" 2>/dev/null; then
      log "$1 did not come up on 127.0.0.1:$2 (waited up to ${READY_TIMEOUT}s); its log: $3"
      tail -n 20 "$3" >&2 || true
      exit 1
    fi
    sleep 0.3
  done
}

start_kafka() {
  if port_open $KAFKA_PORT; then log "kafka already listening on $KAFKA_PORT"; return; fi
  local data="$KAFKA_DIR/data" props="$KAFKA_DIR/server.properties"
  mkdir -p "$KAFKA_DIR/logs"
  { sed -e "s/:9092/:$KAFKA_PORT/g; s/:9093/:$KAFKA_CONTROLLER_PORT/g" "$ROOT/deploy/local/kafka/server.properties"
    echo "log.dirs=$data"; } >"$props"
  local cp="$KAFKA_DIR/libs/*"
  if [ ! -f "$data/meta.properties" ]; then
    java -cp "$cp" -Dlog4j2.configurationFile="$ROOT/deploy/local/kafka/log4j2.properties" \
      -Dkafka.logs.dir="$KAFKA_DIR/logs" kafka.tools.StorageTool format --standalone \
      -t "$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null)" -c "$props" \
      >"$KAFKA_DIR/logs/format.log" 2>&1 || { log "kafka format failed: $KAFKA_DIR/logs/format.log"; exit 1; }
  fi
  nohup java -Xms256m -Xmx1g -cp "$cp" \
    -Dlog4j2.configurationFile="$ROOT/deploy/local/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$KAFKA_DIR/logs" kafka.Kafka "$props" \
    >"$KAFKA_DIR/logs/stdout.log" 2>&1 &
  echo $! >"$KAFKA_DIR/pid"
  wait_port kafka $KAFKA_PORT "$KAFKA_DIR/logs/server.log" "$(cat "$KAFKA_DIR/pid")"
  log "kafka up on 127.0.0.1:$KAFKA_PORT"
}

start_ferretdb() {
  if port_open $FERRET_PORT; then log "something already listens on $FERRET_PORT; using it"; return; fi
  start_postgres
  mkdir -p "$VAR/ferretdb"
  nohup "$FERRET_BIN" --handler=postgresql \
    --postgresql-url="postgres://postgres@127.0.0.1:$PG_PORT/ferretdb?pool_max_conns=150" \
    --listen-addr="127.0.0.1:$FERRET_PORT" --debug-addr=127.0.0.1:0 --telemetry=disable --log-level=warn \
    --state-dir="$VAR/ferretdb" \
    >"$VAR/ferretdb/ferretdb.log" 2>&1 &
  echo $! >"$VAR/ferretdb/pid"
  wait_port ferretdb $FERRET_PORT "$VAR/ferretdb/ferretdb.log" "$(cat "$VAR/ferretdb/pid")"
  log "ferretdb up on 127.0.0.1:$FERRET_PORT"
}

stop_pidfile() {
  local f="$1"
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case "${1:-}" in
  install) install ;;
  start) install; start_kafka; start_ferretdb ;;
  stop) stop_pidfile "$VAR/ferretdb/pid"; stop_postgres; stop_pidfile "$KAFKA_DIR/pid"; log "servers stopped" ;;
  # The fault tests (tests/e2e/test_faults.py) restart one server under load.
  restart-kafka) stop_pidfile "$KAFKA_DIR/pid"; start_kafka ;;
  kill-ferretdb) [ -f "$VAR/ferretdb/pid" ] && kill -9 "$(cat "$VAR/ferretdb/pid")" 2>/dev/null
                 rm -f "$VAR/ferretdb/pid"; for _ in $(seq 1 50); do port_open $FERRET_PORT || break; sleep 0.1; done
                 start_ferretdb ;;
  postgres) mkdir -p "$VAR"; install_postgres; start_postgres ;;  # alone, for debugging
  stop-postgres) stop_postgres ;;
  status) port_open $KAFKA_PORT && echo "kafka: up" || echo "kafka: down"
          port_open $FERRET_PORT && echo "ferretdb: up" || echo "ferretdb: down" ;;
  *) echo "usage: $0 install|start|stop|status|restart-kafka|kill-ferretdb" >&2; exit 2 ;;
esac
