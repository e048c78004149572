#!/usr/bin/env bash
# billrun throughput benchmark (issue 6): one command, one generated data set, three
# measurements, a PASS/FAIL per target, and docs/PERFORMANCE.md with the figures.
#
#   bench/run.sh            full run: 1,000,000 orders + 2,000,000 usage rows (CSV) and
#                           200,000 orders (XLSX); writes docs/PERFORMANCE.md
#   bench/run.sh --quick    20,000 + 40,000 (CSV) and 4,000 (XLSX), under a minute; writes
#                           DIR/PERFORMANCE-quick.md instead (smoke test)
#
# Options: --dir DIR (scratch folder, default target/bench), --runs N (alternating runs of
# end-to-end and floor, medians reported; default 1), --repeat N (pricing runs per thread
# count, default 5), --perf (also profile the CSV run with `perf` and add where its time
# goes), --doc FILE (where to write the report).
#
# What is measured (details in docs/PERFORMANCE.md):
#   (a) `billrun run` end to end on the CSV set and on the XLSX set (/usr/bin/time -v: wall,
#       peak RSS);
#   (b) the I/O floor of the same jobs: examples/bench_floor reads the same inputs and writes
#       the same number of cells, sheet by sheet, as that run wrote (counted from its
#       workbooks), at billrun's zip level, pricing nothing;
#   (c) pricing alone on 1 and 2 threads: examples/bench_pricing, medians of --repeat runs
#       (default 5: a run varies by ±10% on a shared machine).
# Targets: end to end <= 1.5 x floor; peak memory < 2 GB for the 1M run; pricing >= 1.6 x
# faster on 2 threads than on 1.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=0
DIR=target/bench
RUNS=1
REPEAT=
PERF=0
DOC=
ARGS="$*"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --dir) DIR=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --perf) PERF=1 ;;
    --doc) DOC=$2; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then
  ORDERS=20000; USAGE=40000; XLSX_ORDERS=4000; REPEAT=${REPEAT:-1}
  DOC=${DOC:-$DIR/PERFORMANCE-quick.md}
else
  ORDERS=1000000; USAGE=2000000; XLSX_ORDERS=200000; REPEAT=${REPEAT:-5}
  DOC=${DOC:-docs/PERFORMANCE.md}
fi
AS_OF=2026-01-31
SEED=1
MEM_LIMIT_KB=1953125   # 2 GB = 2,000,000,000 bytes, in the KiB /usr/bin/time reports

[ -x /usr/bin/time ] || { echo "bench/run.sh: needs /usr/bin/time (GNU time)" >&2; exit 2; }

echo "== building (release)"
cargo build --release --quiet --bin billrun --example bench_floor --example bench_pricing
BIN=target/release/billrun
FLOOR=target/release/examples/bench_floor
PRICING=target/release/examples/bench_pricing

rm -rf "$DIR"
mkdir -p "$DIR"

