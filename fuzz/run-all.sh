#!/usr/bin/env bash
# Fuzzes every target for SECONDS (default 600) each, JOBS (default 2) at a time, then
# minimises each corpus. Needs the nightly toolchain and `cargo install cargo-fuzz`.
# Logs go to fuzz/logs/TARGET.log; a crash leaves its input in fuzz/artifacts/TARGET/
# (copy it to fuzz/regressions/TARGET/ with the fix). See docs/RELIABILITY.md.
#
#   fuzz/run-all.sh [SECONDS] [JOBS] [TARGET ...]   (no TARGET: all seven)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-600}
JOBS=${2:-2}
shift $(($# < 2 ? $# : 2))
TARGETS=(orders_csv usage_csv orders_xlsx xlsx_parts parsers catalog tables)
[ $# -gt 0 ] && TARGETS=("$@")
mkdir -p fuzz/logs
cargo +nightly fuzz build
# -rss_limit_mb and -timeout make a blow-up of memory or time a finding, like a crash.
fuzz_one() {
  cargo +nightly fuzz run "$1" -- -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=30 \
    -print_final_stats=1 >"fuzz/logs/$1.log" 2>&1 && echo "$1: nothing found" ||
    echo "$1: FOUND SOMETHING, see fuzz/logs/$1.log"
}
export -f fuzz_one
export SECS
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'fuzz_one {}'
for t in "${TARGETS[@]}"; do
  cargo +nightly fuzz cmin "$t" >>"fuzz/logs/$t.log" 2>&1 || echo "$t: cmin failed"
done
for t in "${TARGETS[@]}"; do
  grep -H "stat::number_of_executed_units\|stat::peak_rss_mb\|cov:" "fuzz/logs/$t.log" | tail -n 4
done | tail -n 40 || true
