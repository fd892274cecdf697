#!/usr/bin/env bash
# The webhook dispatcher against a local receiver (issue 7's goals; the issue names no peer):
# signed deliveries per second to one endpoint, idle enqueue → delivered latency, and memory
# with 100,000 deliveries pending for an endpoint nothing listens on.
#   bench/webhooks.sh [DELIVERIES=10000] [RUNS=3] [PENDING=100000]
# Prints the JSON line and a table against the goals; docs/benchmarks.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
deliveries=${1:-10000}
runs=${2:-3}
pending=${3:-100000}

cargo build --locked --release -p botdesk-bench 2>&1 | tail -1
echo "== botdesk ($deliveries deliveries × $runs runs; $pending pending for a dead endpoint)"
ours=$(target/release/botdesk-bench webhooks --deliveries "$deliveries" --runs "$runs" --pending "$pending" --json)
echo "$ours"
python3 - "$ours" <<'PY'
import json, sys
o = json.loads(sys.argv[1])
def mark(ok): return "met" if ok else "MISSED"
print(f"\n{'':<44}{'botdesk':>10}  goal")
print(f"{'signed deliveries/s to a local receiver':<44}{o['deliveries_per_s']:>10.0f}  >= 2000 {mark(o['deliveries_per_s'] >= 2000)}")
print(f"{'enqueue → delivered p50, idle (ms)':<44}{o['delivered_p50_ms']:>10.2f}  <= 5 {mark(o['delivered_p50_ms'] <= 5)}")
print(f"{'enqueue → delivered p99, idle (ms)':<44}{o['delivered_p99_ms']:>10.2f}")
if o.get("dead_endpoint_pending"):
    print(f"{'RSS with ' + str(o['dead_endpoint_pending']) + ' pending, dead endpoint (MB)':<44}{o['dead_endpoint_rss_mb_max']:>10.0f}  bounded")
    print(f"{'  of those attempted during the run':<44}{o['dead_endpoint_attempted']:>10}")
print(f"{'events handed over per second (one tx each)':<44}{o['events_enqueued_per_s']:>10.0f}")
PY
