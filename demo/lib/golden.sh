# The golden disk: what the demo deploys and what every machine's disk is checked against.
# Sourced by demo/run.sh. Needs: sgdisk, sfdisk, losetup, mkfs.vfat, mtools, mkfs.ext4, mount.
#
# Layout (GPT, 512-byte sectors):
#   1  EFI system partition, FAT32, 64 MiB at 1 MiB   (files put in with mtools: no vfat driver here)
#   2  Linux filesystem, ext4, the rest                 (filled through a mount of a loop device)
# The host kernel does not scan partitions of loop devices (losetup -P gives no loopNp1), so each
# partition gets its own loop device made with --offset/--sizelimit, read from the partition table.

GOLDEN_ESP_MIB=64

# partition_geometry IMAGE N -> "START_BYTES SIZE_BYTES" of partition N, from the table itself.
partition_geometry() {
  sfdisk -J "$1" | python3 -c '
import json, sys
t = json.load(sys.stdin)["partitiontable"]
p = t["partitions"][int(sys.argv[1]) - 1]
ss = t.get("sectorsize", 512)
print(p["start"] * ss, p["size"] * ss)' "$2"
}

# partition_table_text IMAGE: `sfdisk -d` without the device names, so two disks compare equal.
partition_table_text() {
  sfdisk -d "$1" | sed -E "s|^[^ ]*[^0-9]([0-9]+) :|part\1 :|; /^device:/d"
}

# make_golden_image IMAGE SIZE_MIB DATA_MIB CHECKSUMS
# Writes the sparse image and CHECKSUMS: one line per file, "esp|root SHA256 PATH".
make_golden_image() {
  local image=$1 size_mib=$2 data_mib=$3 sums=$4
  local staging loop mnt start size
  staging=$(mktemp -d "${image%/*}/golden-staging.XXXXXX")
  rm -f "$image"
  truncate -s "${size_mib}M" "$image"
  sgdisk --zap-all \
    --new=1:1MiB:+${GOLDEN_ESP_MIB}MiB --typecode=1:ef00 --change-name=1:"EFI system" \
    --new=2:0:0 --typecode=2:8300 --change-name=2:"demo root" \
    "$image" >/dev/null

  # 1. the EFI system partition: a boot loader stand-in, a config, a little random data.
  read -r start size < <(partition_geometry "$image" 1)
  # mkfs.vfat takes the size in KiB; it warns that the file is larger, which is the point.
  mkfs.vfat -F 32 -s 1 -n DEMO-ESP --offset $((start / 512)) "$image" $((size / 1024)) >"$staging/mkfs.log" 2>&1 ||
    { cat "$staging/mkfs.log" >&2; return 1; }
  mkdir -p "$staging/esp/EFI/BOOT" "$staging/esp/EFI/demo"
  head -c 300000 /dev/urandom > "$staging/esp/EFI/BOOT/BOOTX64.EFI"
  printf 'timeout 3\ndefault demo\n' > "$staging/esp/EFI/demo/loader.conf"
  for i in 1 2 3 4 5; do head -c $((i * 37000)) /dev/urandom > "$staging/esp/EFI/demo/blob$i.bin"; done
  export MTOOLS_SKIP_CHECK=1
  mcopy -s -i "$image@@$start" "$staging/esp/EFI" ::/
  (cd "$staging/esp" && find . -type f | sort | while read -r f; do
     printf 'esp %s %s\n' "$(sha256sum < "$f" | cut -d' ' -f1)" "${f#./}"; done) > "$sums"

  # 2. the root filesystem, through a loop device limited to the partition.
  read -r start size < <(partition_geometry "$image" 2)
  loop=$(losetup --find --show --offset "$start" --sizelimit "$size" "$image")
  mkfs.ext4 -q -L demo-root "$loop"
  mnt="$staging/root"
  mkdir -p "$mnt"
  mount "$loop" "$mnt"
  mkdir -p "$mnt/etc" "$mnt/home/student" "$mnt/srv/data"
  echo "demo-pc" > "$mnt/etc/hostname"
  printf 'Welcome to the EzioPxe demo image, made %s\n' "$(date -u +%F)" > "$mnt/etc/motd"
  for i in $(seq 1 30); do
    printf 'note %d: %s\n' "$i" "$(head -c 48 /dev/urandom | base64)" > "$mnt/home/student/note$i.txt"
  done
  # The bulk: DATA_MIB of random data (incompressible, so nothing along the way can cheat).
  local chunk=4 left=$data_mib n=0
  while [ "$left" -gt 0 ]; do
    local mib=$(( left < chunk ? left : chunk ))
    head -c "$((mib * 1024 * 1024))" /dev/urandom > "$mnt/srv/data/random$n.bin"
    left=$((left - mib)); n=$((n + 1))
  done
  (cd "$mnt" && find . -type f ! -path './lost+found/*' | sort | while read -r f; do
     printf 'root %s %s\n' "$(sha256sum < "$f" | cut -d' ' -f1)" "${f#./}"; done) >> "$sums"
  umount "$mnt"
  losetup -d "$loop"
  rm -rf "$staging"
  write_marker_boot_code "$image"
}

GOLDEN_BOOT_MARKER="EzioPxe demo disk: booted from the local disk"

# write_marker_boot_code IMAGE: boot code in the protective MBR (bytes 0-439, before the
# partition entries) that prints GOLDEN_BOOT_MARKER to the first serial port and halts, so a
# machine that boots this disk from its BIOS (iPXE's `sanboot --drive 0x80`, or the BIOS
# itself) says so on its console. The code, 16-bit, loaded at 0000:7C00:
#   cli; xor ax,ax; mov ds,ax; mov si,0x7C16; mov dx,0x3F8
#   next: lodsb; test al,al; jz stop; out dx,al; jmp next
#   stop: hlt; jmp stop
#   0x7C16: the message, CR LF, NUL
write_marker_boot_code() {
  { printf '\xfa\x31\xc0\x8e\xd8\xbe\x16\x7c\xba\xf8\x03\xac\x84\xc0\x74\x03\xee\xeb\xf8\xf4\xeb\xfd'
    printf '%s\r\n\0' "$GOLDEN_BOOT_MARKER"; } | dd of="$1" bs=1 seek=0 conv=notrunc status=none
}
