#!/usr/bin/env bash
# Serving speed: wrk against `loket serve` and against nginx serving the same
# public/ folder (same page, keep-alive, 2 threads, 64 connections, 20 s),
# in the same run; plus loket's idle RSS.
# usage: bench/serve.sh [PATH]    (default: the service page)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
loket="$repo/target/release/loket"
work=${BENCH_DIR:-/dev/shm/loket-bench}/serve
page=${1:-/layanan/fasilitasi-usaha-mikro/}
duration=${DURATION:-20s}
[ -x "$loket" ] || cargo build --release --manifest-path "$repo/Cargo.toml"
rm -rf "$work" && mkdir -p "$work/site"
cp -r "$repo"/{site.yaml,content,templates,static,hari-libur} "$work/site/"

"$loket" serve --root "$work/site" --addr 127.0.0.1:18091 --data "$work/data" >"$work/loket.out" 2>/dev/null &
loket_pid=$!
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    server {
        listen 127.0.0.1:18090;
        root $work/site/public;
        location / { try_files \$uri \$uri/ =404; }
    }
}
CONF
trap 'kill $loket_pid 2>/dev/null || true; kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true' EXIT
until grep -q Listening "$work/loket.out" 2>/dev/null; do sleep 0.1; done
nginx -c "$work/nginx.conf" &
until curl -sf "http://127.0.0.1:18090$page" >/dev/null; do sleep 0.1; done
sleep 1
echo "loket idle RSS: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$loket_pid/status)"
for target in "nginx 18090" "loket 18091"; do
    set -- $target
    echo "== $1"
    wrk -t2 -c64 -d"$duration" --latency "http://127.0.0.1:$2$page" | tee "$work/wrk-$1.txt" |
        grep -E "Requests/sec|Transfer/sec|50%|99%"
done
n=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-nginx.txt")
l=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-loket.txt")
python3 -c "print(f'loket/nginx requests/s: {$l/$n:.2f}')"
echo "loket RSS after the load: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$loket_pid/status)"
