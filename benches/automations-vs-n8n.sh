#!/usr/bin/env bash
# The automations benchmark and the same workload on n8n, one after the other
# on this machine, with both figures side by side at the end.
#
# Workload: a Clubworx-style member.created event in; the contact upserted in
# the sandbox HighLevel, a task created for it, the event delivered to the
# sandbox's simulated Clubworx inbox; 50 concurrent senders, each waiting for
# its event to be done before sending the next. Both sides talk to a
# standalone `switchboard sandbox` without its rate limit and keep their
# state in a throw-away Postgres 15 of this machine.
#
#   benches/automations-vs-n8n.sh
#
# Switchboard: `cargo bench --features ssr --bench automations` (release).
# n8n: ../shared/bench/n8n-bench.sh (n8n from npm, installed first if missing,
# about 5 minutes) with benches/n8n/automations-workflow.json: Webhook
# (answers from a "Respond to Webhook" node after the last request, so wrk's
# latency is the whole workflow's, like Switchboard's event -> run finished)
# -> Set (the mapping) -> HTTP Request (upsert) -> HTTP Request (task) ->
# HTTP Request (inbox) -> Respond to Webhook.
#
# Env: BENCH_EVENTS (2000) and BENCH_BUDGET_EVENTS (200; 0 skips the budget
# part) for Switchboard; DURATION (30 s) and WARMUP (5 s) of wrk for n8n;
# N8N_BENCH (path of n8n-bench.sh); CARGO_TARGET_DIR.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
N8N_BENCH=${N8N_BENCH:-$ROOT/../shared/bench/n8n-bench.sh}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
export CARGO_TARGET_DIR=$TARGET
OUT=$(mktemp -d /tmp/automations-vs-n8n.XXXXXX)
SANDBOX_PID=""

log() { printf '[automations-vs-n8n %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
cleanup() {
  if [[ -n $SANDBOX_PID ]] && kill -0 "$SANDBOX_PID" 2>/dev/null; then
    kill "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -x $N8N_BENCH ]] || { log "no $N8N_BENCH"; exit 1; }
log "n8n: installing if missing"
"$N8N_BENCH" install

log "Switchboard: cargo bench --features ssr --bench automations"
cargo bench --features ssr --bench automations 2>&1 | tee "$OUT/switchboard.txt"

log "n8n: a standalone sandbox without its rate limit"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SANDBOX=http://127.0.0.1:$PORT
RUST_LOG=warn "$TARGET/release/switchboard" sandbox --addr "127.0.0.1:$PORT" --contacts 50 \
  --burst-limit 1000000000 >"$OUT/sandbox.log" 2>&1 &
SANDBOX_PID=$!
for _ in $(seq 1 200); do
  curl -sf "$SANDBOX/_sandbox/locations" >/dev/null && break
  sleep 0.1
done
LOCATION=$(curl -sf "$SANDBOX/_sandbox/locations" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
TOKEN=$(curl -sf -X POST -H 'content-type: application/json' \
  -d "{\"locationId\": \"$LOCATION\", \"scopes\": [\"contacts.write\", \"contacts.readonly\"]}" \
  "$SANDBOX/_sandbox/tokens" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
sed -e "s|__SANDBOX__|$SANDBOX|g" -e "s|__TOKEN__|$TOKEN|g" -e "s|__LOCATION__|$LOCATION|g" \
  benches/n8n/automations-workflow.json >"$OUT/workflow.json"

log "n8n: the same workload (n8n-bench.sh, Postgres, 50 connections)"
WORKFLOW_JSON=$OUT/workflow.json WF_ID=SwitchboardBenchMembers1 DBS=postgres CONCURRENCY=50 \
  DURATION=${DURATION:-30} WARMUP=${WARMUP:-5} POST_LUA=$ROOT/benches/n8n/member-created.lua \
  "$N8N_BENCH" 2>&1 | tee "$OUT/n8n.txt"
SANDBOX_REQUESTS=$(curl -sf "$SANDBOX/_sandbox/ledger" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["entries"]))' || echo "?")
log "n8n: the sandbox kept $SANDBOX_REQUESTS writes"

python3 - "$OUT/switchboard.txt" "$OUT/n8n.txt" <<'EOF'
import re, sys

def fields(line):
    return dict(re.findall(r'(\w+)=([\d.]+)', line))

sb = next(l for l in open(sys.argv[1]) if l.startswith('SUMMARY switchboard'))
sb = fields(sb)
budget = [l for l in open(sys.argv[1]) if l.startswith('SUMMARY budget')]
n8n = [l for l in open(sys.argv[2]) if l.startswith('n8n ') and ' c=50:' in l][-1]
m = re.search(r'(\d+) req/s p50 ([\d.]+) ms p99 ([\d.]+) ms rss_idle (\d+) MB rss_peak (\d+) MB', n8n)
n_rps, n_p50, n_p99, n_idle, n_peak = (float(x) for x in m.groups())
s_rps, s_p50, s_p99 = float(sb['closed_loop_events_per_s']), float(sb['p50_ms']), float(sb['p99_ms'])
s_idle, s_peak = float(sb['rss_idle_mb']), float(sb['rss_peak_mb'])
print()
print('==== automations: Switchboard vs n8n, this machine, 50 concurrent senders ====')
print(f'{"":34}{"Switchboard":>14}{"n8n":>14}{"ratio":>10}')
print(f'{"events/s, event in -> run done":34}{s_rps:>14.1f}{n_rps:>14.1f}{s_rps / n_rps:>9.1f}x   (target >= 5x)')
print(f'{"p50 latency (ms)":34}{s_p50:>14.1f}{n_p50:>14.1f}')
print(f'{"p99 latency (ms)":34}{s_p99:>14.1f}{n_p99:>14.1f}')
print(f'{"resident memory idle (MB)":34}{s_idle:>14.0f}{n_idle:>14.0f}')
print(f'{"resident memory peak (MB)":34}{s_peak:>14.0f}{n_peak:>14.0f}{s_peak / n_peak:>9.2f}x   (target <= 0.20x)')
n_cpu = float(re.search(r' cpu (\d+)%', n8n).group(1))
n8n_extra = open(sys.argv[2]).read()
pg = re.findall(r'pg_cpu (\d+)%', n8n_extra)
n_pg = float(pg[-1]) if pg else float('nan')
print(f'{"CPU per event, app (ms)":34}{float(sb["cpu_app_ms"]):>14.2f}{n_cpu / 100 / n_rps * 1000:>14.2f}   (Switchboard: with its senders; n8n: without wrk)')
print(f'{"CPU per event, Postgres (ms)":34}{float(sb["cpu_pg_ms"]):>14.2f}{n_pg / 100 / n_rps * 1000:>14.2f}')
print(f'{"CPU per event, sandbox (ms)":34}{float(sb["cpu_sandbox_ms"]):>14.2f}{"":>14}')
print(f'Switchboard burst drain: {float(sb["burst_events_per_s"]):.1f} events/s')
for line in budget:
    b = fields(line)
    print(f'Budget: {b["events"]} events, {b["requests"]} requests in {b["wall_s"]} s (least {b["least_s"]} s): '
          f'{float(b["fraction"]):.3f} of the budget (target >= 0.95); person p50 {b["person_p50_ms"]} ms, max {b["person_max_ms"]} ms')
EOF
log "outputs in $OUT"
