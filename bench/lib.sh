# Shared by bench/thumbnails and bench/index: tools, the cached JPEG/HEIC corpus, timing.
# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables below are for the scripts that source this file

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${SHOEBOX_BENCH_DIR:-$HOME/.cache/shoebox-bench}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
JOBS=${SHOEBOX_BENCH_JOBS:-$(nproc)}
CORPUS_JPEG=$BENCH_DIR/jpeg
CORPUS_HEIC=$BENCH_DIR/heic
# How many 12 MP HEICs the corpus holds (heif-enc takes about 30 s of CPU for each).
HEIC_COUNT=${SHOEBOX_BENCH_HEICS:-6}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ImageMagick's own convert (a wrapper earlier in PATH may stand in for it).
convert_bin() {
    if [ -x /usr/bin/convert ]; then echo /usr/bin/convert; else command -v convert; fi
}

# ensure_tools CMD=PACKAGE …: installs through apt the packages whose command is missing.
ensure_tools() {
    local missing=() pair cmd pkg
    for pair in "$@"; do
        cmd=${pair%%=*} pkg=${pair#*=}
        if [ "$cmd" = convert ]; then
            [ -x /usr/bin/convert ] || missing+=("$pkg")
        elif ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "$cmd" ]; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# The EXIF every corpus JPEG gets; number $1 (1-based) decides the date, place and orientation.
exif_args() {
    local i=$1
    local day=$(( (i * 7) % 28 + 1 )) month=$(( (i * 5) % 12 + 1 )) year=$(( 2015 + i % 10 ))
    printf -- '-Make=Apple\n-Model=iPhone 13 Pro\n'
    printf -- '-DateTimeOriginal=%04d:%02d:%02d %02d:%02d:%02d\n' \
        "$year" "$month" "$day" $(( 8 + i % 12 )) $(( (i * 13) % 60 )) $(( (i * 29) % 60 ))
    printf -- '-CreateDate=%04d:%02d:%02d 12:00:00\n' "$year" "$month" "$day"
    printf -- '-GPSLatitude=%s\n-GPSLatitudeRef=N\n-GPSLongitude=%s\n-GPSLongitudeRef=E\n' \
        "$(( 40 + i % 15 )).$(( (i * 37) % 1000 ))" "$(( i % 20 )).$(( (i * 53) % 1000 ))"
    printf -- '-GPSAltitude=%d\n-GPSAltitudeRef=0\n' $(( 10 + i * 3 ))
    printf -- '-ExposureTime=1/%d\n-FNumber=1.8\n-ISO=%d\n-FocalLength=5.7\n' \
        $(( 60 * (1 + i % 8) )) $(( 50 * (1 + i % 6) ))
    if [ $(( i % 4 )) -eq 0 ]; then printf -- '-Orientation#=6\n'; else printf -- '-Orientation#=1\n'; fi
}

# One corpus JPEG: 4032x3024 plasma + noise, q90 4:2:0, EXIF (rust-stack.md §4).
make_jpeg() {
    local i=$1 out tmp
    out=$(printf '%s/p%03d.jpg' "$CORPUS_JPEG" "$i")
    [ -s "$out" ] && return 0
    tmp="$out.tmp.jpg"
    "$(convert_bin)" -size 4032x3024 -seed "$i" plasma:fractal -blur 0x2 -attenuate 0.4 \
        +noise Gaussian -quality 90 -sampling-factor 4:2:0 "$tmp"
    exif_args "$i" | exiftool -q -q -overwrite_original -@ - "$tmp"
    mv "$tmp" "$out"
}

# One corpus HEIC, encoded from corpus JPEG $1 (an upright one: heif-enc ignores Orientation).
make_heic() {
    local i=$1 src out
    src=$(printf '%s/p%03d.jpg' "$CORPUS_JPEG" "$i")
    out=$(printf '%s/h%03d.heic' "$CORPUS_HEIC" "$i")
    [ -s "$out" ] && return 0
    heif-enc -q 50 "$src" -o "$out.tmp.heic" >/dev/null
    mv "$out.tmp.heic" "$out"
}

# The numbers of the corpus JPEGs the HEICs are made from: the first upright ones.
heic_sources() {
    local i=1 n=0
    while [ $n -lt "$HEIC_COUNT" ]; do
        if [ $(( i % 4 )) -ne 0 ]; then echo "$i"; n=$(( n + 1 )); fi
        i=$(( i + 1 ))
    done
}

# ensure_corpus N: at least N JPEGs and HEIC_COUNT HEICs in the cache, made in parallel.
ensure_corpus() {
    local n=$1 have todo
    mkdir -p "$CORPUS_JPEG" "$CORPUS_HEIC"
    rm -f "$CORPUS_JPEG"/*.tmp.jpg "$CORPUS_HEIC"/*.tmp.heic
    have=$(find "$CORPUS_JPEG" -name 'p*.jpg' | wc -l)
    todo=$(seq 1 "$(( n > 8 ? n : 8 ))" | while read -r i; do
        [ -s "$(printf '%s/p%03d.jpg' "$CORPUS_JPEG" "$i")" ] || echo "$i"; done)
    if [ -n "$todo" ]; then
        say "making $(echo "$todo" | wc -l) 12 MP JPEGs in $CORPUS_JPEG ($have cached, $JOBS at a time)"
        export -f make_jpeg exif_args convert_bin
        export CORPUS_JPEG
        echo "$todo" | xargs -P "$JOBS" -I{} bash -c 'make_jpeg {}'
    fi
    todo=$(heic_sources | while read -r i; do
        [ -s "$(printf '%s/h%03d.heic' "$CORPUS_HEIC" "$i")" ] || echo "$i"; done)
    if [ -n "$todo" ]; then
        say "making $(echo "$todo" | wc -l) 12 MP HEICs with heif-enc (about 30 s of CPU each; cached)"
        export -f make_heic
        export CORPUS_JPEG CORPUS_HEIC
        echo "$todo" | xargs -P "$JOBS" -I{} bash -c 'make_heic {}'
    fi
}

# timed FILE CMD…: runs CMD under GNU time; appends "user sys elapsed maxrss_kb" to FILE.
timed() {
    local file=$1; shift
    /usr/bin/time -f '%U %S %e %M' -a -o "$file" "$@"
}

# Builds a release target unless SHOEBOX_BENCH_NO_BUILD=1 (the cargo lock may make this wait).
cargo_build() {
    if [ "${SHOEBOX_BENCH_NO_BUILD:-0}" = 1 ]; then return 0; fi
    say "cargo build --release $* (waits for the cargo lock if another build holds it)"
    (cd "$ROOT" && cargo build --release "$@")
}

# Load average and other heavy processes, for the record.
machine_note() {
    local model
    model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($model), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
