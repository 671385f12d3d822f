#!/usr/bin/env bash
# Copies the network boot loaders from Debian's packages into a TFTP root:
#   pxelinux, syslinux-common -> pxelinux.0 and the BIOS modules it loads (ldlinux.c32, ...)
#   ipxe                      -> undionly.kpxe (BIOS), ipxe.efi and snponly.efi (x86-64 UEFI)
#   shim-signed               -> shimx64.efi (signed by Microsoft: the first step under Secure Boot)
#   grub-efi-amd64-signed     -> grubx64.efi (Debian-signed network GRUB; shim loads this name from
#                                its own directory) and the same file as grubnetx64.efi
# usage: pxe/gather.sh OUTDIR
# The signed loaders are not installed on this host (installing grub-efi-amd64-signed would try to
# install GRUB here): they are fetched with `apt-get download` into a cache
# (EZIOPXE_DEB_CACHE, default out/cache/debs in the repository), unpacked with dpkg-deb -x, and
# checked with sbverify: shim must carry Microsoft's UEFI CA signature, GRUB Debian's.
# Missing required files are an error that names the package to install.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
out=$1
mkdir -p "$out"
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${EZIOPXE_DEB_CACHE:-$repo/out/cache/debs}

copy() { # copy SOURCE PACKAGE [NAME]
  local source=$1 package=$2 name=${3:-$(basename "$1")}
  if [ ! -f "$source" ]; then
    echo "gather.sh: $source not found; install the Debian package '$package'" >&2
    exit 1
  fi
  install -m 0644 "$source" "$out/$name"
}

# unpack PACKAGE: the candidate version's .deb, downloaded once into the cache, unpacked under
# $cache/PACKAGE_VERSION/; prints that directory.
unpack() {
  local package=$1 version dir
  version=$(apt-cache policy "$package" 2>/dev/null | awk '/Candidate:/ { print $2 }')
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    echo "gather.sh: apt knows no package '$package'; run apt-get update (Debian 12 main has it)" >&2
    exit 1
  fi
  dir="$cache/${package}_${version//:/%3a}"
  if [ ! -f "$dir/.unpacked" ]; then
    mkdir -p "$cache"
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$package=$version" >&2) || {
      echo "gather.sh: apt-get download $package=$version failed" >&2
      exit 1
    }
    dpkg-deb -x "$cache/${package}_${version//:/%3a}_amd64.deb" "$dir"
    touch "$dir/.unpacked"
  fi
  echo "$dir"
}

# signed_by FILE TEXT: the Authenticode signature's certificate chain names TEXT. sbverify --list
# reads the signature without the CA; the firmware (shim for GRUB) does the real check at boot.
signed_by() {
  local file=$1 expected=$2 listing
  command -v sbverify >/dev/null || { echo "gather.sh: sbverify not found; install the Debian package 'sbsigntool'" >&2; exit 1; }
  listing=$(sbverify --list "$file" 2>&1) || true
  if ! grep -q "issuer: .*$expected" <<<"$listing"; then
    echo "gather.sh: $file is not signed by '$expected':" >&2
    echo "$listing" >&2
    exit 1
  fi
}

copy /usr/lib/PXELINUX/pxelinux.0 pxelinux
for module in ldlinux.c32 libcom32.c32 libutil.c32 menu.c32; do
  copy "/usr/lib/syslinux/modules/bios/$module" syslinux-common
done

copy /usr/lib/ipxe/undionly.kpxe ipxe
copy /usr/lib/ipxe/ipxe.efi ipxe
copy /usr/lib/ipxe/snponly.efi ipxe

shim=$(unpack shim-signed)/usr/lib/shim/shimx64.efi.signed
grub=$(unpack grub-efi-amd64-signed)/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed
signed_by "$shim" "Microsoft Corporation UEFI CA 2011"
signed_by "$grub" "Debian Secure Boot CA"
copy "$shim" shim-signed shimx64.efi
copy "$grub" grub-efi-amd64-signed grubx64.efi
copy "$grub" grub-efi-amd64-signed grubnetx64.efi

mkdir -p "$out/pxelinux.cfg"
echo "gather.sh: boot loaders in $out"
