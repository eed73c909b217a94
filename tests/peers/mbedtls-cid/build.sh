#!/usr/bin/env bash
# Builds an mbedTLS 3.x DTLS client with RFC 9146 Connection IDs
# (MBEDTLS_SSL_DTLS_CONNECTION_ID, ..._COMPAT 0: extension 54, content
# type 25) from mbedTLS sources vendored in crates on crates.io, with gcc
# only (no make, cmake or perl). See README.md beside this file.
#
#   build.sh [OUTDIR]     (OUTDIR: default <repo>/target/mbedtls-cid)
#
# mbedTLS 3.6.5 (vendored by mbedtls-rs-sys 0.3.1) -> OUTDIR/bin/cid_client,
# whose path it prints. A second run with unchanged inputs only prints it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../../../target/mbedtls-cid}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CC=${CC:-gcc}
JOBS=$(nproc 2>/dev/null || echo 2)
CONFIG="$HERE/cid_user_config.h"
LIBFLAGS="-O2 -w" # a change rebuilds the libraries, as does one to $CONFIG

# name version sha256 (the crate's "cksum" in the crates.io index) dir-in-crate
LIB_CRATE=(mbedtls-rs-sys 0.3.1 ed3d6fe75492994df511a63da8de669a0c59938ada3345e3d4756aec095d2ffb mbedtls)

log() { echo "mbedtls-cid: $*" >&2; }

# Serialise concurrent runs (parallel tests) on one OUTDIR.
exec 9>"$OUT/.lock"
flock 9

# fetch NAME VERSION SHA256 -> prints the unpacked crate's directory.
fetch() {
    local name=$1 ver=$2 sum=$3 dir="$OUT/src/$1-$2"
    if [ ! -f "$dir/.unpacked" ]; then
        mkdir -p "$OUT/src"
        local crate="$OUT/src/$name-$ver.crate"
        if [ ! -f "$crate" ] || ! echo "$sum  $crate" | sha256sum -c --quiet - 2>/dev/null; then
            # The download address cargo itself uses: the sparse index's
            # config.json "dl" + /NAME/VERSION/download.
            local dl
            dl=$(curl -fsSL --retry 3 https://index.crates.io/config.json |
                sed -n 's/.*"dl" *: *"\([^"]*\)".*/\1/p') || true
            dl=${dl:-https://static.crates.io/crates}
            log "downloading $name $ver"
            curl -fsSL --retry 3 -o "$crate.part" "$dl/$name/$ver/download"
            echo "$sum  $crate.part" | sha256sum -c --quiet -
            mv "$crate.part" "$crate"
        fi
        rm -rf "$dir"
        tar -xzf "$crate" -C "$OUT/src"
        touch "$dir/.unpacked"
    fi
    echo "$dir"
}

# build_lib TREE TAG -> OUT/lib/libmbedtls-TAG.a (all of library/*.c).
build_lib() {
    local tree=$1 tag=$2 lib="$OUT/lib/libmbedtls-$2.a"
    local key
    key=$( (cat "$CONFIG"; echo "$CC $LIBFLAGS") | sha256sum | cut -c1-16)
    if [ -f "$lib" ] && [ "$(cat "$lib.key" 2>/dev/null)" = "$key" ]; then return; fi
    log "compiling mbedTLS $tag library"
    rm -rf "$OUT/obj-$tag" && mkdir -p "$OUT/obj-$tag" "$OUT/lib"
    (cd "$tree/library" && ls ./*.c) | sed 's|^\./||; s|\.c$||' |
        xargs -P "$JOBS" -I{} "$CC" $LIBFLAGS -I"$tree/include" -I"$tree/library" -I"$HERE" \
            -DMBEDTLS_USER_CONFIG_FILE='"cid_user_config.h"' \
            -c "$tree/library/{}.c" -o "$OUT/obj-$tag/{}.o"
    rm -f "$lib"
    ar rcs "$lib" "$OUT"/obj-"$tag"/*.o
    echo "$key" >"$lib.key"
}

# Does TARGET need building from the given inputs?
stale() {
    local target=$1
    shift
    [ -f "$target" ] || return 0
    for f in "$@"; do [ "$f" -nt "$target" ] && return 0; done
    return 1
}

mkdir -p "$OUT/bin"
tree=$(fetch "${LIB_CRATE[@]:0:3}")/${LIB_CRATE[3]}
build_lib "$tree" 3.6.5
for prog in cid_client; do
    bin="$OUT/bin/$prog"
    if stale "$bin" "$HERE/$prog.c" "$OUT/lib/libmbedtls-3.6.5.a" "$CONFIG"; then
        log "linking $prog"
        "$CC" -O2 -Wall -Wextra -Werror -I"$tree/include" -I"$HERE" \
            -DMBEDTLS_USER_CONFIG_FILE='"cid_user_config.h"' \
            "$HERE/$prog.c" "$OUT/lib/libmbedtls-3.6.5.a" -o "$bin.tmp"
        mv "$bin.tmp" "$bin"
    fi
    echo "$bin"
done
