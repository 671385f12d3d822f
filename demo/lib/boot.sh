# The boot files the demo's server hands out (Server:BootDirectory). Sourced by demo/run.sh.
#
# Normally these are out/boot/vmlinuz and out/boot/initramfs.img as they are. One stop-gap:
# .NET's SHA-1 (the info-hash, piece checks) calls OpenSSL's libcrypto, which the runtime loads
# with dlopen, so `ldd` on the client does not name it and initramfs/build.sh (which copies what
# ldd names) leaves it out; the client then dies with "No usable version of libssl was found"
# (exit 134) right after fetching the torrent. Until the initramfs carries libssl/libcrypto, the
# demo appends a second cpio archive with them: the kernel unpacks concatenated archives in turn.

# prepare_boot_dir OUT_BOOT DIR: fills DIR with vmlinuz and initramfs.img (and says what it did).
prepare_boot_dir() {
  local boot=$1 dir=$2 libdir=/usr/lib/x86_64-linux-gnu overlay
  rm -rf "$dir"; mkdir -p "$dir"
  # Copies, not symlinks: the server never follows a symlink out of its BootDirectory.
  cp "$boot/vmlinuz" "$dir/vmlinuz"
  if grep -q 'libcrypto' "$boot/initramfs.txt" 2>/dev/null; then
    cp "$boot/initramfs.img" "$dir/initramfs.img"
    return
  fi
  overlay=$(mktemp -d)
  mkdir -p "$overlay/lib/x86_64-linux-gnu"
  cp "$libdir/libssl.so.3" "$libdir/libcrypto.so.3" "$overlay/lib/x86_64-linux-gnu/"
  { cat "$boot/initramfs.img"
    (cd "$overlay" && find . | sort | cpio -o -H newc -R 0:0 --quiet) | zstd -q -9
  } > "$dir/initramfs.img"
  rm -rf "$overlay"
  echo "note: out/boot/initramfs.img has no libcrypto (the client's SHA-1 needs it); the demo serves it with libssl.so.3 and libcrypto.so.3 appended"
}
