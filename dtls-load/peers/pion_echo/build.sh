#!/bin/sh
# Builds the pion/dtls v2 echo server offline, in GOPATH mode, from the
# Debian packages golang-go and golang-github-pion-dtls.v2-dev (as
# tests/tests/interop_pion.rs builds its client).
# Usage: build.sh [OUTPUT]   (default: target/pion_echo under the workspace)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${1:-$root/target/pion_echo}
scratch=$root/target/pion_echo.go
mkdir -p "$scratch" "$(dirname "$out")"
cd "$here"
GO111MODULE=off GOFLAGS= GOPROXY=off \
    GOPATH="/usr/share/gocode:$scratch" GOCACHE="$scratch/cache" \
    go build -o "$out" .
echo "$out"
