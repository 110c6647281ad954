#!/usr/bin/env bash
# A real S3-compatible server for the tests: a single-node Ceph cluster (one mon, one memstore OSD) with
# the RADOS Gateway on 127.0.0.1:7480. Ceph RGW is the one S3 server installable here that enforces
# conditional writes (If-None-Match / If-Match); npm S3 fakes ignore those headers.
#
#   scripts/s3-test-server.sh start   install ceph-mon ceph-osd radosgw with apt when missing (needs root),
#                                     start the cluster, create a test user and bucket, print the env file
#   scripts/s3-test-server.sh env     print the connection env (sourceable: `eval "$(... env)"`)
#   scripts/s3-test-server.sh stop    kill the daemons by pid and remove the state directory
#   scripts/s3-test-server.sh status  exit 0 when the gateway answers
#
# State (config, data, logs, pids, env file) lives in $DURABILITY_S3_STATE_DIR (default
# ${TMPDIR:-/tmp}/durability-s3-test-server). Everything listens on 127.0.0.1 only. `start` is idempotent:
# when the gateway already answers, it only prints the env file. Every wait is bounded and names what it
# waited for on failure. Never calls `ceph config show` (it hangs without a mgr).
set -euo pipefail

STATE_DIR="${DURABILITY_S3_STATE_DIR:-${TMPDIR:-/tmp}/durability-s3-test-server}"
PORT="${DURABILITY_S3_PORT:-7480}"
MON_PORT="${DURABILITY_S3_MON_PORT:-6789}"
BUCKET="${DURABILITY_S3_TEST_BUCKET:-durability-test}"
ACCESS_KEY="durability-test-access"
SECRET_KEY="durability-test-secret"
REGION="us-east-1"
EMPTY_SHA256="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
FSID="6a0f2a52-9f1b-4b4e-9d55-1c0b8ad3c0de"

CONF="$STATE_DIR/ceph.conf"
ENV_FILE="$STATE_DIR/env"
PID_DIR="$STATE_DIR/pids"
LOG_DIR="$STATE_DIR/log"
ENDPOINT="http://127.0.0.1:$PORT"

die() {
  printf 's3-test-server: %s\n' "$*" >&2
  exit 1
}
log() { printf 's3-test-server: %s\n' "$*" >&2; }

