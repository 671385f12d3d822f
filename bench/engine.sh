#!/usr/bin/env bash
# Engine throughput: one seeder and one leecher move a torrent over loopback, ours against
# libtorrent (uTP and encryption off) in the same run. Prints MiB/s, CPU seconds per GiB and ratios.
# Usage: bench/engine.sh [SIZE_MIB] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-1024}
ROUNDS=${2:-3}
WORK=/dev/shm/eziopxe-bench-engine   # tmpfs: the benchmark measures the engines, not the disk
LT=tests/interop/libtorrent_peer.py
BENCH=bench/EzioPxe.Bench/bin/Release/net10.0/eziopxe-bench
rm -rf "$WORK"; mkdir -p "$WORK/seed/content"
trap 'rm -rf "$WORK"; kill $(jobs -p) 2>/dev/null || true' EXIT

dotnet build bench/EzioPxe.Bench -c Release --nologo -v quiet -clp:NoSummary >/dev/null
# Four files, the last one not a multiple of the piece size.
for i in 0 1 2; do head -c $((SIZE_MIB / 4 * 1048576)) /dev/urandom > "$WORK/seed/content/part$i.bin"; done
head -c $((SIZE_MIB / 4 * 1048576 - 12345)) /dev/urandom > "$WORK/seed/content/part3.bin"
mktorrent -l 22 -o "$WORK/content.torrent" "$WORK/seed/content" >/dev/null   # 4 MiB pieces
TOTAL=$(du -cb "$WORK"/seed/content/* | tail -1 | cut -f1)

# run_pair NAME SEED_CMD... -- LEECH_CMD...: prints "wall cpu" of one transfer (CPU of both processes).
field() { awk -v k="$2" '{for(i=1;i<=NF;i++) if($i==k){print $(i+1); exit}}' <<<"$1"; }
run_ours() {
  local port=$((20000 + RANDOM % 20000))
  rm -rf "$WORK/leech"
  "$BENCH" seed "$WORK/content.torrent" "$WORK/seed" --listen "127.0.0.1:$port" --until-uploaded "$TOTAL" > "$WORK/seed.out" &
  local seed=$!
  until grep -q listening "$WORK/seed.out"; do sleep 0.05; done
  local leech_out; leech_out=$("$BENCH" leech "$WORK/content.torrent" "$WORK/leech" --peer "127.0.0.1:$port" | grep '^done')
  wait $seed
  local seed_out; seed_out=$(grep '^done' "$WORK/seed.out")
  cmp -s "$WORK/seed/content/part1.bin" "$WORK/leech/content/part1.bin" || { echo "ours: data differs" >&2; exit 1; }
  echo "$(field "$leech_out" done) $(echo "$(field "$leech_out" cpu) + $(field "$seed_out" cpu)" | bc)"
}
run_libtorrent() {
  local port=$((20000 + RANDOM % 20000))
  rm -rf "$WORK/leech"
  /usr/bin/python3 "$LT" seed "$WORK/content.torrent" "$WORK/seed" --port "$port" --until-uploaded "$TOTAL" --timeout 600 > "$WORK/seed.out" &
  local seed=$!
  until grep -q listening "$WORK/seed.out"; do sleep 0.05; done
  local leech_out; leech_out=$(/usr/bin/python3 "$LT" leech "$WORK/content.torrent" "$WORK/leech" --port 0 --peer "127.0.0.1:$port" --timeout 600 | grep '^done')
  wait $seed
  local seed_out; seed_out=$(grep '^done' "$WORK/seed.out")
  cmp -s "$WORK/seed/content/part1.bin" "$WORK/leech/content/part1.bin" || { echo "libtorrent: data differs" >&2; exit 1; }
  echo "$(field "$leech_out" done) $(echo "$(field "$leech_out" cpu) + $(field "$seed_out" cpu)" | bc)"
}

echo "engine: $((TOTAL / 1048576)) MiB over loopback, 4 MiB pieces, $ROUNDS rounds each, alternating"
printf '%-12s %8s %10s %12s\n' engine round "MiB/s" "CPU s/GiB"
declare -A best_rate best_cpu
for round in $(seq 1 "$ROUNDS"); do
  for engine in ours libtorrent; do
    read -r wall cpu < <(run_$engine)
    rate=$(echo "scale=1; $TOTAL / 1048576 / $wall" | bc)
    cpg=$(echo "scale=2; $cpu * 1073741824 / $TOTAL" | bc)
    printf '%-12s %8s %10s %12s\n' "$engine" "$round" "$rate" "$cpg"
    if [ -z "${best_rate[$engine]:-}" ] || [ "$(echo "$rate > ${best_rate[$engine]}" | bc)" = 1 ]; then best_rate[$engine]=$rate; fi
    if [ -z "${best_cpu[$engine]:-}" ] || [ "$(echo "$cpg < ${best_cpu[$engine]}" | bc)" = 1 ]; then best_cpu[$engine]=$cpg; fi
  done
done
echo "best: ours ${best_rate[ours]} MiB/s, ${best_cpu[ours]} CPU s/GiB; libtorrent ${best_rate[libtorrent]} MiB/s, ${best_cpu[libtorrent]} CPU s/GiB"
echo "ratio ours/libtorrent: throughput $(echo "scale=2; ${best_rate[ours]} / ${best_rate[libtorrent]}" | bc)x, CPU per GiB $(echo "scale=2; ${best_cpu[ours]} / ${best_cpu[libtorrent]}" | bc)x"
