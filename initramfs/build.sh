#!/usr/bin/env bash
# Builds the boot pair every lab PC receives over PXE:
#   OUTDIR/vmlinuz        the Debian kernel (package linux-image-amd64), copied as it is
#   OUTDIR/initramfs.img  busybox-static + the drivers in modules.txt + eziopxe-client + init
#   OUTDIR/initramfs.txt  what went in (kernel version, modules, libraries, sizes)
# Usage: initramfs/build.sh [OUTDIR]          (default: out/boot in the repository)
# Environment: KERNEL_VERSION (default: the one linux-image-amd64 depends on),
#              EZIOPXE_CLIENT (default: out/client/eziopxe-client),
#              SOURCE_DATE_EPOCH (default: the last commit's time; every file gets this mtime).
# The archive is reproducible for the same inputs: sorted entries, fixed owners and times.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUTDIR=$(mkdir -p "${1:-$ROOT/out/boot}" && cd "${1:-$ROOT/out/boot}" && pwd)
CLIENT=${EZIOPXE_CLIENT:-$ROOT/out/client/eziopxe-client}
# The compressed image travels to every PC of a room at once over TFTP/HTTP: keep it small.
MAX_COMPRESSED_BYTES=$((40 * 1024 * 1024))

die() { echo "initramfs/build.sh: $*" >&2; exit 1; }
note() { echo "initramfs: $*" >&2; }

START_NS=$(date +%s%N)

for tool in cpio depmod modprobe modinfo zstd ldd; do
  command -v "$tool" >/dev/null || die "'$tool' is missing (run ./build.sh setup: it installs cpio, kmod, zstd)"
done

# --- which kernel -------------------------------------------------------------------------------
if [ -z "${KERNEL_VERSION:-}" ]; then
  dpkg-query -W -f='${Status}' linux-image-amd64 2>/dev/null | grep -q 'install ok installed' ||
    die "the Debian kernel package is missing: apt-get install linux-image-amd64 (or ./build.sh setup)"
  # The meta-package depends on exactly one versioned image package, e.g. linux-image-6.1.0-56-amd64.
  KERNEL_VERSION=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | grep -o 'linux-image-[0-9][^ ,]*' | head -n1)
  KERNEL_VERSION=${KERNEL_VERSION#linux-image-}
  KERNEL_VERSION=${KERNEL_VERSION%-unsigned}
fi
KVER=$KERNEL_VERSION
VMLINUZ=/boot/vmlinuz-$KVER
MODDIR=/lib/modules/$KVER
[ -f "$VMLINUZ" ] || die "kernel $VMLINUZ not found (is linux-image-$KVER installed?)"
[ -f "$MODDIR/modules.dep" ] || die "modules of kernel $KVER not found in $MODDIR (is linux-image-$KVER installed?)"

# Pick the strongest compression this kernel can unpack (CONFIG_RD_*): zstd unpacks fastest.
KCONFIG=/boot/config-$KVER
if [ -f "$KCONFIG" ] && grep -q '^CONFIG_RD_ZSTD=y' "$KCONFIG"; then
  COMPRESS=(zstd -q -19 -T0 -c); COMPRESSION=zstd
elif [ -f "$KCONFIG" ] && grep -q '^CONFIG_RD_XZ=y' "$KCONFIG"; then
  command -v xz >/dev/null || die "'xz' is missing (apt-get install xz-utils)"
  # The kernel's xz unpacker only knows the CRC32 check.
  COMPRESS=(xz -q -9 -T0 --check=crc32 -c); COMPRESSION=xz
else
  COMPRESS=(gzip -9 -n -c); COMPRESSION=gzip
fi

# --- the other inputs ---------------------------------------------------------------------------
BUSYBOX=/bin/busybox
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' ||
  die "busybox-static is missing: apt-get install busybox-static (or ./build.sh setup)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  die "$BUSYBOX is dynamically linked; the initramfs needs the one from busybox-static"
fi
[ -x "$CLIENT" ] || die "eziopxe-client not found at $CLIENT: run ./build.sh client first (./build.sh initramfs does both)"

SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)}