# Seconds of wall clock and peak RSS (KiB) from a `/usr/bin/time -v` report.
wall_of() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1"; }
rss_of() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
# `key value` lines printed by the examples.
val() { awk -v k="$2" '$1==k {print $2}' "$1"; }
# A count from `billrun run --json`.
json_count() { grep "\"$2\"" "$1" | head -1 | tr -dc '0-9'; }
calc() { awk "BEGIN {printf \"%.${2:-2}f\", $1}"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# Runs a command under /usr/bin/time -v: NAME.out (stdout), NAME.time (the report).
measure() {
  local name=$1; shift
  if ! /usr/bin/time -v "$@" >"$DIR/$name.out" 2>"$DIR/$name.time"; then
    echo "bench/run.sh: failed: $*" >&2
    tail -20 "$DIR/$name.time" >&2
    exit 1
  fi
}

echo "== generating $ORDERS orders + $USAGE usage rows (CSV), $XLSX_ORDERS orders (XLSX)"
measure gen-csv "$BIN" gen --orders "$ORDERS" --usage "$USAGE" --seed "$SEED" --out "$DIR/csv" --quiet
measure gen-xlsx "$BIN" gen --orders "$XLSX_ORDERS" --format xlsx --seed "$SEED" --out "$DIR/xlsx" --quiet
GEN_CSV_S=$(wall_of "$DIR/gen-csv.time")
GEN_XLSX_S=$(wall_of "$DIR/gen-xlsx.time")

# (a) and (b), alternating when --runs > 1 so that drifts in the machine hit both alike.
declare -A WALLS RSS FREAD FWRITE
for set in csv xlsx; do
  WALLS[run-$set]=""; WALLS[floor-$set]=""; RSS[run-$set]=0; RSS[floor-$set]=0
  FREAD[$set]=""; FWRITE[$set]=""
done
for i in $(seq 1 "$RUNS"); do
  for set in csv xlsx; do
    echo "== run $i/$RUNS: billrun run ($set)"
    measure "run-$set" "$BIN" run "$DIR/$set" --out "$DIR/out-$set" --as-of "$AS_OF" --quiet --json
    WALLS[run-$set]+=" $(wall_of "$DIR/run-$set.time")"
    r=$(rss_of "$DIR/run-$set.time"); [ "$r" -gt "${RSS[run-$set]}" ] && RSS[run-$set]=$r
    if [ "$i" = 1 ]; then
      echo "== counting the cells billrun wrote ($set)"
      "$FLOOR" shape "$DIR/out-$set" >"$DIR/shape-$set.txt"
    fi
    files=()
    for f in "$DIR/$set"/orders*; do files+=(--orders "$f"); done
    for f in "$DIR/$set"/usage*; do [ -e "$f" ] && files+=(--usage "$f"); done
    echo "== run $i/$RUNS: I/O floor ($set)"
    measure "floor-$set" "$FLOOR" run "${files[@]}" --shape "$DIR/shape-$set.txt" --out "$DIR/floor-$set"
    WALLS[floor-$set]+=" $(wall_of "$DIR/floor-$set.time")"
    FREAD[$set]+=" $(val "$DIR/floor-$set.out" read_s)"
    FWRITE[$set]+=" $(val "$DIR/floor-$set.out" write_s)"
    r=$(rss_of "$DIR/floor-$set.time"); [ "$r" -gt "${RSS[floor-$set]}" ] && RSS[floor-$set]=$r
  done
done

echo "== pricing alone, 1 and 2 threads ($REPEAT run(s) each)"
measure pricing "$PRICING" "$DIR/csv" --as-of "$AS_OF" --repeat "$REPEAT"

PROFILE=""
if [ "$PERF" = 1 ]; then
  if command -v perf >/dev/null; then
    echo "== profiling billrun run (csv) with perf"
    perf record -F 499 -o "$DIR/perf.data" -- "$BIN" run "$DIR/csv" --out "$DIR/out-perf" \
      --as-of "$AS_OF" --quiet >/dev/null 2>"$DIR/perf-record.log" || true
    perf report -i "$DIR/perf.data" --no-children --sort symbol --stdio 2>/dev/null \
      | awk '/^ *[0-9.]+%/ {print}' | sed -E 's/([[:space:]]+-)+[[:space:]]*$//' >"$DIR/perf-symbols.txt" || true
    # Group the self time by what the code does.
    PROFILE=$(awk '
      { p=$1; sub("%","",p); kern=($0 ~ /\[k\]/); s=$0; sub(/^ *[0-9.]+% +\[[^]]*\] +/, "", s)
        c="other"
        if (kern) c="kernel (I/O, page faults)"
        else if (s ~ /miniz|deflate|inflate|zlib|crc32|adler|flate/) c="zip deflate (writing xlsx)"
        else if (s ~ /rust_xlsxwriter/) c="rust_xlsxwriter (xml of the sheets)"
        else if (s ~ /calamine|quick_xml/) c="calamine (reading xlsx)"
        else if (s ~ /csv_core|csv::/) c="csv (reading)"
        else if (s ~ /billrun::engine|billrun::rules|billrun::reconcile/) c="billrun pricing (engine, rules)"
        else if (s ~ /billrun::input/) c="billrun readers"
        else if (s ~ /billrun::output/) c="billrun writers"
        else if (s ~ /rust_decimal/) c="rust_decimal"
        else if (s ~ /malloc|free|realloc|memcpy|memmove|memset|alloc::|cfree|_int_/) c="allocation and copying"
        else if (s ~ /core::fmt|ryu|itoa|float_to|fmt::/) c="formatting numbers and text"
        else if (s ~ /sort|merge|quicksort|hash|Hash|BTree/) c="sorting, hashing, maps"
        t[c]+=p }
      END { for (c in t) printf "| %s | %.1f%% |\n", c, t[c] }' "$DIR/perf-symbols.txt" | sort -t'|' -k3 -gr)
    TOP=$(head -15 "$DIR/perf-symbols.txt" | sed 's/^ */    /')
  else
    echo "bench/run.sh: perf not found; --perf ignored" >&2
  fi
fi

# ------------------------------------------------------------------------------ figures
ROWS_CSV=$(json_count "$DIR/run-csv.out" rows_read)
ROWS_XLSX=$(json_count "$DIR/run-xlsx.out" rows_read)
LINES_CSV=$(json_count "$DIR/run-csv.out" lines)
EXC_CSV=$(json_count "$DIR/run-csv.out" exceptions)
E2E_CSV=$(echo "${WALLS[run-csv]}" | median)
E2E_XLSX=$(echo "${WALLS[run-xlsx]}" | median)
FLOOR_CSV=$(echo "${WALLS[floor-csv]}" | median)
FLOOR_XLSX=$(echo "${WALLS[floor-xlsx]}" | median)
RSS_CSV=${RSS[run-csv]}
RSS_XLSX=${RSS[run-xlsx]}
FRSS_CSV=${RSS[floor-csv]}
FRSS_XLSX=${RSS[floor-xlsx]}
CELLS_CSV=$(val "$DIR/floor-csv.out" cells_written)
CELLS_XLSX=$(val "$DIR/floor-xlsx.out" cells_written)
STYLED_CSV=$(val "$DIR/floor-csv.out" formatted_cells)
ZIP=$(val "$DIR/floor-csv.out" zip_level)
FREAD_CSV=$(echo "${FREAD[csv]}" | median)
FWRITE_CSV=$(echo "${FWRITE[csv]}" | median)
FREAD_XLSX=$(echo "${FREAD[xlsx]}" | median)
FWRITE_XLSX=$(echo "${FWRITE[xlsx]}" | median)
runs_of() { echo "$1" | sed 's/^ *//; s/ /, /g'; }
P_READ=$(val "$DIR/pricing.out" read_s)
P1=$(val "$DIR/pricing.out" price_1t_s)
P2=$(val "$DIR/pricing.out" price_2t_s)
P1_RUNS=$(val "$DIR/pricing.out" price_1t_runs)
P2_RUNS=$(val "$DIR/pricing.out" price_2t_runs)
SPEEDUP=$(val "$DIR/pricing.out" speedup)
P_ROWS=$(val "$DIR/pricing.out" rows_read)

RATIO_CSV=$(calc "$E2E_CSV / $FLOOR_CSV")
RATIO_XLSX=$(calc "$E2E_XLSX / $FLOOR_XLSX")
RPS_E2E_CSV=$(calc "$ROWS_CSV / $E2E_CSV" 0)
RPS_E2E_XLSX=$(calc "$ROWS_XLSX / $E2E_XLSX" 0)
RPS_FLOOR_CSV=$(calc "$ROWS_CSV / $FLOOR_CSV" 0)
RPS_FLOOR_XLSX=$(calc "$ROWS_XLSX / $FLOOR_XLSX" 0)
RPS_P1=$(calc "$P_ROWS / $P1" 0)
RPS_P2=$(calc "$P_ROWS / $P2" 0)
MB() { calc "$1 / 1024" 0; }

verdict() { awk "BEGIN {exit !($1)}" && echo PASS || echo FAIL; }
T_RATIO_CSV=$(verdict "$RATIO_CSV <= 1.5")
T_RATIO_XLSX=$(verdict "$RATIO_XLSX <= 1.5")
T_MEM=$(verdict "$RSS_CSV < $MEM_LIMIT_KB")
T_SPEED=$(verdict "$SPEEDUP >= 1.6")

NPROC=$(nproc)
MEM_TOTAL=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
KERNEL=$(uname -sr)
RUSTC=$(rustc --version)
DATE=$(date -u +"%Y-%m-%d %H:%M UTC")
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || COMMIT="$COMMIT + uncommitted changes"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

cat <<EOF

billrun benchmark  ($DATE, $NPROC cores, $MEM_TOTAL)
                               wall s   rows/s      peak RSS
  (a) billrun run, CSV         $E2E_CSV   $RPS_E2E_CSV   $(MB "$RSS_CSV") MiB   ($ROWS_CSV rows)
  (a) billrun run, XLSX        $E2E_XLSX   $RPS_E2E_XLSX   $(MB "$RSS_XLSX") MiB   ($ROWS_XLSX rows)
  (b) I/O floor, CSV           $FLOOR_CSV   $RPS_FLOOR_CSV   $(MB "$FRSS_CSV") MiB   (read $FREAD_CSV s, write $FWRITE_CSV s, $CELLS_CSV cells)
  (b) I/O floor, XLSX          $FLOOR_XLSX   $RPS_FLOOR_XLSX   $(MB "$FRSS_XLSX") MiB   (read $FREAD_XLSX s, write $FWRITE_XLSX s, $CELLS_XLSX cells)
  (c) pricing, 1 thread        $P1   $RPS_P1
  (c) pricing, 2 threads       $P2   $RPS_P2
  end to end / floor: CSV $RATIO_CSV, XLSX $RATIO_XLSX;  2-thread speedup $SPEEDUP

  $T_RATIO_CSV  end to end within 1.5 x the I/O floor, CSV ($RATIO_CSV)
  $T_RATIO_XLSX  end to end within 1.5 x the I/O floor, XLSX ($RATIO_XLSX)
  $T_MEM  peak memory under 2 GB for the $ORDERS-order run ($(MB "$RSS_CSV") MiB)
  $T_SPEED  pricing at least 1.6 x faster on 2 threads than on 1 ($SPEEDUP)
EOF

mkdir -p "$(dirname "$DOC")"
{
cat <<EOF
# Performance

Measured by the benchmark in the repository; rerun it with one command:

\`\`\`sh
bench/run.sh            # full run (several minutes), rewrites this file
bench/run.sh --quick    # smoke test in under a minute (writes target/bench/PERFORMANCE-quick.md)
\`\`\`

This file was written by \`bench/run.sh $ARGS\` on $DATE, commit $COMMIT.

## Machine

| | |
|---|---|
| cores (\`nproc\`) | $NPROC |
| memory | $MEM_TOTAL |
| CPU | $CPU |
| system | $KERNEL |
| compiler | $RUSTC |
| load average when done | $LOAD |

## Data

Generated by \`billrun gen --seed $SEED\` (deterministic: the same command gives the same bytes):

- CSV set: $ORDERS order rows + $USAGE usage rows (\`gen --orders $ORDERS --usage $USAGE\`), generated in $GEN_CSV_S s;
- XLSX set: $XLSX_ORDERS order rows (\`gen --orders $XLSX_ORDERS --format xlsx\`), generated in $GEN_XLSX_S s.

Both have 1% deliberately bad rows and the mix of every SKU and event described in
\`src/gen/mod.rs\`. Runs use \`--as-of $AS_OF\`. The CSV run priced $LINES_CSV lines and
listed $EXC_CSV exceptions.

## Results

Wall clock and peak resident memory from \`/usr/bin/time -v\`, whole processes; medians of
$RUNS alternating run(s) of (a) and (b), $REPEAT run(s) per thread count of (c).

| measurement | wall (s) | rows/s | peak memory |
|---|---:|---:|---:|
| (a) \`billrun run\`, CSV set ($ROWS_CSV rows; runs: $(runs_of "${WALLS[run-csv]}")) | $E2E_CSV | $RPS_E2E_CSV | $(MB "$RSS_CSV") MiB |
| (a) \`billrun run\`, XLSX set ($ROWS_XLSX rows; runs: $(runs_of "${WALLS[run-xlsx]}")) | $E2E_XLSX | $RPS_E2E_XLSX | $(MB "$RSS_XLSX") MiB |
| (b) I/O floor, CSV set: read $FREAD_CSV s + write $FWRITE_CSV s, $CELLS_CSV cells (runs: $(runs_of "${WALLS[floor-csv]}")) | $FLOOR_CSV | $RPS_FLOOR_CSV | $(MB "$FRSS_CSV") MiB |
| (b) I/O floor, XLSX set: read $FREAD_XLSX s + write $FWRITE_XLSX s, $CELLS_XLSX cells (runs: $(runs_of "${WALLS[floor-xlsx]}")) | $FLOOR_XLSX | $RPS_FLOOR_XLSX | $(MB "$FRSS_XLSX") MiB |
| (c) pricing alone, 1 thread (runs: $(echo "$P1_RUNS" | sed 's/,/, /g')) | $P1 | $RPS_P1 | |
| (c) pricing alone, 2 threads (runs: $(echo "$P2_RUNS" | sed 's/,/, /g')) | $P2 | $RPS_P2 | |

- end to end / I/O floor: **$RATIO_CSV** (CSV), **$RATIO_XLSX** (XLSX)
- pricing speedup on 2 threads: **$SPEEDUP**

## Targets (issue 6)

| target | measured | |
|---|---|---|
| end to end within 1.5 × the I/O floor (CSV, 1M orders) | $RATIO_CSV × | **$T_RATIO_CSV** |
| end to end within 1.5 × the I/O floor (XLSX, 200k orders) | $RATIO_XLSX × | **$T_RATIO_XLSX** |
| peak memory under 2 GB for the 1M run | $(MB "$RSS_CSV") MiB | **$T_MEM** |
| pricing ≥ 1.6 × faster on 2 threads than on 1 | $SPEEDUP × | **$T_SPEED** |

## Where the time goes (CSV run)

From the measurements above: billrun's own reading of the inputs took $P_READ s (in
\`bench_pricing\`, order and usage files side by side; the floor reads the same files in
$FREAD_CSV s one after the other, keeping nothing). Pricing alone takes $P2 s on 2 threads,
but in \`billrun run\` it overlaps the writing: each batch of about 100,000 rows of
accounts is priced while the lines of the batch before go to the Lines sheet, and
refunds.xlsx is written while invoices.xlsx is compressed. What the run adds to the floor
is mostly its formulas (live formulas with cached values where the floor writes plain
numbers) and the reading; the floor writes the same number of cells in $FWRITE_CSV s.
EOF
if [ -n "$PROFILE" ]; then
cat <<EOF

Self time of \`billrun run\` on the CSV set by component (\`perf record\`, sampled at 499 Hz;
\`--perf\`):

| component | share of samples |
|---|---:|
$PROFILE

Hottest symbols:

\`\`\`
$TOP
\`\`\`
EOF
fi
cat <<EOF

## What is measured

- **(a) end to end**: \`billrun run DIR --out OUT --as-of $AS_OF --quiet --json\`, from
  process start to exit: reading, pricing, writing \`invoices.xlsx\` and \`refunds.xlsx\`.
- **(b) the I/O floor**: \`examples/bench_floor.rs\`, the least work the same job needs with
  the same libraries. It reads the same input files (csv crate / calamine's streaming cell
  reader), parsing dates, amounts (to \`Decimal\`), quantities, discounts and terms with
  billrun's own parsers and keeping nothing; then writes two workbooks with
  rust_xlsxwriter constant-memory worksheets at billrun's zip level ($ZIP) holding, sheet by
  sheet and column by column, as many text and number cells as billrun wrote (counted from
  billrun's workbooks by \`bench_floor shape\`), text of the same mean length, with a cell
  format on as many of them as billrun formatted ($STYLED_CSV in the CSV run: amounts, dates,
  headers). Where billrun writes a live formula with its cached value, the floor writes a
  plain number, so the cost of formulas counts against billrun. It prices nothing.
- **(c) pricing alone**: \`examples/bench_pricing.rs\` reads the CSV set once with billrun's
  readers, then times \`commands::inputs::price_with\` (grouping by account, the per-account
  replay in a rayon pool of 1 or 2 threads, sorting, totals and the row-conservation check:
  everything \`billrun run\` does between reading and writing), alternating 1 and 2 threads.
- Peak memory is the process's maximum resident set size. The 2 GB target applies to the
  1M-order CSV run; \`bench_pricing\` holds two copies of the inputs and is not measured
  against it.
- Timings move with whatever else the machine runs: the load average above says how busy
  it was. Use \`--runs 3\` for medians of three alternating runs.
EOF
} >"$DOC"
echo
echo "wrote $DOC"
