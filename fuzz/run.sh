#!/usr/bin/env bash
# Runs every cargo-fuzz target of the workspace (fuzz/ and crates/cave-daemon/fuzz/) for
# FUZZ_SECONDS each (default 60), one after the other; `cargo xtask run fuzz` calls this.
# cargo-fuzz needs a nightly toolchain: without one this says so and fails, it never
# reports targets as fuzzed that were not. Corpora and logs stay in target/xtask/fuzz/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${FUZZ_SECONDS:-60}"
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "error: no nightly toolchain, so nothing was fuzzed: cargo-fuzz builds with -Z flags (rustup toolchain install nightly)" >&2
  exit 1
fi
status=0
for dir in fuzz crates/cave-daemon/fuzz; do
  for target in $(cd "$dir" && cargo +nightly fuzz list); do
    corpus="$root/target/xtask/fuzz/corpus/$target"
    log="$root/target/xtask/fuzz/$target.log"
    mkdir -p "$corpus"
    echo "== $target ($dir) for ${seconds}s"
    if ! (cd "$dir" && cargo +nightly fuzz run "$target" "$corpus" -- -max_total_time="$seconds" \
      -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1); then
      tail -n 40 "$log"
      echo "error: $target failed; the input is under $dir/artifacts/$target/, the log in $log" >&2
      status=1
      continue
    fi
    grep -E '^#[0-9]+ +DONE' "$log" | tail -n 1
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log"
  done
done
exit "$status"
