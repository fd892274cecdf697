#!/usr/bin/env bash
# Template benchmarks: rendering (criterion) and the preview endpoint under load (wrk).
#   bench/templates.sh [SECONDS]   (default 15 s of load)
# Prints the figures; docs/benchmarks.md records them with the machine and the date.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}

echo "== render: criterion (target/criterion/ has the full report)"
cargo bench --locked -p botdesk-templates --bench render 2>&1 | grep -E "^(render|template|parse)|time:"

echo "== preview endpoint: wrk, 200 connections, 2 threads, ${seconds}s"
cargo build --locked --release -p botdesk-server --bin botdesk 2>&1 | tail -1
data=$(mktemp -d)
out=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data" "$out"' EXIT
BOTDESK_LOG=warn target/release/botdesk --data-dir "$data" serve --listen 127.0.0.1:0 >"$out" 2>/dev/null &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$out" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on //p' "$out")
[ -n "$url" ] || { echo "botdesk serve did not start" >&2; exit 1; }
id=$(curl -fsS "$url/api/templates?type=buttons" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
curl -fsS -X POST -H 'content-type: application/json' \
  -d "{\"template_id\":\"$id\",\"variables\":{}}" "$url/api/templates/preview" >/dev/null
BOTDESK_TEMPLATE_ID=$id wrk -t2 -c200 -d"${seconds}s" --timeout 5s --latency -s bench/preview.lua "$url/api/templates/preview"
