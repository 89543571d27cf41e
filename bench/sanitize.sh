#!/usr/bin/env bash
# CPU time, peak RSS and output size of sanitizing phone-sized uploads
# (src/submission/sanitize), one process per file, with /usr/bin/time -v.
# Makes the photos with ImageMagick once (the 50 MP one takes about 40 s)
# and checks with exiftool that GPS and orientation do not survive.
# usage: bench/sanitize.sh            (needs imagemagick, libimage-exiftool-perl)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/dev/shm/loket-bench-sanitize}
mkdir -p "$work"
cargo build --quiet --release --example sanitize --manifest-path "$repo/Cargo.toml"
bin="$repo/target/release/examples/sanitize"

make() { # file command...: runs the command once to make the file
    local file=$1; shift
    [ -s "$work/$file" ] || "$@" "$work/$file"
}
make photo-12mp.jpg convert -size 4000x3000 plasma: -quality 92
make photo-50mp.jpg convert -size 8160x6120 plasma: -quality 92
# A phone photo's grain: plasma alone compresses better than a real photo.
make grainy-12mp.jpg convert "$work/photo-12mp.jpg" -attenuate 0.4 +noise Gaussian -quality 92
make progressive-12mp.jpg convert "$work/grainy-12mp.jpg" -interlace JPEG
make screenshot.png convert -size 1080x2400 plasma: -attenuate 0.2 +noise Gaussian
if [ ! -s "$work/gps-12mp.jpg" ]; then
    cp "$work/grainy-12mp.jpg" "$work/gps-12mp.jpg"
    exiftool -q -overwrite_original -Orientation#=6 -GPSLatitude=7.5534 -GPSLatitudeRef=S \
        -GPSLongitude=112.2335 -GPSLongitudeRef=E -Make=Phone "$work/gps-12mp.jpg"
fi

printf '%-22s %8s %6s %6s %8s  %s\n' file "in KB" "user s" "sys s" "RSS MB" result
for file in photo-12mp.jpg grainy-12mp.jpg gps-12mp.jpg progressive-12mp.jpg photo-50mp.jpg screenshot.png; do
    out="$work/out-$file.jpg"
    rm -f "$out"
    stats=$(/usr/bin/time -v "$bin" "$work/$file" "$out" 2>&1 >"$work/result") || true
    field() { awk -F': ' -v k="$1" '$1 ~ k {print $2}' <<<"$stats"; }
    printf '%-22s %8d %6s %6s %8.0f  %s\n' "$file" $(( $(stat -c %s "$work/$file") / 1024 )) \
        "$(field 'User time')" "$(field 'System time')" \
        "$(echo "$(field 'Maximum resident set size') / 1024" | bc -l)" "$(cat "$work/result")"
done

echo "exiftool on the kept gps-12mp (expect no GPS, no Orientation, 1500x2000):"
exiftool -s -GPS:all -Orientation -Make -ImageSize "$work/out-gps-12mp.jpg.jpg" | sed 's/^/  /'
