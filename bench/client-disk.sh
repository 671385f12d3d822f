#!/usr/bin/env bash
# Client to disk: the NativeAOT eziopxe-client (out/client/eziopxe-client) deploys an image torrent
# of a few large extents from a local seeder onto a loop device (backing file on /var/tmp, direct
# I/O), against the limit: dd writing the same extents from the seed files onto the same device with
# oflag=direct. Everything around the client is on loopback: opentracker, the seeder (our engine, or
# SEEDER=libtorrent), a tiny HTTP server for the .torrent and POST /progress. Seed files live on
# tmpfs: the seeder is not what is measured. Prints MiB/s, ratio, and the client's peak RSS.
# Usage: bench/client-disk.sh [SIZE_MIB] [ROUNDS]      (needs root: loop devices)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-3072}
ROUNDS=${2:-2}
SEEDER=${SEEDER:-ours}
CLIENT=${CLIENT:-out/client/eziopxe-client}
BENCH=bench/EzioPxe.Bench/bin/Release/net10.0/eziopxe-bench
SEED=/dev/shm/eziopxe-bench-client-disk
DISKDIR=$(mktemp -d /var/tmp/eziopxe-bench-client-disk.XXXXXX)   # a real disk under the loop device
pids=() loop=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null || true
  rm -rf "$SEED" "$DISKDIR"
}
trap cleanup EXIT
[ -x /usr/bin/time ] || { echo "bench/client-disk.sh: /usr/bin/time missing; apt-get install time" >&2; exit 1; }

# The client is rebuilt only when missing: NativeAOT publishing takes minutes (./build.sh client).
[ -x "$CLIENT" ] || ./build.sh client
dotnet build bench/EzioPxe.Bench -c Release --nologo -v quiet -clp:NoSummary >/dev/null
dotnet build server -c Release --nologo -v quiet -clp:NoSummary >/dev/null
EZIOPXE=server/bin/Release/net10.0/eziopxe

# The image: four extents of SIZE/4 with 64 MiB gaps between them, each file named by its disk
# offset in 32 hex digits (files in name order = offset order), 4 MiB pieces.
rm -rf "$SEED"; mkdir -p "$SEED/image"; chmod 755 "$SEED"
extent_mib=$((SIZE_MIB / 4))
offsets=()
for i in 0 1 2 3; do
  offset=$(( (i * (extent_mib + 64) + 1) << 20 ))
  offsets+=("$offset")
  head -c $((extent_mib << 20)) /dev/urandom > "$SEED/image/$(printf '%032x' "$offset")"
done
DISK_BYTES=$(( (4 * (extent_mib + 64) + 1) << 20 ))
TOTAL=$((4 * extent_mib << 20))
tracker_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mktorrent -l 22 -a "http://127.0.0.1:$tracker_port/announce" -o "$SEED/image.torrent" "$SEED/image" >/dev/null
# A whole-disk image: without x-eziopxe-disk-size the client takes it for a partition image and
# refuses a whole disk. The info dictionary is the torrent's last key and this key sorts after
# every key mktorrent writes, so it goes just before the two closing "e"s.
python3 - "$SEED/image.torrent" "$DISK_BYTES" <<'PY'
import sys
path, size = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
assert data.endswith(b"ee") and b"4:info" in data, "unexpected torrent layout"
open(path, "wb").write(data[:-2] + b"19:x-eziopxe-disk-sizei%de" % size + data[-2:])
PY
info_hash=$("$EZIOPXE" image inspect "$SEED/image.torrent" | grep -o 'info-hash [0-9a-f]*' | cut -d' ' -f2)

# opentracker drops root and reads its whitelist as another user.
echo "$info_hash" > "$SEED/whitelist"; chmod 644 "$SEED/whitelist"
opentracker -i 127.0.0.1 -p "$tracker_port" -P "$tracker_port" -w "$SEED/whitelist" >"$SEED/tracker.log" 2>&1 &
pids+=($!)
hash_url=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(bytes.fromhex(sys.argv[1])))' "$info_hash")
seeders() { curl -s "http://127.0.0.1:$tracker_port/scrape?info_hash=$hash_url" | grep -ao '8:completei[0-9]*' | grep -o '[0-9]*$' || echo 0; }
announce() { curl -s "http://127.0.0.1:$tracker_port/announce?info_hash=$hash_url&peer_id=-BENCH-000000000000&port=1&uploaded=0&downloaded=0&left=1&event=$1"; }
# It loads the whitelist in a thread of its own after it listens: wait until an announce is accepted.
for _ in $(seq 100); do
  reply=$(announce started | tr -d '\0')
  [ -n "$reply" ] && ! grep -q failure <<<"$reply" && break
  sleep 0.1
done
announce stopped >/dev/null

seed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if [ "$SEEDER" = libtorrent ]; then
  /usr/bin/python3 tests/interop/libtorrent_peer.py seed "$SEED/image.torrent" "$SEED" --port "$seed_port" --timeout 3600 >"$SEED/seed.log" 2>&1 &
else
  "$BENCH" seed "$SEED/image.torrent" "$SEED" --listen "127.0.0.1:$seed_port" >"$SEED/seed.log" 2>&1 &
