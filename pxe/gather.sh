#!/usr/bin/env bash
# Copies the network boot loaders from installed Debian packages into a TFTP root:
#   pxelinux, syslinux-common -> pxelinux.0 and the BIOS modules it loads (ldlinux.c32, ...)
#   ipxe                      -> undionly.kpxe (BIOS), ipxe.efi and snponly.efi (x86-64 UEFI)
#   grub-efi-amd64-signed     -> grubnetx64.efi, only if that package is installed (optional)
# usage: pxe/gather.sh OUTDIR
# Missing required files are an error that names the package to install.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
out=$1
mkdir -p "$out"

copy() { # copy SOURCE PACKAGE [NAME]
  local source=$1 package=$2 name=${3:-$(basename "$1")}
  if [ ! -f "$source" ]; then
    echo "gather.sh: $source not found; install the Debian package '$package'" >&2
    exit 1
  fi
  install -m 0644 "$source" "$out/$name"
}

copy /usr/lib/PXELINUX/pxelinux.0 pxelinux
for module in ldlinux.c32 libcom32.c32 libutil.c32 menu.c32; do
  copy "/usr/lib/syslinux/modules/bios/$module" syslinux-common
done

copy /usr/lib/ipxe/undionly.kpxe ipxe
copy /usr/lib/ipxe/ipxe.efi ipxe
copy /usr/lib/ipxe/snponly.efi ipxe

grub=/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed
if [ -f "$grub" ]; then
  copy "$grub" grub-efi-amd64-signed grubnetx64.efi
else
  echo "gather.sh: GRUB netboot EFI not installed (grub-efi-amd64-signed); skipping it" >&2
fi

mkdir -p "$out/pxelinux.cfg"
echo "gather.sh: boot loaders in $out"
