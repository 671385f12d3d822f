#!/usr/bin/env bash
# Builds the Debian package of the server from what build.sh has made:
#   PUBLISH  self-contained `dotnet publish` of server/ (linux-x64)
#   BOOT     out/boot: vmlinuz and initramfs.img
# usage: packaging/build-deb.sh PUBLISH BOOT VERSION OUTDIR
# Writes OUTDIR/eziopxe_VERSION_amd64.deb. Layout:
#   /usr/lib/eziopxe/          the program and the .NET runtime (self-contained)
#   /usr/bin/eziopxe           -> /usr/lib/eziopxe/eziopxe
#   /usr/lib/eziopxe/boot/     vmlinuz, initramfs.img (Server:BootDirectory)
#   /usr/lib/eziopxe/tftp/     pxelinux, iPXE (pxe/gather.sh; NetBoot:TftpRoot)
#   /etc/eziopxe/eziopxe.json  default configuration (conffile)
#   /lib/systemd/system/eziopxe.service
#   /usr/share/doc/eziopxe/    the documentation
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 4 ]; then
  echo "usage: $0 PUBLISH BOOT VERSION OUTDIR" >&2
  exit 2
fi
publish=$1 boot=$2 version=$3 out=$4
for f in "$publish/eziopxe" "$boot/vmlinuz" "$boot/initramfs.img"; do
  [ -f "$f" ] || { echo "build-deb.sh: $f missing (./build.sh package makes it)" >&2; exit 1; }
done
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

install -d "$root/usr/lib/eziopxe" "$root/usr/bin" "$root/etc/eziopxe" "$root/lib/systemd/system" \
  "$root/usr/share/doc/eziopxe" "$root/DEBIAN"
cp -a "$publish/." "$root/usr/lib/eziopxe/"
# The apphost finds its runtime beside the real file, so a symlink on PATH is enough.
ln -s ../lib/eziopxe/eziopxe "$root/usr/bin/eziopxe"
install -d "$root/usr/lib/eziopxe/boot"
install -m 0644 "$boot/vmlinuz" "$boot/initramfs.img" "$root/usr/lib/eziopxe/boot/"
bash pxe/gather.sh "$root/usr/lib/eziopxe/tftp" >/dev/null
install -m 0644 packaging/eziopxe.json "$root/etc/eziopxe/eziopxe.json"
install -m 0644 docs/eziopxe.service "$root/lib/systemd/system/eziopxe.service"
install -m 0644 README.md docs/*.md "$root/usr/share/doc/eziopxe/"
printf 'EzioPxe\nThe .NET runtime in /usr/lib/eziopxe is MIT-licensed (Microsoft); the Linux kernel in\n/usr/lib/eziopxe/boot is GPL-2 (Debian linux-image-amd64); pxelinux is GPL-2, iPXE GPL-2.\n' \
  > "$root/usr/share/doc/eziopxe/copyright"

install -m 0644 packaging/debian/conffiles "$root/DEBIAN/conffiles"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" packaging/debian/control.in > "$root/DEBIAN/control"
# Files owned by root whatever the build user; the mtime of the commit, so two builds match.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
find "$root" -exec touch -h -d "@$epoch" {} +
mkdir -p "$out"
deb="$out/eziopxe_${version}_amd64.deb"
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz -z6 --build "$root" "$deb" >/dev/null
echo "$deb"
