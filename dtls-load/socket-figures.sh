#!/usr/bin/env bash
# The socket figures over loopback UDP, side by side: dtls-echo (one and
# two threads), the pion/dtls v2 echo server (peers/pion_echo) and the raw
# UDP echo server (`dtls-load udp-echo-server`, quinn-udp batching as
# dtls-server's), all driven by `dtls-load`. Prints each figure and the
# ratios; the raw JSON lines are kept in $OUT (default target/socket-figures).
#
# Usage: dtls-load/socket-figures.sh          (about 1 minute after the build)
# Knobs (environment): DURATION=5 HS_CLIENTS=64 ECHO_CLIENTS=4 WINDOW=16
#   SIZE=1200 GEN_THREADS=(2 with 4+ cores, else 1) PION=1 (0 skips pion) OUT=dir
#   BASELINE=path/to/another/dtls-echo (say one built from an earlier commit:
#   it runs right after this tree's, one thread, and the ratios are printed)
#   INMEMORY=1 (0 skips): the in-memory server handshake from dtls-bench in
#   the same sitting, for the socket/in-memory ratio (target <= 1.5x)
# Every server gets ECDSA P-256 (one openssl-made certificate), ECDHE
# P-256 and TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256; handshakes are full
# (no resumption). Run it on a quiet machine: server and generator share
# the cores, and the generator's own CPU is printed to show it was not the
# limit.
set -euo pipefail

DURATION=${DURATION:-5}
HS_CLIENTS=${HS_CLIENTS:-64}
ECHO_CLIENTS=${ECHO_CLIENTS:-4}
WINDOW=${WINDOW:-16}
SIZE=${SIZE:-1200}
# The generator spends about what the server does per handshake: give it
# a second thread where there are cores for it.
GEN_THREADS=${GEN_THREADS:-$(( $(nproc) >= 4 ? 2 : 1 ))}
PION=${PION:-1}
BASELINE=${BASELINE:-}
INMEMORY=${INMEMORY:-1}
SUITE=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
OUT=${OUT:-$root/target/socket-figures}
mkdir -p "$OUT"
rm -f "$OUT"/*.json
cd "$root"

echo "== building (release)"
cargo build --release -p dtls-echo -p dtls-load
LOAD=$root/target/release/dtls-load
ECHO=$root/target/release/dtls-echo
PION_BIN=
if [ "$PION" = 1 ]; then
    if command -v go >/dev/null && [ -d /usr/share/gocode/src/github.com/pion/dtls ]; then
        PION_BIN=$("$here/peers/pion_echo/build.sh" "$root/target/pion_echo")
    else
        echo "(no go or golang-github-pion-dtls.v2-dev: skipping pion)"
    fi
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$OUT/key.pem" -out "$OUT/cert.pem" -subj /CN=localhost -days 30 2>/dev/null

SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
}
trap cleanup EXIT

# start NAME COMMAND...: runs a server in the background, waits for its port.
start() {
    local name=$1
    shift
    "$@" >"$OUT/$name.log" 2>&1 &
    SERVER_PID=$!
    sleep 0.5
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "$name did not start:"
        cat "$OUT/$name.log"
        exit 1
    fi
}

# load NAME MODE PORT [ARGS...]: one generator run, JSON lines to $OUT/NAME.json.
load() {
    local name=$1 mode=$2 port=$3
    shift 3
    echo "-- $name"
    "$LOAD" "$mode" --connect "127.0.0.1:$port" --duration "$DURATION" \
        --threads "$GEN_THREADS" --server-pid "$SERVER_PID" --json "$@" | tee "$OUT/$name.json"
}

hs() { load "$1" handshake "$2" --clients "$HS_CLIENTS" --insecure; }
echo_run() { load "$1" echo "$2" --clients "$ECHO_CLIENTS" --window "$WINDOW" --size "$SIZE" --insecure; }

echo_server() {
    echo_server_from "$ECHO" "$@"
}

# echo_server_from BINARY NAME THREADS
echo_server_from() {
    local binary=$1
    shift
    start "$1" "$binary" --bind 127.0.0.1:4444 --threads "$2" --cert "$OUT/cert.pem" \
        --key "$OUT/key.pem" --cipher-suites "$SUITE" --log-level 0 --mtu 1500 \
        --max-half-open-per-source 100000 --max-half-open 100000
}

echo "== dtls-echo, one thread"
echo_server dtls-echo-1 1
hs dtls-echo-1.handshake 4444
echo_run dtls-echo-1.echo 4444
cleanup

if [ -n "$BASELINE" ]; then
    echo "== baseline dtls-echo ($BASELINE), one thread"
    echo_server_from "$BASELINE" baseline-1 1
    hs baseline-1.handshake 4444
    echo_run baseline-1.echo 4444
    cleanup
fi

echo "== raw UDP echo (quinn-udp batching), one thread"
start udp-echo "$LOAD" udp-echo-server --bind 127.0.0.1:5555
load udp-echo udp-echo 5555 --clients "$ECHO_CLIENTS" --window "$WINDOW" --size "$SIZE"
cleanup

echo "== dtls-echo, two threads (SO_REUSEPORT)"
echo_server dtls-echo-2 2
hs dtls-echo-2.handshake 4444
cleanup

if [ "$INMEMORY" = 1 ]; then
    echo "== in memory: dtls-bench --quick --only handshakes"
    cargo build --release -p dtls-bench
    "$root/target/release/dtls-bench" --quick --only handshakes | grep '^{' >"$OUT/in-memory.json"
fi

if [ -n "$PION_BIN" ]; then
    echo "== pion/dtls v2 echo"
    start pion "$PION_BIN" -bind 127.0.0.1:4445 -cert "$OUT/cert.pem" -key "$OUT/key.pem" -mtu 1500
    hs pion.handshake 4445
    echo_run pion.echo 4445
    cleanup
fi

# value FILE NAME: a figure's value from a run's JSON lines ("" if absent).
value() {
    [ -f "$OUT/$1.json" ] || return 0
    awk -v want="\"name\": \"$2\"" 'index($0, want) {
        sub(/.*"value": /, ""); sub(/,.*/, ""); print; exit }' "$OUT/$1.json"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