# Tails the daemon logs that explain a failure, then exits.
die_with_logs() {
  printf 's3-test-server: %s\n' "$1" >&2
  for f in "$LOG_DIR"/*.log; do
    [ -f "$f" ] || continue
    printf -- '--- last lines of %s\n' "$f" >&2
    tail -n 15 "$f" >&2 || true
  done
  exit 1
}

# `wait_for SECONDS WHAT COMMAND...`: polls COMMAND every half second until it succeeds or time runs out.
wait_for() {
  local seconds="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      die_with_logs "timed out after ${seconds}s waiting for $what"
    fi
    sleep 0.5
  done
}

# Runs a ceph CLI command against this cluster with a bounded wait (the CLI otherwise blocks forever
# when the mon is down).
ceph_cmd() { ceph --conf "$CONF" --connect-timeout 10 "$@"; }

gateway_answers() {
  # Anonymous GET / on RGW answers 200 with an empty bucket list; any HTTP answer means it is up.
  curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$ENDPOINT/" | grep -qE '^[1-5][0-9][0-9]$'
}

ensure_packages() {
  local missing=()
  command -v ceph-mon >/dev/null 2>&1 || missing+=(ceph-mon)
  command -v ceph-osd >/dev/null 2>&1 || missing+=(ceph-osd)
  command -v radosgw >/dev/null 2>&1 || missing+=(radosgw)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; run as root so apt-get can install them (or install them yourself)"
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and there is no apt-get to install them"
  log "installing ${missing[*]} with apt-get"
  local started=$SECONDS
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$STATE_DIR/apt.log" 2>&1 ||
    { tail -n 20 "$STATE_DIR/apt.log" >&2; die "apt-get update failed"; }
  # radosgw pulls in ceph-common (the ceph and radosgw-admin CLIs).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    ceph-mon ceph-osd radosgw curl >>"$STATE_DIR/apt.log" 2>&1 ||
    { tail -n 20 "$STATE_DIR/apt.log" >&2; die "apt-get install ceph-mon ceph-osd radosgw failed"; }
  log "installed in $((SECONDS - started))s"
}

write_config() {
  mkdir -p "$STATE_DIR/mon" "$STATE_DIR/osd" "$STATE_DIR/rgw" "$PID_DIR" "$LOG_DIR" "$STATE_DIR/run"
  cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon host = 127.0.0.1:$MON_PORT
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
osd crush chooseleaf type = 0
log file = $LOG_DIR/\$name.log
run dir = $STATE_DIR/run
admin socket = $STATE_DIR/run/\$name.asok
keyring = /dev/null

[mon.a]
mon data = $STATE_DIR/mon
mon cluster log file = $LOG_DIR/cluster.log

[osd.0]
osd data = $STATE_DIR/osd
osd objectstore = memstore
# The OSD's own crush/device-class updates at start race its first monmap (the mon rejects them with
# "wrong fsid" and the OSD exits); the script places osd.0 in the crush map itself instead.
osd crush update on start = false
osd class update on start = false
memstore device bytes = 2147483648
osd journal size = 0

[client.rgw.a]
# Without this, rgw fails with "get_initial_auth_request returned -13" under auth none.
ms mon client mode = crc
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw data = $STATE_DIR/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
rgw thread pool size = 64
EOF
}

# Starts a daemon in the background (-f: stay in the foreground so $! is its pid) and records its pid.
spawn() {
  local name="$1"
  shift
  "$@" --conf "$CONF" -f >"$LOG_DIR/$name.stdout" 2>&1 &
  echo $! >"$PID_DIR/$name.pid"
}

# Starts osd.0 and waits until the mon reports it up; an OSD that exits during start-up is restarted
# (at most 3 starts), so a start-up race costs seconds, not the whole run.
start_osd() {
  local start deadline
  for start in 1 2 3; do
    spawn osd ceph-osd --id 0
    deadline=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$deadline" ]; do
      osd_up && return 0
      pid_alive "$PID_DIR/osd.pid" || break
      sleep 0.5
    done
    if pid_alive "$PID_DIR/osd.pid"; then
      die_with_logs "timed out after 60s waiting for the OSD to be up (ceph osd stat: 1 up)"
    fi
    log "the OSD exited during start-up (start $start of 3)"
  done
  die_with_logs "the OSD exited during start-up 3 times"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

osd_up() { ceph_cmd osd stat 2>/dev/null | grep -qE '(^|[^0-9])1 up'; }

start() {
  mkdir -p "$STATE_DIR"
  if [ -f "$ENV_FILE" ] && gateway_answers; then
    log "already running at $ENDPOINT"
    cat "$ENV_FILE"
    return 0
  fi
  # A half-started earlier attempt: clear it away before starting fresh.
  if [ -d "$PID_DIR" ]; then stop_daemons; fi
  if curl -s -o /dev/null --max-time 2 "$ENDPOINT/" 2>/dev/null; then
    die "something not started by this script already listens on $ENDPOINT; stop it or set DURABILITY_S3_PORT"
  fi
  ensure_packages
  local started=$SECONDS
  rm -rf "$STATE_DIR/mon" "$STATE_DIR/osd" "$STATE_DIR/rgw" "$LOG_DIR" "$STATE_DIR/run"
  write_config

  # Monitor.
  monmaptool --create --clobber --fsid "$FSID" --addv a "[v1:127.0.0.1:$MON_PORT]" "$STATE_DIR/monmap" \
    >"$LOG_DIR/monmaptool.log" 2>&1 || die_with_logs "monmaptool failed"
  ceph-mon --conf "$CONF" --id a --mkfs --monmap "$STATE_DIR/monmap" >"$LOG_DIR/mon-mkfs.log" 2>&1 ||
    die_with_logs "ceph-mon --mkfs failed"
  spawn mon ceph-mon --id a
  wait_for 30 "the monitor (ceph status)" ceph_cmd status

  # One memstore OSD. Its mkfs must carry the uuid registered with `ceph osd create`, or it never comes up.
  local osd_uuid osd_id
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  osd_id="$(ceph_cmd osd create "$osd_uuid")" || die_with_logs "ceph osd create failed"
  [ "$osd_id" = "0" ] || die_with_logs "expected osd id 0, got '$osd_id'"
  ceph_cmd osd crush add osd.0 1.0 root=default host=localhost >"$LOG_DIR/crush.log" 2>&1 ||
    die_with_logs "ceph osd crush add osd.0 failed"
  ceph-osd --conf "$CONF" --id 0 --mkfs --osd-uuid "$osd_uuid" >"$LOG_DIR/osd-mkfs.log" 2>&1 ||
    die_with_logs "ceph-osd --mkfs failed"
  start_osd

  # The gateway; it creates its pools on first start.
  spawn rgw radosgw --id rgw.a
  wait_for 90 "radosgw to answer on $ENDPOINT" gateway_answers

  # The test user (idempotent: an existing user with these keys is fine) and the bucket.
  if ! radosgw-admin --conf "$CONF" user info --uid=durability-test >/dev/null 2>&1; then
    radosgw-admin --conf "$CONF" user create --uid=durability-test --display-name=durability-test \
      --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >"$LOG_DIR/user-create.log" 2>&1 ||
      die_with_logs "radosgw-admin user create failed"
  fi
  create_bucket

  cat >"$ENV_FILE" <<EOF
export DURABILITY_S3_ENDPOINT=$ENDPOINT
export DURABILITY_S3_BUCKET=$BUCKET
export DURABILITY_S3_ACCESS_KEY=$ACCESS_KEY
export DURABILITY_S3_SECRET_KEY=$SECRET_KEY
export DURABILITY_S3_REGION=$REGION
EOF
  log "ready at $ENDPOINT in $((SECONDS - started))s (bucket $BUCKET; env file $ENV_FILE)"
  cat "$ENV_FILE"
}

# PUT /bucket with a SigV4-signed request (curl's --aws-sigv4; RGW rejects the signature unless the
# x-amz-content-sha256 header, here the SHA-256 of the empty body, is sent and signed). 200 = created
# or already ours, 409 = already exists. Retried briefly: the gateway can answer before its pools are
# writable.
create_bucket() {
  local deadline=$((SECONDS + 60)) code
  while :; do
    code="$(curl -s -o "$LOG_DIR/bucket-create.out" -w '%{http_code}' --max-time 10 -X PUT \
      -H "x-amz-content-sha256: $EMPTY_SHA256" \
      --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" "$ENDPOINT/$BUCKET")" || code=000
    case "$code" in
    200 | 409) return 0 ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || die_with_logs "could not create bucket $BUCKET (last HTTP status $code: $(head -c 300 "$LOG_DIR/bucket-create.out" 2>/dev/null))"
    sleep 1
  done
}

# Kills the daemons this script started (by recorded pid), gateway first, and waits for them to exit.
stop_daemons() {
  local name pid_file pid
  for name in rgw osd mon; do
    pid_file="$PID_DIR/$name.pid"
    pid_alive "$pid_file" || continue
    pid="$(cat "$pid_file")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not exit after SIGTERM; sending SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$PID_DIR"
}

stop() {
  if [ ! -d "$STATE_DIR" ]; then
    log "not running (no $STATE_DIR)"
    return 0
  fi
  stop_daemons
  rm -rf "$STATE_DIR"
  log "stopped"
}

print_env() {
  [ -f "$ENV_FILE" ] || die "not running: no $ENV_FILE (run: $0 start)"
  cat "$ENV_FILE"
}

status() {
  [ -f "$ENV_FILE" ] && gateway_answers || die "not running at $ENDPOINT"
  log "running at $ENDPOINT"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
env) print_env ;;
status) status ;;
*)
  echo "usage: $0 start|stop|env|status" >&2
  exit 2
  ;;
esac
