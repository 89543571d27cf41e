#!/usr/bin/env bash
# Build speed and peak memory, all in the same run (interleaved by hyperfine's
# rounds, sources and output on tmpfs):
# - the floor (bench/floor.rs: read, pulldown-cmark on rayon, write; nothing else),
# - each loket binary on the benchmark's minimal templates ("bench") and on the
#   shipped templates (the repository's site.yaml, templates/, static/ and
#   pages, plus the generated pages under content/posts/: "shipped"),
# - Hugo (the same pages, equivalent minimal templates; set PEERS= to skip it).
# Writes bench/results/build-N.json (hyperfine) and prints pages/s, the ratio
# to the floor and peak RSS (/usr/bin/time -v, median of 3) of each.
#
# usage: bench/build.sh [N ...]                 (default: 1000 10000 50000)
#   LOKETS="before=/path/to/loket after=target/release/loket" compares builds
#   RUNS=5 (hyperfine runs), PEERS="hugo" (or empty), BENCH_DIR=/dev/shm/loket-bench
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/dev/shm/loket-bench}
mkdir -p "$here/results" "$work"
[ -x "$repo/target/release/loket" ] || cargo build --release --manifest-path "$repo/Cargo.toml"
cargo build --release --quiet --example floor --manifest-path "$repo/Cargo.toml"
floor="$repo/target/release/examples/floor"
read -r -a lokets <<<"${LOKETS:-loket=$repo/target/release/loket}"
peers=${PEERS-hugo}
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000)

peak_rss_mb() { # command... -> median peak RSS of 3 runs, in MB
    for _ in 1 2 3; do
        /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident set size/ {print $6}'
    done | sort -n | sed -n 2p | awk '{printf "%.0f", $1/1024}'
}

for n in "${sizes[@]}"; do
    corpus="$work/corpus-$n"
    [ -d "$corpus/loket" ] || python3 "$here/gen-corpus.py" "$n" "$corpus"
    if [ ! -d "$corpus/shipped" ]; then
        mkdir -p "$corpus/shipped"
        cp -r "$repo"/{site.yaml,templates,static,hari-libur,content,forms} "$corpus/shipped/"
        cp -r "$corpus/loket/content/posts" "$corpus/shipped/content/"
    fi
    args=(-n "floor $n" "$floor $corpus/loket $work/out-floor-$n")
    for entry in "${lokets[@]}"; do
        name=${entry%%=*} bin=${entry#*=}
        args+=(-n "$name bench $n" "$bin build --root $corpus/loket --out $work/out-$name-bench-$n"
               -n "$name shipped $n" "$bin build --root $corpus/shipped --out $work/out-$name-shipped-$n")
    done
    for peer in $peers; do
        args+=(-n "hugo $n" "hugo --quiet --source $corpus/hugo --destination $work/out-hugo-$n")
    done
    uptime
    hyperfine --style basic --warmup 1 --runs "${RUNS:-5}" --export-json "$here/results/build-$n.json" "${args[@]}" >/dev/null
    python3 - "$here/results/build-$n.json" "$n" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
n = int(sys.argv[2])
floor = next(r for r in results if r["command"].startswith("floor"))
for r in results:
    times = r["times"]
    print(f'{r["command"]:>22}: mean {r["mean"]*1000:6.0f} ms  range {min(times)*1000:.0f}-{max(times)*1000:.0f} ms'
          f'  user {r["user"]*1000:.0f} ms  sys {r["system"]*1000:.0f} ms'
          f'  {n/r["mean"]:8.0f} pages/s  {r["mean"]/floor["mean"]:4.1f}x floor')
PY
    for entry in "${lokets[@]}"; do
        name=${entry%%=*} bin=${entry#*=}
        for kind in bench shipped; do
            root=$corpus/loket; [ "$kind" = shipped ] && root=$corpus/shipped
            echo "peak RSS $name $kind $n: $(peak_rss_mb "$bin" build --root "$root" --out "$work/out-$name-$kind-$n") MB"
        done
    done
    echo "peak RSS floor $n: $(peak_rss_mb "$floor" "$corpus/loket" "$work/out-floor-$n") MB"
    for peer in $peers; do
        echo "peak RSS hugo $n: $(peak_rss_mb hugo --quiet --source "$corpus/hugo" --destination "$work/out-hugo-$n") MB"
    done
    # The outputs, and the replaced ones `loket build` leaves for its next
    # build (50,000 pages: a million inodes of tmpfs in all).
    rm -rf "$work"/out-*-"$n" "$work"/.out-*-"$n".staging-*
done
