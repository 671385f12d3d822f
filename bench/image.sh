#!/usr/bin/env bash
# Image creation: `eziopxe image create` (scan + hash + torrent) on a sparse raw disk image (GPT,
# one ext4 partition holding random files) against the limits: sha1sum over exactly the bytes the
# produced torrent carries (bench/image-extents.py reads its extents from the same source and pipes
# them into sha1sum), and the same read alone into /dev/null (the disk's part of the limit). All read
# from disk: the page cache is dropped before every run. Measured on the image file and on a
# read-only loop device over it (direct I/O to its file, like a real disk), and on the file by a
# server whose page cache cannot hold the image (a cgroup caps memory and throttles the disk).
# Prints seconds and MiB/s of the used bytes, and ratios.
# Usage: [LIMIT_MIB=512] [DISK_MIBS=300] bench/image.sh [USED_MIB] [ROUNDS]
#        (needs root: loop devices, mount, drop_caches, cgroups)
set -euo pipefail
cd "$(dirname "$0")/.."
USED_MIB=${1:-1792}
ROUNDS=${2:-2}
DISK_GIB=6
WORK=$(mktemp -d /var/tmp/eziopxe-bench-image.XXXXXX)   # a real disk, not tmpfs: reading it is what is measured
IMG=$WORK/disk.img
loops=()
cleanup() {
  mountpoint -q "$WORK/mnt" 2>/dev/null && umount "$WORK/mnt"
  for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

dotnet build server -c Release --nologo -v quiet -clp:NoSummary >/dev/null
EZIOPXE=(dotnet server/bin/Release/net10.0/eziopxe.dll)

# The disk: GPT, one ext4 partition from 1 MiB to the end, files of random data (incompressible,
# never zero, so every byte of them is used), a few sizes so the extents are not all alike.
truncate -s "${DISK_GIB}G" "$IMG"
printf 'label: gpt\nstart=2048, type=linux\n' | sfdisk -q "$IMG"
part_start=$(sfdisk -J "$IMG" | python3 -c 'import json,sys; p=json.load(sys.stdin)["partitiontable"]["partitions"][0]; print(p["start"]*512, p["size"]*512)')
read -r offset size <<<"$part_start"
part=$(losetup --find --show --offset "$offset" --sizelimit "$size" "$IMG"); loops+=("$part")
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$part"
mkdir "$WORK/mnt" && mount "$part" "$WORK/mnt"
left=$USED_MIB i=0
for mib in 512 384 256 192 128 64 32 16 8 4 2 1; do
  while [ "$left" -ge "$mib" ]; do
    head -c $((mib << 20)) /dev/urandom > "$WORK/mnt/file$i.bin"
    left=$((left - mib)) i=$((i + 1))
  done
done
umount "$WORK/mnt"; losetup -d "$part"; loops=()
# Direct I/O between the loop device and its file: one page cache (the device's), as on a real disk,
# instead of the file's cache under the device's.
loop=$(losetup --find --show --read-only --direct-io=on "$IMG"); loops+=("$loop")

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
now() { date +%s.%N; }
# run_ours SOURCE TORRENT -> seconds (its own scan and hash times go to NOTE)
run_ours() {
  drop_caches
  local t0; t0=$(now)
  "${EZIOPXE[@]}" image create "$1" --name bench --announce http://127.0.0.1:1/announce --output "$2" > "$WORK/ours.out" \
    || { cat "$WORK/ours.out" >&2; exit 1; }
  echo "$(now) - $t0" | bc
}
ours_note() { grep -q 'in one read' "$WORK/ours.out" && echo 'one read' || echo 'read twice'; }
# run_sha1sum / run_read SOURCE TORRENT -> seconds (and checks the bytes read are the torrent's length)
run_sha1sum() { drop_caches; local t0; t0=$(now); extents "$1" "$2" | sha1sum >/dev/null; seconds_since "$t0"; }
run_read() { drop_caches; local t0; t0=$(now); extents "$1" "$2" >/dev/null; seconds_since "$t0"; }   # no pipe: /dev/null costs nothing
extents() { python3 bench/image-extents.py "$2" "$1" 2>"$WORK/extents.out"; }
seconds_since() {
  local t1; t1=$(now)
  [ "$(awk '{print $4}' "$WORK/extents.out")" = "$USED" ] || { echo "image-extents.py read $(cat "$WORK/extents.out"), torrent has $USED bytes" >&2; exit 1; }
  echo "$t1 - $1" | bc
}

# One untimed run to learn the used bytes (the reference reads exactly the extents our torrent lists).
"${EZIOPXE[@]}" image create "$IMG" --name bench --announce http://127.0.0.1:1/announce --output "$WORK/file.torrent" > "$WORK/ours.out"
read -r EXTENTS USED < <(python3 -B -c '
import sys; sys.path.insert(0, "bench"); m = __import__("image-extents")
e = list(m.extents(sys.argv[1])); print(len(e), sum(l for _, l in e))' "$WORK/file.torrent")
echo "image: ${DISK_GIB} GiB sparse GPT disk, ext4 with ${USED_MIB} MiB of random files -> $((USED >> 20)) MiB used in $EXTENTS extents"
echo "       $(grep -m1 '^Hashed' "$WORK/ours.out"); page cache dropped before every run; $ROUNDS rounds, alternating"
printf '%-8s %-9s %6s %9s %8s  %s\n' source tool round seconds "MiB/s" "(ours: one read or two)"
declare -A best
rate() { echo "$USED / 1048576 / $1" | bc -l; }
# record SOURCE TOOL ROUND SECONDS: prints the row and keeps the best time per source and tool
record() {
  local note=; [ "$2" = ours ] && note=$(ours_note)
  printf '%-8s %-9s %6s %9.2f %8.1f  %s\n' "$1" "$2" "$3" "$4" "$(rate "$4")" "$note"
  if [ -z "${best[$1-$2]:-}" ] || [ "$(echo "$4 < ${best[$1-$2]}" | bc)" = 1 ]; then best[$1-$2]=$4; fi
}
# summary SOURCE: its best of each tool, and ours against the two references
summary() {
  local o=${best[$1-ours]} s=${best[$1-sha1sum]} r=${best[$1-read]}
  printf 'best %-4s: ours %.1f MiB/s, sha1sum %.1f MiB/s, read only %.1f MiB/s; ratio ours/sha1sum %.2fx, ours/read %.2fx\n' "$1" \
    "$(rate "$o")" "$(rate "$s")" "$(rate "$r")" "$(echo "$s / $o" | bc -l)" "$(echo "$r / $o" | bc -l)"
}
for round in $(seq 1 "$ROUNDS"); do
  for source in file loop; do
    [ "$source" = file ] && path=$IMG || path=$loop
    for tool in ours sha1sum read; do
      record "$source" "$tool" "$round" "$(run_$tool "$path" "$WORK/$source.torrent")"
    done
  done
done
for source in file loop; do summary "$source"; done

# A server whose page cache cannot hold the image (every lab image of tens of GiB): reading the
# used blocks twice (once to find zero runs, once to hash) would cost two disk reads. Each tool runs
# in a cgroup whose memory (page cache included) is LIMIT_MIB and whose reads from the image's disk
# are throttled to DISK_MIBS, so the disk is the limit and ours/read shows how many times ours
# reads the image (about 1.0x for one read, about 0.5x for two).
LIMIT_MIB=${LIMIT_MIB:-512}
DISK_MIBS=${DISK_MIBS:-300}
disk_dev=$(findmnt -no MAJ:MIN -T "$IMG" | tr -d ' ')
cg_setup() {
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then   # cgroup v2
    CG=/sys/fs/cgroup/eziopxe-bench-image
    echo "+memory +io" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
    mkdir -p "$CG"
    echo $((LIMIT_MIB << 20)) > "$CG/memory.max"
    echo "$disk_dev rbps=$((DISK_MIBS << 20))" > "$CG/io.max"
    CG_PROCS=("$CG/cgroup.procs")
  else                                                 # cgroup v1
    mkdir -p /sys/fs/cgroup/memory/eziopxe-bench-image /sys/fs/cgroup/blkio/eziopxe-bench-image
    echo $((LIMIT_MIB << 20)) > /sys/fs/cgroup/memory/eziopxe-bench-image/memory.limit_in_bytes
    echo "$disk_dev $((DISK_MIBS << 20))" > /sys/fs/cgroup/blkio/eziopxe-bench-image/blkio.throttle.read_bps_device
    CG_PROCS=(/sys/fs/cgroup/memory/eziopxe-bench-image/cgroup.procs /sys/fs/cgroup/blkio/eziopxe-bench-image/cgroup.procs)
  fi
}
cg_cleanup() {
  rmdir /sys/fs/cgroup/eziopxe-bench-image /sys/fs/cgroup/memory/eziopxe-bench-image /sys/fs/cgroup/blkio/eziopxe-bench-image 2>/dev/null || true
}
# limited TOOL: run_TOOL on the image file inside the cgroup (a subshell joins it, then runs the tool)
limited() { ( for f in "${CG_PROCS[@]}"; do echo "$BASHPID" > "$f"; done; "run_$1" "$IMG" "$WORK/file.torrent" ); }
if [ -n "$disk_dev" ] && cg_setup 2>/dev/null; then
  trap 'cg_cleanup; cleanup' EXIT
  echo "image file with the page cache capped at $LIMIT_MIB MiB and reads at $DISK_MIBS MiB/s (cgroup; disk $disk_dev):"
  for round in $(seq 1 "$ROUNDS"); do
    for tool in ours sha1sum read; do
      record small "$tool" "$round" "$(limited "$tool")"
    done
  done
  summary small
else
  echo "no cgroup memory/io control here: the page-cache-limited run is skipped"
fi

hash_of() { "${EZIOPXE[@]}" image inspect "$1" | grep -o 'info-hash [0-9a-f]*'; }
[ "$(hash_of "$WORK/file.torrent")" = "$(hash_of "$WORK/loop.torrent")" ] \
  && echo "the file and the loop device give the same torrent ($(hash_of "$WORK/file.torrent"))" \
  || { echo "the file and the loop device give DIFFERENT torrents" >&2; exit 1; }
