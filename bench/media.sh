#!/usr/bin/env bash
# The media pipeline beside its peer, sharp (../shared/bench/sharp), in one run, on the same
# corpus: per image the four outputs (thumbnail 200×200 cover and medium 600×600 inside, each
# WebP q85 and JPEG q85, EXIF-oriented, metadata stripped), on one thread and on two.
#   bench/media.sh [CORPUS=../shared/media-corpus/photos] [PASSES=3]
# Prints both JSON lines and a table of ratios; docs/benchmarks.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=$(realpath "${1:-../shared/media-corpus/photos}")
passes=${2:-3}
peer=../shared/bench/sharp/run.sh
[ -x "$peer" ] || { echo "the peer benchmark is missing: $peer" >&2; exit 1; }
export BENCH_WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/botdesk-peer-sharp}

cargo build --locked --release -p botdesk-bench 2>&1 | tail -1
echo "== sharp ($corpus, $passes passes)"
sharp=$("$peer" "$corpus" "$passes" | tail -1)
echo "$sharp"
# run.sh keeps the last setting's pass lines: each carries the bytes written in that pass.
sharp_bytes=$(grep -m1 '"out_bytes"' "$BENCH_WORK/out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["out_bytes"])')
echo "== botdesk ($corpus, $passes passes)"
ours=$(target/release/botdesk-bench media --corpus "$corpus" --passes "$passes" --json)
echo "$ours"
python3 - "$sharp" "$ours" "$sharp_bytes" <<'PY'
import json, sys
peer, ours, peer_bytes = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
def row(name, a, b, goal, higher_is_better=True):
    ratio = a / b if b else float("nan")
    ok = ratio >= goal if higher_is_better else ratio <= goal
    sign = ">=" if higher_is_better else "<="
    print(f"{name:<28}{a:>12.1f}{b:>12.1f}{ratio:>8.2f}x  {sign} {goal}x {'met' if ok else 'MISSED'}")
print(f"\n{'':<28}{'botdesk':>12}{'sharp':>12}{'ratio':>9}  goal")
row("images/s, 1 thread", ours["images_per_s_1_thread"], peer["images_per_s_1_thread"], 3)
row("images/s, 2 threads", ours["images_per_s_2_threads"], peer["images_per_s_2_threads"], 3)
row("peak RSS MB, 1 thread", ours["peak_rss_mb"], peer["peak_rss_mb_1_thread"], 0.5, False)
row("peak RSS MB, 2 threads", ours["peak_rss_mb_2_threads"], peer["peak_rss_mb_2_threads"], 0.5, False)
row("bytes written (KB)", ours["out_bytes"] / 1024, peer_bytes / 1024, 1.0, False)
PY
