#!/usr/bin/env bash
# How fast an upload is acknowledged: a 20 MB photo through the API, answered once it is judged,
# stored and recorded (processing runs afterwards, on the queue). Each upload is distinct bytes
# (a counter in a JPEG comment), so every one is hashed, checked and written for real; the
# server processes the earlier ones meanwhile, as it would.
#   bench/upload.sh [RUNS=10]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
cargo build --locked --release -p botdesk-server --bin botdesk 2>&1 | tail -1
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
# 24 megapixels of noise at quality 95: 20 MB that no encoder shrinks (ImageMagick).
convert -size 6000x4000 xc:gray +noise Random -quality 95 "$work/photo.jpg"
BOTDESK_LOG=warn target/release/botdesk --data-dir "$work/data" serve --listen 127.0.0.1:0 >"$work/out" 2>/dev/null &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/out" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on //p' "$work/out")
[ -n "$url" ] || { echo "botdesk serve did not start" >&2; exit 1; }
python3 - "$url" "$work" "$runs" <<'PY'
import base64, json, os, statistics, subprocess, sys
url, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
photo = open(os.path.join(work, "photo.jpg"), "rb").read()
def distinct(i):
    # A COM segment right after SOI: same picture, other bytes.
    note = f"upload {i}".encode()
    return photo[:2] + b"\xff\xfe" + (len(note) + 2).to_bytes(2, "big") + note + photo[2:]
def timed(args):
    out = subprocess.run(["curl", "-sS", "-o", os.path.join(work, "answer"), "-w", "%{http_code} %{time_total}"] + args,
                         capture_output=True, text=True, check=True).stdout.split()
    if out[0] != "201":
        sys.exit(f"upload answered {out[0]}: {open(os.path.join(work, 'answer')).read()}")
    return float(out[1]) * 1000
results = {}
for way in ("multipart", "base64"):
    times = []
    for i in range(runs):
        data = distinct(f"{way}-{i}")
        path = os.path.join(work, "upload.jpg")
        open(path, "wb").write(data)
        if way == "multipart":
            args = ["-F", f"file=@{path};type=image/jpeg", f"{url}/api/media"]
        else:
            body = os.path.join(work, "upload.json")
            json.dump({"file_data": base64.b64encode(data).decode(), "file_name": "photo.jpg"}, open(body, "w"))
            args = ["-H", "content-type: application/json", "--data-binary", f"@{body}", f"{url}/api/media/upload"]
        times.append(timed(args))
    times.sort()
    results[way] = {"median_ms": round(statistics.median(times), 1), "max_ms": round(times[-1], 1)}
size = len(distinct("x"))
print(json.dumps({"what": "a 20 MB photo uploaded until acknowledged", "bytes": size, "runs": runs, **results}))
for way, r in results.items():
    verdict = "met" if r["median_ms"] <= 150 else "MISSED"
    print(f"{way:<10} median {r['median_ms']:>7.1f} ms, max {r['max_ms']:>7.1f} ms   goal <= 150 ms: {verdict}")
PY