row() { printf '%-44s %14s %s\n' "$1" "${2:--}" "$3"; }

echo
echo "== socket figures (loopback; ${DURATION}s runs; generator threads: $GEN_THREADS)"
row "dtls-echo handshakes/s, $HS_CLIENTS clients, 1 thread" "$(value dtls-echo-1.handshake handshake.rate)" "handshakes/s"
row "dtls-echo server CPU per handshake" "$(value dtls-echo-1.handshake handshake.server_cpu_per_handshake)" "us"
row "  generator CPU during it" "$(value dtls-echo-1.handshake handshake.generator_cpu)" "cores"
if [ "$INMEMORY" = 1 ]; then
    row "  in-memory server handshake (dtls-bench)" "$(value in-memory server_handshake_us)" "us"
    row "  over UDP / in memory (target <= 1.5)" "$(ratio "$(value dtls-echo-1.handshake handshake.server_cpu_per_handshake)" "$(value in-memory server_handshake_us)")" "x"
fi
row "  generator CPU per handshake" "$(value dtls-echo-1.handshake handshake.generator_cpu_per_handshake)" "us"
row "  failed handshakes" "$(value dtls-echo-1.handshake handshake.handshakes_failed)" ""
row "dtls-echo handshakes/s, 2 threads" "$(value dtls-echo-2.handshake handshake.rate)" "handshakes/s"
row "  scaling 1 -> 2 threads" "$(ratio "$(value dtls-echo-2.handshake handshake.rate)" "$(value dtls-echo-1.handshake handshake.rate)")" "x"
row "  generator CPU during it" "$(value dtls-echo-2.handshake handshake.generator_cpu)" "cores"
row "dtls-echo echo, $SIZE B records, 1 thread" "$(value dtls-echo-1.echo echo.throughput)" "MB/s"
row "  server CPU" "$(value dtls-echo-1.echo echo.server_cpu)" "cores"
row "  generator CPU" "$(value dtls-echo-1.echo echo.generator_cpu)" "cores"
if [ -n "$BASELINE" ]; then
    row "baseline handshakes/s, 1 thread" "$(value baseline-1.handshake handshake.rate)" "handshakes/s"
    row "baseline server CPU per handshake" "$(value baseline-1.handshake handshake.server_cpu_per_handshake)" "us"
    row "  this tree / baseline, handshakes/s" "$(ratio "$(value dtls-echo-1.handshake handshake.rate)" "$(value baseline-1.handshake handshake.rate)")" "x"
    row "baseline echo, $SIZE B records" "$(value baseline-1.echo echo.throughput)" "MB/s"
    row "  server CPU" "$(value baseline-1.echo echo.server_cpu)" "cores"
    row "  this tree / baseline, echo" "$(ratio "$(value dtls-echo-1.echo echo.throughput)" "$(value baseline-1.echo echo.throughput)")" "x"
fi
row "raw UDP echo, $SIZE B datagrams" "$(value udp-echo udp-echo.throughput)" "MB/s"
row "  server CPU" "$(value udp-echo udp-echo.server_cpu)" "cores"
row "  generator CPU" "$(value udp-echo udp-echo.generator_cpu)" "cores"
row "  dtls-echo / raw UDP" "$(ratio "$(value dtls-echo-1.echo echo.throughput)" "$(value udp-echo udp-echo.throughput)")" "x"
if [ -n "$PION_BIN" ]; then
    row "pion handshakes/s, $HS_CLIENTS clients" "$(value pion.handshake handshake.rate)" "handshakes/s"
    row "pion server CPU per handshake" "$(value pion.handshake handshake.server_cpu_per_handshake)" "us"
    row "  pion / dtls-echo CPU per handshake" "$(ratio "$(value pion.handshake handshake.server_cpu_per_handshake)" "$(value dtls-echo-1.handshake handshake.server_cpu_per_handshake)")" "x"
    row "pion echo, $SIZE B records" "$(value pion.echo echo.throughput)" "MB/s"
    row "  server CPU" "$(value pion.echo echo.server_cpu)" "cores"
    row "  dtls-echo / pion echo" "$(ratio "$(value dtls-echo-1.echo echo.throughput)" "$(value pion.echo echo.throughput)")" "x"
fi
# busy NAME MODE: warns when the generator used nearly all its threads.
busy() {
    local cores
    cores=$(value "$1" "$2.generator_cpu")
    if awk -v c="$cores" -v t="$GEN_THREADS" 'BEGIN { exit !(c != "" && c > 0.85 * t) }'; then
        echo "warning: $1: the generator used $cores cores of $GEN_THREADS thread(s): it may be the limit (GEN_THREADS=...)"
    fi
}
busy dtls-echo-1.handshake handshake
busy dtls-echo-2.handshake handshake
busy dtls-echo-1.echo echo
busy udp-echo udp-echo
echo "(raw lines: $OUT/*.json)"
