#!/usr/bin/env bash
# Runs one rfload measurement (live delivery, or the API scenarios) against each server in turn, in one run on one
# machine, so that the figures compare: ResolutionFlow built from BEFORE (a git revision, if
# set), ResolutionFlow as checked out, and Centrifugo (when $CENTRIFUGO names its binary; see
# ../shared/anchors/centrifugo). Each server gets a fresh process (and database), and is the only
# one running while it is measured.
#
#   scripts/load-side-by-side.sh -streams 10000 -stream-accounts 100 -handoff-rate 20 -d 20s
#   BEFORE=8958b47 CENTRIFUGO=$HOME/anchors/bin/centrifugo scripts/load-side-by-side.sh -streams 1000 -stream-accounts 1 -burst -d 10s
#
# Everything after the script's name goes to rfload. Streams per user are not capped here:
# rfload shares each account's streams among a few engineers.
set -euo pipefail
cd "$(dirname "$0")/.."
ADMIN_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
PORT=18090
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

dsn() { local u=${ADMIN_URL%%\?*}; echo "${u%/*}/$1?sslmode=disable"; }

go build -o "$work/rfload" ./cmd/rfload
go build -o "$work/after" ./cmd/resolutionflow
binaries=(after)
if [[ -n ${BEFORE:-} ]]; then
  git worktree add -q --detach "$work/before-src" "$BEFORE"
  (cd "$work/before-src" && go build -o "$work/before" ./cmd/resolutionflow)
  git worktree remove --force "$work/before-src"
  binaries=(before after)
fi

# Waits until a server answers HTTP at all (Centrifugo's config enables no health check).
wait_up() {
  for _ in $(seq 100); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1") != 000 ]] && return 0
    sleep 0.1
  done
  echo "server at $1 did not come up" >&2
  exit 1
}

for name in "${binaries[@]}"; do
  db=rf_load_$name
  psql "$ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  export DATABASE_URL DEV_MODE=true LOG_LEVEL=warn HTTP_ADDR=127.0.0.1:$PORT STREAMS_PER_USER=0 STREAMS_PER_ACCOUNT=0
  DATABASE_URL=$(dsn "$db")
  "$work/$name" migrate up >/dev/null
  (ulimit -n "$(ulimit -Hn)"; exec "$work/$name" serve >"$work/$name.log" 2>&1) &
  pid=$!
  wait_up "http://127.0.0.1:$PORT/healthz"
  echo "== resolutionflow ($name$([[ $name == before ]] && echo " at $BEFORE"))"
  "$work/rfload" -url "http://127.0.0.1:$PORT" -database-url "$DATABASE_URL" -server-pid "$pid" "$@"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  psql "$ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
done

if [[ -n ${CENTRIFUGO:-} ]]; then
  (cd "$(dirname "$CENTRIFUGO")/.." && ulimit -n "$(ulimit -Hn)" && exec "$CENTRIFUGO" -c config.json >"$work/centrifugo.log" 2>&1) &
  pid=$!
  wait_up "http://127.0.0.1:8000/"
  echo "== centrifugo"
  "$work/rfload" -target centrifugo -server-pid "$pid" "$@"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
fi
