#!/usr/bin/env bash
# Durable submissions under load: wrk posting complete multipart submissions
# with a 200 KB KTP (KTP=pdf, the default: a scan the sanitizer only checks;
# KTP=jpeg: a photo it decodes and encodes again; KTP=fake: bytes that only
# start like a JPEG, for builds from before the sanitizer) at 50 connections, against the raw rate of fsync'ed
# creates on the same disk, alternating the two ROUNDS times; then 100
# clients each uploading 5 MB at once while the server's peak RSS (VmHWM)
# is read.
#
# Every measurement starts from the same state: `sync` and, when run as root,
# the kernel's caches dropped. Two things otherwise skew the figures by up to
# 2x on this VM: (1) each run writes several GB, and once free memory is
# gone page reclaim slows whatever runs next; (2) on ext4 without a journal
# (this VM's root disk) the kernel avoids reusing an inode deleted in the
# last 60 s (360 s while its inode table block is cached and dirty), and
# every create scans past all such inodes. Dropping the caches clears both.
# Without root the script instead waits until its last clean-up is SETTLE
# seconds old (default 370) and warns that the runs may drift.
#
# usage: bench/submit.sh [LOKET_BINARY[=SITE_DIR] ...]   (default: target/release/loket;
#        several binaries are measured in turn in each round, to compare builds;
#        an older build may need the site of its own commit: SITE_DIR, e.g. from
#        `git archive REV site.yaml content templates static hari-libur | tar -x -C DIR`)
#        env: DATA_DIR picks the disk; ROUNDS, DURATION (s), SETTLE (s)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=${DATA_DIR:-/var/tmp/loket-bench-submit}
rounds=${ROUNDS:-2}
duration=${DURATION:-30}
settle=${SETTLE:-370}
cleaned=$work.cleaned-at
tck=$(getconf CLK_TCK)
if [ $# -eq 0 ]; then
    cargo build --release --manifest-path "$repo/Cargo.toml"
    set -- "$repo/target/release/loket"
fi
clean() { rm -rf "$work"; date +%s >"$cleaned"; }
[ -e "$work" ] && clean
mkdir -p "$work/site"
ktp=${KTP:-pdf}
if [ "$ktp" != fake ]; then
    export KTP_FILE="$work/ktp.$ktp"
    python3 "$here/ktp.py" "$ktp" 204800 "$KTP_FILE"
    python3 "$here/ktp.py" pdf $((5 * 1024 * 1024 - 4096)) "$work/ktp-5mb.pdf"
fi
cp -r "$repo"/{site.yaml,content,forms,templates,static,hari-libur} "$work/site/"
echo "disk: $(df -h "$work" | tail -1 | awk '{print $1, $2}'), $(nproc) CPUs"
# Everything written stays until the end (see above): at most ~3,500 raw
# creates/s and ~1,500 submissions/s of 200 KB each, plus the 5 MB uploads.
need_mb=$(( (2 * rounds + 1) * 10 * 3500 / 5 + rounds * $# * duration * 1500 / 5 + 6000 ))
free_mb=$(df -Pm "$work" | awk 'NR == 2 {print $4}')
if [ "$free_mb" -lt "$need_mb" ]; then
    echo "error: $work has ${free_mb} MB free; this run may write ${need_mb} MB (fewer ROUNDS or a shorter DURATION)" >&2
    exit 1
fi
if [ -w /proc/sys/vm/drop_caches ]; then
    quiesce() { sync && echo 3 >/proc/sys/vm/drop_caches; }
else
    echo "warning: not root, caches not dropped between runs: figures may drift"
    quiesce() { sync; }
    if [ -f "$cleaned" ]; then
        wait_s=$(( $(cat "$cleaned") + settle - $(date +%s) ))
        if [ "$wait_s" -gt 0 ]; then
            echo "waiting ${wait_s} s for the last clean-up's deletes to age"
            sleep "$wait_s"
        fi
    fi
fi

pid=
start_server() { # binary[=site], data folder
    local bin=${1%%=*} site=$work/site
    [ "$bin" = "$1" ] || site=${1#*=}
    rm -f "$work/loket.out"
    "$bin" serve --root "$site" --addr 127.0.0.1:18092 --data "$2" \
        --rate-limit 0 --max-connections 1024 >"$work/loket.out" 2>"$work/loket.err" &
    pid=$!
    until grep -qs Listening "$work/loket.out" "$work/loket.err"; do
        kill -0 "$pid" 2>/dev/null || { echo "error: $bin did not start" >&2; exit 1; }
        sleep 0.1
    done
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; clean' EXIT

# The raw rate drifts from run to run (the VM's disk is shared), so each
# loket run is compared with the mean of the raw runs just before and after it.
# Once a round the raw program also writes with O_DIRECT, as loket does: a
# second, higher ceiling (no copy into fresh page cache).
raw_rate() { quiesce && python3 "$here/fsync-rate.py" "$work/raw-$1" 10 50 204800; }
echo "| round | binary | raw fsync'ed creates/s (before, after) | loket submissions/s | loket / raw | p50 | p99 | non-303 | records stored | CPU per submission | raw with O_DIRECT | loket / raw O_DIRECT |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
raw_before=$(raw_rate 0)
for round in $(seq "$rounds"); do
    n=0
    for loket in "$@"; do
        n=$((n + 1))
        data="$work/data-$round-$n"
        quiesce
        start_server "$loket" "$data"
        before=$(cpu_ticks)
        wrk -t2 -c50 -d"${duration}s" --latency -s "$here/submit.lua" http://127.0.0.1:18092 >"$work/wrk-$n.out"
        echo $(( $(cpu_ticks) - before )) >"$work/cpu-$n"
        stop_server
        find "$data/submissions" -name '*.yaml' | wc -l >"$work/stored-$n"
    done
    raw_after=$(raw_rate "$round")
    raw_direct=$(DIRECT=1 raw_rate "direct-$round")
    n=0
    for loket in "$@"; do
        n=$((n + 1))
        # Submissions/s counts the 303s wrk received; every one must be stored.
        awk -v round="$round" -v bin="$(basename "${loket%%=*}")" -v r0="$raw_before" -v r1="$raw_after" -v rd="$raw_direct" \
            -v stored="$(cat "$work/stored-$n")" -v secs="$duration" -v cpu="$(cat "$work/cpu-$n")" -v tck="$tck" '
            / 50%/ { p50 = $2 } / 99%/ { p99 = $2 }
            /^303 responses/ { acked = $3 + 0; bad = $NF }
            END {
                rate = acked / secs
                raw = (r0 + r1) / 2
                printf "| %d | %s | %.0f (%d, %d) | %.0f | %.0f%% | %s | %s | %s | %d | %.2f ms | %d | %.0f%% |\n",
                    round, bin, raw, r0, r1, rate, 100 * rate / raw, p50, p99, bad, stored, 1000 * cpu / tck / stored, rd, 100 * rate / rd
                if (stored < acked) { print "ERROR: fewer records stored than acknowledged"; exit 1 }
            }' "$work/wrk-$n.out"
    done
    raw_before=$raw_after
done

quiesce
start_server "$1" "$work/data-big"
echo "idle RSS: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
[ "$ktp" = fake ] || export KTP_FILE="$work/ktp-5mb.pdf"
KTP_BYTES=$((5 * 1024 * 1024 - 4096)) wrk -t2 -c100 -d10s -s "$here/submit.lua" http://127.0.0.1:18092 |
    grep -E "requests in|^303 responses"
echo "peak RSS with 100 clients uploading 5 MB each: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
stop_server