STAGE=$(mktemp -d /tmp/eziopxe-initramfs.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$OUTDIR"
# One build at a time per output directory: the test fixture and a developer may start one together.
exec 9>"$OUTDIR/.build.lock"
flock 9

# --- the tree -----------------------------------------------------------------------------------
cd "$STAGE"
mkdir -p bin sbin usr/bin usr/sbin etc/eziopxe lib lib64 proc sys dev run tmp root var/log
chmod 1777 tmp
ln -s ../run var/run

install -m 0755 "$BUSYBOX" bin/busybox
# Every applet at its usual place (sbin/modprobe is where the kernel's request_module looks).
while read -r applet; do
  case "$applet" in linuxrc|bin/busybox) continue ;; esac
  [ -e "$applet" ] || ln -s /bin/busybox "$applet"
done < <("$BUSYBOX" --list-full)

install -m 0755 "$HERE/init" init
install -m 0755 "$HERE/udhcpc.script" etc/eziopxe/udhcpc.script
install -m 0755 "$CLIENT" bin/eziopxe-client

# The client's shared libraries and the dynamic loader, at the paths the binary names.
client_libraries() {
  # .NET loads OpenSSL with dlopen (SHA-1 of every piece, and HttpClient), so ldd does not show it.
  local openssl=() name path
  for name in libssl.so.3 libcrypto.so.3; do
    path=$(ldconfig -p | awk -v n="$name" '$1 == n && /x86-64/ { print $NF; exit }')
    [ -n "$path" ] || die "$name not found: install libssl3 (the client needs OpenSSL at run time)"
    openssl+=("$path")
  done
  { ldd "$CLIENT"; for lib in "${openssl[@]}"; do echo "$lib => $lib (0)"; ldd "$lib"; done; } \
    | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u
}
# A command substitution, not a process substitution: a failure here stops the build (set -e)
# instead of leaving an initramfs whose client cannot start.
# It must name libc and the loader; one CI run once got an empty list without any error, so look
# up to three times before giving up.
complete_list() { case "$1" in *ld-linux*libc.so.6*|*libc.so.6*ld-linux*) return 0 ;; *) return 1 ;; esac; }
for attempt in 1 2 3; do
  LIB_LIST=$(client_libraries) || die "could not list the client's shared libraries"
  complete_list "$LIB_LIST" && break
  note "the client's shared libraries look incomplete (attempt $attempt): $(echo $LIB_LIST)"
  sleep 1
done
complete_list "$LIB_LIST" || die "the client's shared libraries look incomplete (no libc or loader): $(echo $LIB_LIST)"
LIBS=()
while read -r lib; do
  [ -n "$lib" ] || continue
  mkdir -p ".$(dirname "$lib")"
  cp -L "$lib" ".$lib"
  LIBS+=("$lib")
done <<<"$LIB_LIST"

cat > etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
EOF
cat > etc/group <<'EOF'
root:x:0:
EOF
cat > etc/nsswitch.conf <<'EOF'
hosts: files dns
EOF
cat > etc/hosts <<'EOF'
127.0.0.1 localhost
EOF
: > etc/resolv.conf
cat > etc/profile <<'EOF'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
PS1='eziopxe:\w# '
echo "EzioPxe rescue shell. /run/ezio/ has the init's logs; 'exit' retries, 'reboot -f' reboots."
EOF

# /dev/console must exist before devtmpfs is mounted: the kernel opens it as init's stdin/stdout.
if [ "$(id -u)" = 0 ]; then
  mknod -m 0600 dev/console c 5 1
  mknod -m 0666 dev/null c 1 3
else
  note "not root: no /dev/console in the archive, so early init output is lost until /dev is mounted"
fi

# --- kernel modules -----------------------------------------------------------------------------
mapfile -t WANTED < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$HERE/modules.txt" | grep -v '^$')
declare -A MODFILES=()
BUILTIN=()
for module in "${WANTED[@]}"; do
  deps=$(modprobe -S "$KVER" --show-depends "$module" 2>&1) ||
    die "module '$module' (initramfs/modules.txt) is not in kernel $KVER: $deps"
  while read -r verb path _; do
    case "$verb" in
      insmod) MODFILES[$path]=1 ;;
      builtin) BUILTIN+=("$path") ;;
    esac
  done <<< "$deps"
done
for path in "${!MODFILES[@]}"; do
  mkdir -p ".$(dirname "$path")"
  cp "$path" ".$path"
done
# depmod -b wants the builtin lists so that modprobe treats built-in names as loaded.
for f in modules.order modules.builtin modules.builtin.modinfo; do
  if [ -f "$MODDIR/$f" ]; then cp "$MODDIR/$f" "lib/modules/$KVER/$f"; fi
done
depmod -b "$STAGE" "$KVER" || die "depmod failed for the staged modules of $KVER"

