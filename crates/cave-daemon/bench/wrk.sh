#!/usr/bin/env bash
# Load figures for cave-daemon builds side by side: wrk against /healthz and /metrics of each
# binary in turn (rounds alternate the binaries, so machine noise hits all alike), then the
# medians of requests/s and p99 latency, and the peak RSS the daemon reached.
#
#   crates/cave-daemon/bench/wrk.sh before=/path/to/old/cave-daemon after=target/release/cave-daemon
#
# Needs wrk (Debian: apt-get install wrk). ROUNDS (default 5), SECONDS_PER_RUN (default 5),
# CONNECTIONS (default 32) and THREADS (default 2) tune the load.
set -euo pipefail
rounds="${ROUNDS:-5}"
seconds="${SECONDS_PER_RUN:-5}"
connections="${CONNECTIONS:-32}"
threads="${THREADS:-2}"
command -v wrk >/dev/null || { echo "error: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ "$#" -ge 1 ] || { echo "usage: $0 NAME=BINARY..." >&2; exit 2; }
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
# The webhook needs a secret to be healthy; the load never signs anything with it.
secret="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

# Starts BINARY on a free port; sets pid and url.
start() {
  rm -f "$work/audit.jsonl" "$work/audit.jsonl.lock"
  BKG_WEBHOOK_SECRET="$secret" "$1" serve --bind 127.0.0.1:0 --audit-log "$work/audit.jsonl" \
    >"$work/out" 2>/dev/null &
  pid=$!
  for _ in $(seq 100); do
    url="$(sed -n 's/^cave-daemon listening on //p' "$work/out")"
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  echo "error: $1 did not start" >&2
  exit 1
}

# wrk's requests/s and p99 (in ms) for URL.
load() {
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$1" >"$work/wrk"
  rps="$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk")"
  p99="$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' "$work/wrk")"
  echo "$rps $p99"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for round in $(seq "$rounds"); do
  for pair in "$@"; do
    name="${pair%%=*}"
    bin="${pair#*=}"
    start "$bin"
    for path in healthz metrics; do
      read -r rps p99 < <(load "$url/$path")
      echo "$rps" >>"$work/$name.$path.rps"
      echo "$p99" >>"$work/$name.$path.p99"
    done
    awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" >>"$work/$name.rss"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
  done
  echo "round $round of $rounds done" >&2
done

printf '%-10s %-8s %12s %10s %12s\n' build path "requests/s" "p99 ms" "peak RSS KiB"
for pair in "$@"; do
  name="${pair%%=*}"
  rss="$(median <"$work/$name.rss")"
  for path in healthz metrics; do
    printf '%-10s %-8s %12.0f %10.2f %12s\n' "$name" "/$path" \
      "$(median <"$work/$name.$path.rps")" "$(median <"$work/$name.$path.p99")" "$rss"
  done
done
