#!/usr/bin/env bash
# Server CPU per MB of upload, by how the client chunks it: the same
# permohonan with a KTP of KTP_MB MB, sent with HTTP/1.1 chunked transfer
# encoding in chunks of each size in CHUNKS, REPEAT times each, written to
# the socket in large writes and in one write per chunk (bench/chunks.py).
# CPU is utime + stime from /proc/PID/stat before and after the uploads of
# one size (all threads, the blocking pool's included; 10 ms ticks).
#
# With VIA_NGINX=1 the same uploads also go through nginx in front of loket
# (request buffering on, its default: nginx reads the whole body, then
# passes it on with a Content-Length), and nginx's worker is measured too.
#
# usage: bench/chunks.sh [LOKET_BINARY ...]   (default: target/release/loket;
#        several binaries are measured in turn, to compare builds)
#        env: CHUNKS (bytes, default "65536 1024 1"; the first is the
#        baseline of the last column), WRITES (default "large small"),
#        REPEAT (default 5), KTP_MB (default 4), VIA_NGINX, DATA_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=${DATA_DIR:-/var/tmp/loket-bench-chunks}
chunks=${CHUNKS:-65536 1024 1}
writes=${WRITES:-large small}
repeat=${REPEAT:-5}
ktp_mb=${KTP_MB:-4}
tck=$(getconf CLK_TCK)
if [ $# -eq 0 ]; then
    cargo build --release --manifest-path "$repo/Cargo.toml"
    set -- "$repo/target/release/loket"
fi
rm -rf "$work"
mkdir -p "$work/site"
cp -r "$repo"/{site.yaml,content,forms,templates,static,hari-libur} "$work/site/"
echo "$(nproc) CPUs; KTP $ktp_mb MB, $repeat uploads per row"

loket_port=18093
nginx_port=18096
pid=
nginx_pid=
start_server() { # binary, data folder
    rm -f "$work/loket.out"
    "$1" serve --root "$work/site" --addr 127.0.0.1:$loket_port --data "$2" \
        --rate-limit 0 >"$work/loket.out" 2>"$work/loket.err" &
    pid=$!
    until grep -qs Listening "$work/loket.out" "$work/loket.err"; do
        kill -0 "$pid" 2>/dev/null || { echo "error: $1 did not start" >&2; exit 1; }
        sleep 0.1
    done
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
start_nginx() {
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    client_max_body_size 32m;
    server {
        listen 127.0.0.1:$nginx_port;
        location / { proxy_pass http://127.0.0.1:$loket_port; }
    }
}
CONF
    nginx -c "$work/nginx/nginx.conf" &
    nginx_pid=$!
    until [ -n "$(pgrep -P "$nginx_pid")" ]; do sleep 0.1; done
}
stop_nginx() { kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; [ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "| binary | path | writes | chunk | loket CPU | loket CPU per MB | vs first chunk size | nginx CPU per MB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
seed=0
n=0
for loket in "$@"; do
    n=$((n + 1))
    start_server "$loket" "$work/data-$n"
    paths="direct"
    if [ -n "${VIA_NGINX:-}" ]; then
        start_nginx
        paths="direct nginx"
    fi
    for path in $paths; do
        port=$loket_port
        worker=
        if [ "$path" = nginx ]; then
            port=$nginx_port
            worker=$(pgrep -P "$nginx_pid")
        fi
        for w in $writes; do
            base=
            for chunk in $chunks; do
                before=$(cpu_ticks "$pid")
                nginx_before=${worker:+$(cpu_ticks "$worker")}
                for _ in $(seq "$repeat"); do
                    seed=$((seed + 1))
                    python3 "$here/chunks.py" "127.0.0.1:$port" "$chunk" "$w" $((ktp_mb * 1024 * 1024)) "$seed"
                done
                ticks=$(( $(cpu_ticks "$pid") - before ))
                nginx_ticks=${worker:+$(( $(cpu_ticks "$worker") - nginx_before ))}
                base=${base:-$ticks}
                awk -v bin="$(basename "$loket")" -v path="$path" -v w="$w" -v chunk="$chunk" \
                    -v ticks="$ticks" -v base="$base" -v nginx="$nginx_ticks" -v tck="$tck" \
                    -v mb=$((ktp_mb * repeat)) '
                    BEGIN {
                        size = chunk >= 1024 ? chunk / 1024 " KB" : chunk " B"
                        ratio = base ? sprintf("%.1f×", ticks / base) : "(under a tick)"
                        ngx = nginx == "" ? "" : sprintf("%.1f ms", 1000 * nginx / tck / mb)
                        printf "| %s | %s | %s | %s | %.2f s | %.1f ms | %s | %s |\n",
                            bin, path, w, size, ticks / tck, 1000 * ticks / tck / mb, ratio, ngx
                    }'
            done
        done
    done
    [ -z "$nginx_pid" ] || stop_nginx
    stop_server
done
