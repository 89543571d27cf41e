#!/usr/bin/env bash
# Build speed and peak memory: loket against Hugo on the same generated pages,
# on tmpfs, in the same run. Writes bench/results/build-N.json (hyperfine) and
# prints pages/s and peak RSS (from /usr/bin/time -v).
# usage: bench/build.sh [N ...]    (default: 1000 10000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
loket="$repo/target/release/loket"
work=${BENCH_DIR:-/dev/shm/loket-bench}
mkdir -p "$here/results" "$work"
[ -x "$loket" ] || cargo build --release --manifest-path "$repo/Cargo.toml"
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

peak_rss_mb() { # command... -> peak RSS in MB
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident set size/ {printf "%.0f", $6/1024}'
}

for n in "${sizes[@]}"; do
    corpus="$work/corpus-$n"
    [ -d "$corpus" ] || python3 "$here/gen-corpus.py" "$n" "$corpus"
    hyperfine --warmup 1 --runs "${RUNS:-5}" \
        --export-json "$here/results/build-$n.json" \
        -n "loket $n" "$loket build --root $corpus/loket --out $work/out-loket-$n" \
        -n "hugo $n" "hugo --quiet --source $corpus/hugo --destination $work/out-hugo-$n"
    python3 - "$here/results/build-$n.json" "$n" <<'PY'
import json, sys
runs = {r["command"].split()[0]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2]) + 3  # pages + home, section and 404
for name, mean in runs.items():
    print(f"{name}: {mean*1000:.0f} ms, {n/mean:.0f} pages/s")
print(f"loket/hugo pages/s ratio: {runs['hugo']/runs['loket']:.1f}x")
PY
    echo "peak RSS loket $n: $(peak_rss_mb "$loket" build --root "$corpus/loket" --out "$work/out-loket-$n") MB"
    echo "peak RSS hugo  $n: $(peak_rss_mb hugo --quiet --source "$corpus/hugo" --destination "$work/out-hugo-$n") MB"
done
