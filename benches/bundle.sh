#!/usr/bin/env bash
# The browser bundle: for every page, the wasm (and JavaScript) its first
# load fetches, raw and as the gzip and brotli files the server sends.
#
#   benches/bundle.sh
#
# Builds what ships (`cargo leptos build --release --precompress --split`),
# starts that server on a free port with a throw-away data folder (sandbox
# mode), signs in to a demo location in Chromium and opens each page in a
# fresh browser context (empty cache), counting the files until it has
# hydrated. The bundle goes to target/bench-site, so a `make run` serving
# target/site keeps its files. Env: SKIP_BUILD=1 measures the last release
# build as it is.
set -euo pipefail

cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
SITE=target/bench-site
DATA=$(mktemp -d /tmp/bundle-bench.XXXXXX)
SERVER_PID=""

log() { printf '[bundle %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  # Run as root, the embedded Postgres keeps its cluster elsewhere, linked here.
  if [[ -L $DATA/postgres ]]; then rm -rf "$(readlink "$DATA/postgres")"; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

if [[ -z ${SKIP_BUILD:-} ]]; then
  log "building the release bundle (split, precompressed)"
  LEPTOS_SITE_ROOT=$SITE cargo leptos build --release --precompress --split
fi

port=$(node -e "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
base=http://127.0.0.1:$port
log "starting the server at $base"
SWITCHBOARD_DATA_DIR=$DATA LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=$SITE \
  RUST_LOG=${RUST_LOG:-warn} target/release/switchboard >"$DATA/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  curl -sf "$base/healthz" >/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf "$base/healthz" >/dev/null || { log "the server did not become healthy"; exit 1; }

log "opening every page in Chromium"
node end2end/bundle-bench.mjs "$base" "$SITE/pkg"
