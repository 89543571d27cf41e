#!/usr/bin/env bash
# Durable submissions under load: wrk posting complete multipart submissions
# with a 200 KB JPEG at 50 connections for 30 s, against the raw rate of
# fsync'ed creates on the same disk; then 100 clients each uploading 5 MB at
# once while the server's peak RSS (VmHWM) is read.
# usage: bench/submit.sh    (DATA_DIR picks the disk; default: a folder on /tmp's disk)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
loket="$repo/target/release/loket"
work=${DATA_DIR:-/var/tmp/loket-bench-submit}
duration=${DURATION:-30s}
[ -x "$loket" ] || cargo build --release --manifest-path "$repo/Cargo.toml"
rm -rf "$work" && mkdir -p "$work/site"
cp -r "$repo"/{site.yaml,content,templates,static,hari-libur} "$work/site/"
echo "disk: $(df -h "$work" | tail -1 | awk '{print $1, $2}')"
python3 "$here/fsync-rate.py" "$work/raw" 10 50 204800

start_server() {
    rm -f "$work/loket.out"
    "$loket" serve --root "$work/site" --addr 127.0.0.1:18092 --data "$work/data" \
        --rate-limit 0 --max-connections 1024 >"$work/loket.out" 2>/dev/null &
    pid=$!
    until grep -q Listening "$work/loket.out" 2>/dev/null; do sleep 0.1; done
}
start_server
trap 'kill $pid 2>/dev/null || true' EXIT
wrk -t2 -c50 -d"$duration" --latency -s "$here/submit.lua" http://127.0.0.1:18092 |
    grep -E "Requests/sec|50%|99%|non-303|requests in"
echo "records stored: $(find "$work/data/submissions" -name '*.yaml' | wc -l)"
kill $pid; wait $pid 2>/dev/null || true

start_server
echo "idle RSS: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
KTP_BYTES=$((5 * 1024 * 1024 - 4096)) wrk -t2 -c100 -d10s -s "$here/submit.lua" http://127.0.0.1:18092 |
    grep -E "Requests/sec|requests in"
echo "peak RSS with 100 clients uploading 5 MB each: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
