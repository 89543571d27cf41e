#!/usr/bin/env bash
# Serving speed: wrk against `loket serve` and against nginx serving the same
# public/ folder, in the same run, page after page (nginx then each loket,
# ROUNDS times: keep-alive, 2 threads, 64 connections). Both write an access
# log line per request to a file in the same tmpfs folder (nginx's combined
# format, loket's stderr). Also checks that HEAD answers with GET's headers
# (all but Date) on every page, and prints loket's idle RSS.
# usage: bench/serve.sh [PATH ...]       (default: every page of the shipped site)
#   LOKETS="before=/path after=target/release/loket", DURATION=10s, ROUNDS=1,
#   ACCEPT_ENCODING=gzip: every request asks for it, and nginx serves the
#   build's .gz copies (gzip_static; Debian's nginx has no Brotli module)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/dev/shm/loket-bench}/serve
duration=${DURATION:-10s}
accept=${ACCEPT_ENCODING:-}
rounds=${ROUNDS:-1}
read -r -a lokets <<<"${LOKETS:-loket=$repo/target/release/loket}"
pages=("$@")
[ ${#pages[@]} -gt 0 ] || pages=(/ /layanan/ /layanan/fasilitasi-usaha-mikro/ /permohonan/ /pengaduan-layanan/ /pengaduan-layanan/formulir/)
[ -x "$repo/target/release/loket" ] || cargo build --release --manifest-path "$repo/Cargo.toml"
rm -rf "$work" && mkdir -p "$work/site"
cp -r "$repo"/{site.yaml,content,forms,templates,static,hari-libur} "$work/site/"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true' EXIT
port=18091
ports=()
for entry in "${lokets[@]}"; do
    name=${entry%%=*} bin=${entry#*=}
    mkdir -p "$work/$name"
    cp -r "$work/site" "$work/$name/site"
    "$bin" serve --root "$work/$name/site" --addr 127.0.0.1:$port --data "$work/$name/data" \
        --desk-addr 127.0.0.1:$((port + 100)) \
        >"$work/$name/out.log" 2>"$work/$name/access.log" &
    pids+=($!)
    ports+=($port)
    until grep -qs Listening "$work/$name/out.log" "$work/$name/access.log"; do
        kill -0 "${pids[-1]}" 2>/dev/null || { echo "$name did not start:" >&2; tail -n 3 "$work/$name/access.log" >&2; exit 1; }
        sleep 0.1
    done
    port=$((port + 1))
done
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log $work/nginx-access.log;
    sendfile on;
    gzip_static on;
    gzip_vary on;
    server {
        listen 127.0.0.1:18090;
        root $work/${lokets[0]%%=*}/site/public;
        location / { try_files \$uri \$uri/ =404; }
    }
}
CONF
nginx -c "$work/nginx.conf" &
until curl -sf "http://127.0.0.1:18090/" >/dev/null; do sleep 0.1; done
sleep 1
for i in "${!lokets[@]}"; do
    echo "${lokets[$i]%%=*} idle RSS: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/${pids[$i]}/status)"
done

headers() { # METHOD URL -> headers without Date, sorted
    curl -s -o /dev/null -D - -X "$1" "$2" | tr -d '\r' | grep -iv '^date:' | sort
}
for page in "${pages[@]}"; do
    for p in "${ports[@]}"; do
        if ! diff <(headers GET "http://127.0.0.1:$p$page") <(headers HEAD "http://127.0.0.1:$p$page") >/dev/null; then
            echo "HEAD and GET differ on $page (port $p):"
            diff <(headers GET "http://127.0.0.1:$p$page") <(headers HEAD "http://127.0.0.1:$p$page") || true
        fi
    done
done
echo "HEAD checked against GET on ${#pages[@]} pages"

encoding=()
[ -z "$accept" ] || encoding=(-H "Accept-Encoding: $accept")
[ -z "$accept" ] || for p in 18090 "${ports[@]}"; do
    echo "port $p answers Accept-Encoding: $accept with: $(curl -s -o /dev/null -D - -H "Accept-Encoding: $accept" "http://127.0.0.1:$p${pages[0]}" | tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding" {print $2}')"
done
rps() { wrk -t2 -c64 -d"$duration" "${encoding[@]}" --latency "$1" | tee -a "$work/wrk.txt" | awk '/Requests\/sec/ {print $2}'; }
printf '%-32s %5s %10s' page round nginx
for entry in "${lokets[@]}"; do printf ' %10s %7s' "${entry%%=*}" ratio; done
echo
for round in $(seq "$rounds"); do
    for page in "${pages[@]}"; do
        n=$(rps "http://127.0.0.1:18090$page")
        printf '%-32s %5s %10.0f' "$page" "$round" "$n"
        for p in "${ports[@]}"; do
            l=$(rps "http://127.0.0.1:$p$page")
            printf ' %10.0f %6.2fx' "$l" "$(python3 -c "print($l/$n)")"
        done
        echo
    done
done
for i in "${!lokets[@]}"; do
    echo "${lokets[$i]%%=*} RSS after the load: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/${pids[$i]}/status)"
    echo "${lokets[$i]%%=*} access log lines: $(wc -l <"$work/${lokets[$i]%%=*}/access.log")"
done
echo "nginx access log lines: $(wc -l <"$work/nginx-access.log")"