# Firmware the chosen drivers may request, when the build host has it (Debian's non-free-firmware
# packages, e.g. firmware-realtek, firmware-bnx2). Without it r8169 and tg3 still work on most chips.
FIRMWARE_MISSING=()
FIRMWARE_COUNT=0
for path in "${!MODFILES[@]}"; do
  while read -r fw; do
    [ -n "$fw" ] || continue
    found=
    for candidate in "/lib/firmware/$fw" "/lib/firmware/$fw.xz" "/lib/firmware/$fw.zst"; do
      if [ -f "$candidate" ]; then
        mkdir -p ".$(dirname "$candidate")"
        cp -L "$candidate" ".$candidate"
        FIRMWARE_COUNT=$((FIRMWARE_COUNT + 1))
        found=1
        break
      fi
    done
    [ -n "$found" ] || FIRMWARE_MISSING+=("$(basename "$path" .ko):$fw")
  done < <(modinfo -F firmware "$path")
done

# --- what went in -------------------------------------------------------------------------------
BUSYBOX_VERSION=$(dpkg-query -W -f='${Version}' busybox-static)
KERNEL_PACKAGE_VERSION=$(dpkg-query -W -f='${Version}' "linux-image-$KVER" 2>/dev/null || echo unknown)
{
  echo "kernel $KVER (package $KERNEL_PACKAGE_VERSION)"
  echo "busybox-static $BUSYBOX_VERSION"
  echo "eziopxe-client $(sha256sum "$CLIENT" | cut -c1-16) $(stat -c %s "$CLIENT") bytes"
  echo "libraries ${LIBS[*]}"
  echo "modules $(printf '%s\n' "${!MODFILES[@]}" | xargs -n1 basename | sed 's/\.ko$//' | sort | xargs)"
  echo "builtin ${BUILTIN[*]:-}"
  echo "firmware-included $FIRMWARE_COUNT"
  echo "firmware-missing ${#FIRMWARE_MISSING[@]}"
  echo "compression $COMPRESSION"
  echo "source-date-epoch $SOURCE_DATE_EPOCH"
} > etc/eziopxe/build-info

# --- archive ------------------------------------------------------------------------------------
find . -mindepth 1 -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
UNCOMPRESSED="$STAGE.cpio"
trap 'rm -rf "$STAGE" "$UNCOMPRESSED"' EXIT
find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z |
  cpio --null --create --format=newc --reproducible --owner=0:0 --quiet > "$UNCOMPRESSED"
"${COMPRESS[@]}" "$UNCOMPRESSED" > "$OUTDIR/.initramfs.img.tmp"

COMPRESSED_BYTES=$(stat -c %s "$OUTDIR/.initramfs.img.tmp")
UNCOMPRESSED_BYTES=$(stat -c %s "$UNCOMPRESSED")
if [ "$COMPRESSED_BYTES" -gt "$MAX_COMPRESSED_BYTES" ]; then
  rm -f "$OUTDIR/.initramfs.img.tmp"
  die "initramfs is $COMPRESSED_BYTES bytes compressed, over the 40 MiB budget (every PC downloads it at boot)"
fi

# Replace the outputs atomically, so a reader never sees half a file.
cp "$VMLINUZ" "$OUTDIR/.vmlinuz.tmp"
mv -f "$OUTDIR/.vmlinuz.tmp" "$OUTDIR/vmlinuz"
mv -f "$OUTDIR/.initramfs.img.tmp" "$OUTDIR/initramfs.img"
ELAPSED_MS=$((($(date +%s%N) - START_NS) / 1000000))
{
  cat etc/eziopxe/build-info
  echo "uncompressed-bytes $UNCOMPRESSED_BYTES"
  echo "compressed-bytes $COMPRESSED_BYTES"
  echo "build-milliseconds $ELAPSED_MS"
  for missing in "${FIRMWARE_MISSING[@]}"; do echo "firmware-not-on-build-host $missing"; done
} > "$OUTDIR/initramfs.txt"

note "kernel $KVER, ${#MODFILES[@]} modules, $FIRMWARE_COUNT firmware files (${#FIRMWARE_MISSING[@]} not on this host, see initramfs.txt)"
note "$OUTDIR/initramfs.img: $COMPRESSED_BYTES bytes $COMPRESSION ($UNCOMPRESSED_BYTES uncompressed), built in $((ELAPSED_MS / 1000)).$((ELAPSED_MS % 1000 / 100)) s"
