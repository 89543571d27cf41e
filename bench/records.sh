#!/usr/bin/env bash
# Staff tools at scale: N generated records (gen-records.py: realistic sizes,
# every status and kind, three years), then, in one hyperfine run per tool,
# each loket binary given:
#   - `loket inbox` and `loket report --month` with the record index warm
#     (the everyday case) and cold (index removed before each run: the first
#     run after an upgrade, or a damaged index);
#   - the staff desk's inbox page (first page, signed in, over HTTP with curl;
#     the desk is started once per binary and asked once before timing), and
#     its search by a name, a ticket and part of a NIK;
# plus each command's peak RSS (/usr/bin/time).
# usage: bench/records.sh [N]        (default 100000)
#   LOKETS="before=/path after=target/release/loket", RUNS=5,
#   PARTS="inbox cold report desk" (the default: all; e.g. PARTS="inbox desk")
# Records and index live under $BENCH_DIR (default /dev/shm/loket-bench).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
n=${1:-100000}
runs=${RUNS:-5}
parts=" ${PARTS:-inbox cold report desk} "
work=${BENCH_DIR:-/dev/shm/loket-bench}/records-$n
read -r -a lokets <<<"${LOKETS:-loket=$repo/target/release/loket}"
[ -n "${LOKETS:-}" ] || [ -x "$repo/target/release/loket" ] || cargo build --release --manifest-path "$repo/Cargo.toml"
command -v hyperfine >/dev/null || { echo "hyperfine is missing (apt install hyperfine)" >&2; exit 1; }

if [ ! -f "$work/.generated" ]; then
    rm -rf "$work" && mkdir -p "$work"
    python3 "$here/gen-records.py" "$n" "$work/data" --until 2026-11-30
    touch "$work/.generated"
fi
site="$work/site"
rm -rf "$site" && mkdir -p "$site"
cp -r "$repo"/{site.yaml,content,forms,templates,static,hari-libur} "$site/"
month="--month 2026-11 --on 2026-11-30 --root $site"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

peak() { # label command...: the median peak RSS of five runs
    local f
    f=$(mktemp)
    for _ in 1 2 3 4 5; do /usr/bin/time -a -f '%M' -o "$f" "${@:2}" >/dev/null 2>&1; done
    printf '%-28s peak RSS %6.1f MB\n' "$1" "$(sort -n "$f" | awk 'NR == 3 {print $1 / 1024}')"
    rm -f "$f"
}

inbox_cmds=() cold_cmds=() report_cmds=() desk_cmds=()
port=18191
for entry in "${lokets[@]}"; do
    name=${entry%%=*} bin=${entry#*=}
    # Each binary its own copy of the records (hard links: same files, own index).
    rm -rf "$work/$name" && mkdir -p "$work/$name"
    cp -al "$work/data" "$work/$name/data"
    rm -rf "$work/$name/data/.index"
    d="$work/$name/data"
    "$bin" inbox --data "$d" >/dev/null # builds the index, if the binary has one
    inbox_cmds+=(-n "$name inbox" "$bin inbox --data $d")
    cold_cmds+=(-n "$name inbox, no index" -p "rm -rf $d/.index" "$bin inbox --data $d")
    report_cmds+=(-n "$name report" "$bin report --data $d $month --out $work/$name/laporan")

    # The desk: a staff account, a server, a signed-in cookie jar.
    printf 'kata-sandi-bench-123\n' | "$bin" staff add Bench --password-stdin --data "$d" >/dev/null
    "$bin" serve --root "$site" --out "$work/$name/public" --data "$d" \
        --addr 127.0.0.1:$port --desk-addr 127.0.0.1:$((port + 1)) \
        >"$work/$name/serve.out" 2>"$work/$name/serve.err" &
    pids+=($!)
    until grep -qs Listening "$work/$name/serve.out" "$work/$name/serve.err"; do sleep 0.2; done
    desk="http://127.0.0.1:$((port + 1))"
    jar="$work/$name/cookies"
    csrf=$(curl -sf -c "$jar" "$desk/masuk/" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
    curl -sf -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&nama=Bench&sandi=kata-sandi-bench-123&lanjut=/" "$desk/masuk/"
    page=$(curl -sf -b "$jar" "$desk/")
    grep -qi "kotak masuk" <<<"$page" || { echo "$name: desk inbox not reached" >&2; exit 1; }
    desk_cmds+=(-n "$name desk inbox page" "curl -sf -o /dev/null -b $jar $desk/")
    # Searches: a common name, a whole ticket, part of a NIK.
    ticket=$(find "$d/submissions/2026" -name '*.yaml' -print -quit)
    ticket=$(basename "$ticket" .yaml)
    desk_cmds+=(-n "$name desk search, name" "curl -sf -o /dev/null -b $jar $desk/?cari=siti+aminah")
    desk_cmds+=(-n "$name desk search, ticket" "curl -sf -o /dev/null -b $jar $desk/?cari=$ticket")
    desk_cmds+=(-n "$name desk search, NIK part" "curl -sf -o /dev/null -b $jar $desk/?cari=3517+1234")
    port=$((port + 2))
done

part() { [[ $parts == *" $1 "* ]]; }
# Medians too (hyperfine prints means): from its JSON.
json() { hyperfine --export-json "$work/$1.json" "${@:2}"; python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%s: median %.1f ms" % (r["command"], r["median"] * 1000))
' "$work/$1.json"; }
if part inbox; then json inbox -N -w 1 -r "$runs" "${inbox_cmds[@]}"; fi
if part cold; then json cold -w 1 -r "$runs" "${cold_cmds[@]}"; fi
if part report; then json report -N -w 1 -r "$runs" "${report_cmds[@]}"; fi
if part desk; then json desk -N -w 2 -r $((runs * 4)) "${desk_cmds[@]}"; fi
# Peak RSS once the index is warm (after the runs above).
for entry in "${lokets[@]}"; do
    name=${entry%%=*} bin=${entry#*=} d="$work/${entry%%=*}/data"
    if part inbox; then peak "$name inbox" "$bin" inbox --data "$d"; fi
    if part report; then peak "$name report" "$bin" report --data "$d" $month --out "$work/$name/laporan"; fi
done
for i in "${!lokets[@]}"; do
    echo "${lokets[$i]%%=*} server RSS after the desk runs: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/${pids[$i]}/status)"
done