fi
seed_pid=$!
pids+=($seed_pid)
for _ in $(seq 300); do [ "$(seeders)" -ge 1 ] && break; sleep 0.1; done
[ "$(seeders)" -ge 1 ] || { echo "the seeder never announced itself:" >&2; cat "$SEED/seed.log" "$SEED/tracker.log" >&2; exit 1; }

python3 -u bench/client-web.py "$SEED/image.torrent" >"$SEED/web.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$SEED/web.log" && break; sleep 0.05; done
web_port=$(awk '/listening/{print $2}' "$SEED/web.log")

BACKING=$DISKDIR/disk
fallocate -l "$DISK_BYTES" "$BACKING"
loop=$(losetup --find --show --direct-io=on "$BACKING")
# Before every run the device reads as zeros again; the blocks stay allocated, as on a real disk.
# (flushbufs: the check after round 1 read through the device's page cache; nothing may serve from it.)
blank() { fallocate --zero-range --offset 0 --length "$DISK_BYTES" "$BACKING"; sync; blockdev --flushbufs "$loop"; }
now() { date +%s.%N; }
# The seeder's user+system CPU seconds so far (its share of each client round is the difference).
clock_ticks=$(getconf CLK_TCK)
seeder_cpu() { awk -v hz="$clock_ticks" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$seed_pid/stat"; }

run_client() { # -> "seconds peak_rss_kib cpu_seconds seeder_cpu_seconds"
  blank
  local s0; s0=$(seeder_cpu)
  local t0; t0=$(now)
  local rc=0
  /usr/bin/time -v -o "$SEED/time.out" "$CLIENT" --server="127.0.0.1:$web_port" --torrent="http://127.0.0.1:$web_port/image.torrent" \
    --disk="$loop" --after=wait --seed=none --mac=52:54:00:12:34:56 >"$SEED/client.out" 2>&1 || rc=$?
  local t1; t1=$(now)
  local s1; s1=$(seeder_cpu)
  [ "$rc" = 11 ] || { echo "eziopxe-client exited $rc:" >&2; tail -c 3000 "$SEED/client.out" >&2; exit 1; }
  if [ "$round" = 1 ]; then   # every extent landed at its offset, once is enough
    for offset in "${offsets[@]}"; do
      cmp -s -n $((extent_mib << 20)) -i "$offset:0" "$loop" "$SEED/image/$(printf '%032x' "$offset")" \
        || { echo "the device does not hold the extent at offset $offset" >&2; exit 1; }
    done
  fi
  local rss user sys
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$SEED/time.out")
  user=$(awk -F': ' '/User time/{print $2}' "$SEED/time.out")
  sys=$(awk -F': ' '/System time/{print $2}' "$SEED/time.out")
  echo "$(echo "$t1 - $t0" | bc) $rss $(echo "$user + $sys" | bc) $(echo "$s1 - $s0" | bc)"
}
run_dd() {
  blank
  local t0; t0=$(now)
  for offset in "${offsets[@]}"; do
    dd if="$SEED/image/$(printf '%032x' "$offset")" of="$loop" bs=4M oflag=direct,seek_bytes seek="$offset" conv=notrunc status=none
  done
  local t1; t1=$(now)
  echo "$(echo "$t1 - $t0" | bc) - - -"
}

echo "client-disk: $((TOTAL >> 20)) MiB in 4 extents onto $loop (direct I/O, backing file on /var/tmp), seeder: $SEEDER on loopback; $ROUNDS rounds, alternating"
printf '%-8s %6s %9s %8s %10s %7s %13s\n' tool round seconds "MiB/s" "peak RSS" "CPU s" "seeder CPU s"
declare -A best
peak_rss=
for round in $(seq 1 "$ROUNDS"); do
  for tool in client dd; do
    read -r secs rss cpu seeder < <(run_$tool)
    rate=$(echo "$TOTAL / 1048576 / $secs" | bc -l)
    [ "$rss" = - ] && rss_text=- || rss_text="$((rss / 1024)) MiB"
    printf '%-8s %6s %9.2f %8.1f %10s %7s %13s\n' "$tool" "$round" "$secs" "$rate" "$rss_text" "$cpu" "$seeder"
    if [ -z "${best[$tool]:-}" ] || [ "$(echo "$secs < ${best[$tool]}" | bc)" = 1 ]; then best[$tool]=$secs; fi
    if [ "$rss" != - ] && { [ -z "$peak_rss" ] || [ "$rss" -gt "$peak_rss" ]; }; then peak_rss=$rss; fi
  done
done
printf 'best: client %.1f MiB/s, dd %.1f MiB/s; ratio client/dd %.2fx; client peak RSS (highest of all rounds) %d MiB (target < 128 MiB)\n' \
  "$(echo "$TOTAL / 1048576 / ${best[client]}" | bc -l)" "$(echo "$TOTAL / 1048576 / ${best[dd]}" | bc -l)" \
  "$(echo "${best[dd]} / ${best[client]}" | bc -l)" "$((peak_rss / 1024))"
