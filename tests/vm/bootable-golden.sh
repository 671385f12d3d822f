#!/bin/bash
# Makes a small golden disk that boots both ways, for the VM tests of real-disk deployment:
#   GPT; 1: BIOS boot partition (GRUB i386-pc core image, written by grub-install);
#   2: EFI system partition, FAT, \EFI\BOOT\BOOTX64.EFI (grub-mkimage x86_64-efi, put there with
#      mtools: this host's kernel has no vfat driver); 3: ext4 root with /boot/vmlinuz (this
#      host's Debian kernel), /boot/initrd.img and /boot/grub; unpartitioned space at the end.
# The initrd's /init loads the disk and ext4 drivers, mounts the root read-only, prints
#   EZIOPXE-GOLDEN-BOOTED <firmware> <the root's /etc/eziopxe-marker>
# and powers off, so a VM test sees that firmware, boot loader, kernel and root file system all
# came through the deployment.
# Usage: bootable-golden.sh OUTPUT.img [SIZE_MIB [MARKER]]     (root: loop devices, mounts)
set -euo pipefail
OUT=$1
SIZE_MIB=${2:-128}
MARKER=${3:-golden-$(date +%s)-$RANDOM}
KERNEL=$(ls /boot/vmlinuz-* | sort -V | tail -1)
KVER=${KERNEL#/boot/vmlinuz-}
WORK=$(mktemp -d /var/tmp/eziopxe-bootable-XXXXXX)
LOOP=
cleanup() {
  mountpoint -q "$WORK/root" && umount "$WORK/root"
  [ -n "$LOOP" ] && losetup -d "$LOOP"
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- initrd: busybox, the drivers for a QEMU virtio disk and ext4, /init ---------------------------
mkdir -p "$WORK/initrd/bin" "$WORK/initrd/modules" "$WORK/initrd/proc" "$WORK/initrd/sys" "$WORK/initrd/dev" "$WORK/initrd/mnt"
cp /bin/busybox "$WORK/initrd/bin/busybox"
for applet in sh mount umount insmod cat echo sleep poweroff ls; do ln -s busybox "$WORK/initrd/bin/$applet"; done
n=0
: > "$WORK/initrd/modules/order"
# One module per --show-depends call (further names would be taken as module parameters).
for line in $(for m in virtio_pci virtio_blk ext4; do modprobe -S "$KVER" --show-depends "$m" 2>/dev/null; done | awk '$1 == "insmod" { print $2 }'); do
  base=$(basename "$line")
  grep -qx "$base" "$WORK/initrd/modules/order" 2>/dev/null && continue
  case "$line" in
    *.xz) xz -dc "$line" > "$WORK/initrd/modules/${base%.xz}"; base=${base%.xz} ;;
    *.zst) zstd -qdc "$line" > "$WORK/initrd/modules/${base%.zst}"; base=${base%.zst} ;;
    *) cp "$line" "$WORK/initrd/modules/$base" ;;
  esac
  echo "$base" >> "$WORK/initrd/modules/order"
  n=$((n + 1))
done
cat > "$WORK/initrd/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules/order); do insmod /modules/$m 2>/dev/null; done
firmware=BIOS
[ -d /sys/firmware/efi ] && firmware=UEFI
for i in $(seq 1 100); do
  for d in /dev/vda3; do
    if [ -b $d ] && mount -t ext4 -o ro $d /mnt 2>/dev/null; then
      echo "EZIOPXE-GOLDEN-BOOTED $firmware $(cat /mnt/etc/eziopxe-marker)"
      umount /mnt
      poweroff -f
    fi
  done
  sleep 0.2
done
echo "EZIOPXE-GOLDEN-NO-ROOT $firmware"
poweroff -f
INIT
chmod +x "$WORK/initrd/init"
(cd "$WORK/initrd" && find . | cpio -o -H newc --quiet | gzip -1) > "$WORK/initrd.img"

# --- the disk ---------------------------------------------------------------------------------------
rm -f "$OUT"
truncate -s "${SIZE_MIB}M" "$OUT"
sgdisk -n1:2048:+1M -t1:EF02 -c1:bios -n2:0:+20M -t2:EF00 -c2:esp -n3:0:+$((SIZE_MIB - 40))M -t3:8300 -c3:root "$OUT" >/dev/null
LOOP=$(losetup --find --show --partscan "$OUT")
partx -a "$LOOP" 2>/dev/null || true
for p in 1 2 3; do for i in $(seq 1 50); do [ -b "${LOOP}p$p" ] && break; sleep 0.1; done; done

# (mkfs.vfat's "Could not get geometry" on a loop partition is only a notice.)
mkfs.vfat -n ESP "${LOOP}p2" >/dev/null 2>&1 || mkfs.vfat -n ESP "${LOOP}p2"
mkfs.ext4 -q -F -L ezioroot "${LOOP}p3"
UUID=$(blkid -o value -s UUID "${LOOP}p3")
mkdir -p "$WORK/root"
mount "${LOOP}p3" "$WORK/root"
mkdir -p "$WORK/root/boot/grub" "$WORK/root/etc"
cp "$KERNEL" "$WORK/root/boot/vmlinuz"
cp "$WORK/initrd.img" "$WORK/root/boot/initrd.img"
echo "$MARKER" > "$WORK/root/etc/eziopxe-marker"
cat > "$WORK/root/boot/grub/grub.cfg" <<CFG
set timeout=0
search --no-floppy --fs-uuid --set=root $UUID
linux /boot/vmlinuz console=ttyS0 panic=-1 quiet
initrd /boot/initrd.img
boot
CFG
# BIOS: boot.img in the MBR's code area, core.img in the BIOS boot partition, modules on the root.
grub-install --target=i386-pc --boot-directory="$WORK/root/boot" --modules="part_gpt ext2" "$LOOP" >"$WORK/grub-install.log" 2>&1 ||
  { cat "$WORK/grub-install.log" >&2; exit 1; }
umount "$WORK/root"

# UEFI: one EFI binary with the modules it needs; it finds the root by UUID and reads its grub.cfg.
cat > "$WORK/early.cfg" <<CFG
search --no-floppy --fs-uuid --set=root $UUID
set prefix=(\$root)/boot/grub
configfile /boot/grub/grub.cfg
CFG
grub-mkimage -O x86_64-efi -o "$WORK/BOOTX64.EFI" -p /boot/grub -c "$WORK/early.cfg" \
  part_gpt ext2 fat search search_fs_uuid normal linux configfile echo test boot gzio efi_gop all_video
mmd -i "${LOOP}p2" ::/EFI ::/EFI/BOOT
mcopy -i "${LOOP}p2" "$WORK/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
sync
echo "bootable golden: $OUT (${SIZE_MIB} MiB, kernel $KVER, $n modules in the initrd, root UUID $UUID, marker $MARKER)"
