#!/usr/bin/env bash
# The job queue beside its peer, BullMQ on a local Redis (../shared/bench/bullmq), in one run:
# bulk enqueue, end-to-end processing of no-op jobs at each worker concurrency, botdesk's idle
# claim latency, memory while processing and the monitor's first page.
#   bench/queue.sh [JOBS=20000] [RUNS=3]
# Prints both JSON lines and a table of ratios; docs/benchmarks.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-20000}
runs=${2:-3}
peer=../shared/bench/bullmq/run.sh
[ -x "$peer" ] || { echo "the peer benchmark is missing: $peer" >&2; exit 1; }

cargo build --locked --release -p botdesk-bench 2>&1 | tail -1
echo "== BullMQ ($jobs jobs, $runs runs)"
bullmq=$("$peer" "$jobs" "$runs" | tail -1)
echo "$bullmq"
echo "== botdesk ($jobs jobs, $runs runs)"
ours=$(target/release/botdesk-bench queue --jobs "$jobs" --runs "$runs" --concurrency 1,10,50,200 --json)
echo "$ours"
python3 - "$bullmq" "$ours" <<'PY'
import json, sys
peer, ours = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rows = [
    ("bulk enqueue (batches of 1000)", ours["enqueue_bulk_jobs_per_s"], peer["enqueue_bulk_jobs_per_s"], 10),
    ("process, concurrency 1", ours["process_jobs_per_s_conc1"], peer["process_jobs_per_s_conc1"], None),
    ("process, concurrency 10", ours["process_jobs_per_s_conc10"], peer["process_jobs_per_s_conc10"], None),
    ("process, concurrency 50", ours["process_jobs_per_s_conc50"], peer["process_jobs_per_s_conc50"], None),
    ("process, best setting of each", ours["process_jobs_per_s"], peer["process_jobs_per_s_best"], 3),
]
print(f"\n{'jobs/s':<34}{'botdesk':>10}{'BullMQ':>10}{'ratio':>8}  goal")
for name, a, b, goal in rows:
    ratio = a / b if b else float("nan")
    mark = "" if goal is None else (f">= {goal}x " + ("met" if ratio >= goal else "MISSED"))
    print(f"{name:<34}{a:>10.0f}{b:>10.0f}{ratio:>7.2f}x  {mark}")
print(f"\nidle claim p50 {ours['claim_p50_ms']} ms (goal <= 1 ms: {'met' if ours['claim_p50_ms'] <= 1 else 'MISSED'}), p99 {ours['claim_p99_ms']} ms")
print(f"memory while processing {ours['rss_mb_min']}-{ours['rss_mb_max']} MB; first page at {ours['jobs']} rows {ours['first_page_ms']} ms")
PY
