#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), on stable Rust.
#
#   fuzz/run.sh [SECONDS]        JOBS=2 fuzz/run.sh 3600
#
# Builds the targets with libFuzzer's coverage instrumentation and
# `--cfg fuzzing` (null record protection and a constant PRF in
# dtls-crypto, so inputs reach every state behind the MACs), records the
# seed corpora (`record_corpus`), then runs each target on its corpus in
# fuzz/corpus/<target> (kept between runs). Crashes land in
# fuzz/artifacts/<target>/; the script exits non-zero if any target found
# one. The last lines are a table: executions, coverage, corpus size.
#
# JOBS: targets run at once (default 1). TARGETS: a space-separated subset.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-60}
jobs=${JOBS:-1}
all="server_endpoint client_connection record_parse handshake_payload reassembler config_string certificate_store"
targets=${TARGETS:-$all}

# The seed recorder, built with `--cfg fuzzing` only: it is not a libFuzzer
# binary, and the coverage instrumentation would need libFuzzer's runtime.
host=$(rustc -vV | sed -n 's/^host: //p')
RUSTFLAGS="--cfg fuzzing" CARGO_TARGET_DIR="$PWD/target/corpus" \
  cargo build --release --bin record_corpus --target "$host"
"target/corpus/$host/release/record_corpus" corpus-seed >/dev/null

# The flags cargo-fuzz passes, minus the sanitizer (ours is safe Rust):
# edge coverage with inline counters, comparison tracing, and the checks
# of a debug build (overflow, debug assertions) in an optimised one. The
# explicit --target keeps them off build scripts and proc macros.
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares \
 -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR="$PWD/target/run"
bins=()
for t in $targets; do bins+=(--bin "$t"); done
cargo build --release "${bins[@]}" --target "$host"
bin="$CARGO_TARGET_DIR/$host/release"

mkdir -p corpus-seed/config_string corpus-seed/certificate_store
printf 'MaxConnections=1\nMaxConnections\nSSLEnabledCipherSuites=TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\nTLS12SupportedGroups=secp256r1,x25519\nDefaultIdleTimeout=18446744073709551615\nLogLevel=3\nSSLNegotiatedCipher[1]\n' \
  > corpus-seed/config_string/seed-settings
if command -v openssl >/dev/null; then
  scratch=$(mktemp -d)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=fuzz \
    -keyout "$scratch/key.pem" -out "$scratch/cert.pem" -days 30 2>/dev/null
  openssl pkcs12 -export -inkey "$scratch/key.pem" -in "$scratch/cert.pem" \
    -passout pass:changeit -out "$scratch/store.pfx" 2>/dev/null
  { printf '\x80'; cat "$scratch/store.pfx"; } > corpus-seed/certificate_store/pfx
  { printf '\x02'; cat "$scratch/key.pem" "$scratch/cert.pem"; } > corpus-seed/certificate_store/pem-key
  { printf '\x03'; openssl x509 -in "$scratch/cert.pem" -outform der; } > corpus-seed/certificate_store/der
  rm -rf "$scratch"
fi

run_one() {
  local t=$1
  mkdir -p "corpus/$t" "artifacts/$t"
  local seeds=()
  [ -d "corpus-seed/$t" ] && seeds=("corpus-seed/$t")
  "$bin/$t" "corpus/$t" "${seeds[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
    > "artifacts/$t.log" 2>&1 || true
}

running=0
for t in $targets; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

failed=0
printf '%-20s %12s %8s %8s %8s %s\n' target executions cov ft corpus crashes
for t in $targets; do
  log="artifacts/$t.log"
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo 0)
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo 0)
  corp=$(ls "corpus/$t" | wc -l)
  crashes=$(find "artifacts/$t" -type f | wc -l)
  printf '%-20s %12s %8s %8s %8s %s\n' "$t" "${runs:-0}" "${cov:-0}" "${ft:-0}" "$corp" "$crashes"
  if [ "$crashes" -gt 0 ] || grep -q -E '^==[0-9]+== ERROR|panicked at' "$log"; then
    failed=1
    echo "  $t: see $log and artifacts/$t/" >&2
  fi
done
exit $failed
