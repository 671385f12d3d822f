# Checks one machine's disk against the golden image. Sourced by demo/run.sh (after golden.sh).

# verify_disk DISK GOLDEN CHECKSUMS LOG: 0 when the disk equals the golden image in every way we
# can see (partition table, both filesystems clean, every file's SHA-256); reasons go to LOG.
verify_disk() {
  local disk=$1 golden=$2 sums=$3 log=$4 failed=0
  local mnt loop start size
  : > "$log"
  if ! diff <(partition_table_text "$golden") <(partition_table_text "$disk") >> "$log" 2>&1; then
    echo "partition table differs from the golden image (above)" >> "$log"
    return 1 # without the same table the partition offsets below mean nothing
  fi

  read -r start size < <(partition_geometry "$golden" 1)
  loop=$(losetup --find --show --read-only --offset "$start" --sizelimit "$size" "$disk")
  fsck.vfat -n "$loop" >> "$log" 2>&1 || { echo "fsck.vfat -n found problems in the EFI partition" >> "$log"; failed=1; }
  losetup -d "$loop"
  local kind sum path actual
  while read -r kind sum path; do
    [ "$kind" = esp ] || continue
    actual=$(MTOOLS_SKIP_CHECK=1 mtype -i "$disk@@$start" "::/$path" 2>>"$log" | sha256sum | cut -d' ' -f1)
    [ "$actual" = "$sum" ] || { echo "EFI partition: $path differs (sha256 $actual, golden $sum)" >> "$log"; failed=1; }
  done < "$sums"

  read -r start size < <(partition_geometry "$golden" 2)
  loop=$(losetup --find --show --read-only --offset "$start" --sizelimit "$size" "$disk")
  e2fsck -fn "$loop" >> "$log" 2>&1 || { echo "e2fsck -fn found problems in the root partition" >> "$log"; failed=1; }
  mnt=$(mktemp -d)
  # noload: a read-only check must not replay a journal (there should be none to replay anyway).
  if mount -o ro,noload "$loop" "$mnt" 2>> "$log"; then
    while read -r kind sum path; do
      [ "$kind" = root ] || continue
      actual=$(sha256sum < "$mnt/$path" 2>>"$log" | cut -d' ' -f1)
      [ "$actual" = "$sum" ] || { echo "root partition: $path differs (sha256 $actual, golden $sum)" >> "$log"; failed=1; }
    done < "$sums"
    umount "$mnt"
  else
    echo "the root partition does not mount" >> "$log"; failed=1
  fi
  rmdir "$mnt"
  losetup -d "$loop"
  return $failed
}
