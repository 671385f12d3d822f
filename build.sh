#!/usr/bin/env bash
# EzioPxe's one entry point. Every subcommand installs what it needs itself, so that a fresh
# Debian 12 machine (as root) goes from a clone to a result with one command.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
OUT="$ROOT/out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the build, the tests, the benchmarks and the demo use. Keep sorted.
APT_PACKAGES=(
  aria2 bc bridge-utils busybox-static chromium cpio curl debootstrap dnsmasq dosfstools e2fsprogs fdisk gdisk
  grub-efi-amd64-bin grub-pc-bin grub2-common
  iproute2 ipxe ipxe-qemu isc-dhcp-client kmod libssl3 linux-image-amd64 mktorrent mtools ntfs-3g
  opentracker ovmf partclone pxelinux python3 python3-libtorrent qemu-system-x86 sbsigntool syslinux-common
  tftp-hpa tftpd-hpa time transmission-cli udhcpc udpcast util-linux xz-utils zstd
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "build.sh $1 needs root (loop devices, network namespaces, apt). Run it with sudo." >&2
    exit 1
  fi
}

cmd_setup() {
  need_root setup
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    # dnsmasq and tftpd would start system services on install; we run our own instances.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
  fi
  command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
  log "restoring NuGet packages"
  dotnet restore EzioPxe.sln -v quiet
}

cmd_build() {
  log "building EzioPxe.sln"
  dotnet build EzioPxe.sln -c Release --nologo -v quiet -clp:NoSummary
}

# Publishes the client with NativeAOT and fails on any trim/AOT warning (warnings are errors).
cmd_client() {
  log "publishing eziopxe-client with NativeAOT"
  local logfile="$OUT/client-publish.log"
  mkdir -p "$OUT"
  # --self-contained: NativeAOT publishing requires it (NETSDK1102 otherwise); the result is one native file.
  if ! dotnet publish client/EzioPxe.Client.csproj -c Release -r linux-x64 --self-contained -o "$OUT/client" --nologo \
       -p:TreatWarningsAsErrors=true >"$logfile" 2>&1; then
    cat "$logfile" >&2
    exit 1
  fi
  if grep -E 'warning (IL|CA|CS)[0-9]+' "$logfile" >&2; then
    echo "eziopxe-client published with warnings (see above)" >&2
    exit 1
  fi
  log "eziopxe-client: $(stat -c %s "$OUT/client/eziopxe-client") bytes, no warnings"
}

# The PXE boot pair: out/boot/vmlinuz (Debian's kernel) and out/boot/initramfs.img (see initramfs/).
cmd_initramfs() {
  cmd_client
  log "building the initramfs"
  bash initramfs/build.sh "$OUT/boot"
}

# The Debian package (packaging/, docs/packaging.md): the server published self-contained (Debian
# 12 has no .NET in its archive), the boot pair, the PXE loaders, the unit and a default
# configuration -> out/eziopxe_VERSION_amd64.deb, also linked as out/eziopxe.deb.
cmd_package() {
  cmd_initramfs
  build_package
}

build_package() {
  log "publishing the server (self-contained, linux-x64)"
  local publish="$OUT/server-publish" logfile="$OUT/server-publish.log"
  rm -rf "$publish"
  if ! dotnet publish server/EzioPxe.Server.csproj -c Release -r linux-x64 --self-contained -o "$publish" --nologo \
       -p:DebugType=none -p:GenerateDocumentationFile=false >"$logfile" 2>&1; then
    cat "$logfile" >&2
    exit 1
  fi
  # Debian version: the program's version, then the commit count and hash, so later commits sort later.
  local version
  version="$(dotnet msbuild server/EzioPxe.Server.csproj -getProperty:VersionPrefix -nologo)+git$(git rev-list --count HEAD).$(git rev-parse --short=10 HEAD)"
  log "building the Debian package $version"
  local deb
  deb=$(bash packaging/build-deb.sh "$publish" "$OUT/boot" "$version" "$OUT")
  ln -f "$deb" "$OUT/eziopxe.deb"
  log "$deb: $(stat -c %s "$deb") bytes"
}

cmd_test() {
  cmd_setup
  cmd_build
  # The boot image is shared by the initramfs, network-boot and whole-room tests: build it once.
  cmd_initramfs
  build_package
  log "running tests"
  local results="$OUT/test-results"
  rm -rf "$results"
  mkdir -p "$results"
  local status=0
  dotnet test EzioPxe.sln -c Release --no-build --nologo \
    --logger "console;verbosity=normal" --logger "trx" --results-directory "$results" "$@" \
    | tee "$results/console.log" || status=$?
  # One plain closing line over all test projects, read from the TRX files.
  python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
failures = []
for f in glob.glob(sys.argv[1] + "/*.trx"):
    root = ET.parse(f).getroot()
    # CI shows only the end of the output: name every failure there, with the start of its message.
    for r in root.findall(".//{*}UnitTestResult"):
        if r.get("outcome") in ("Passed", "NotExecuted"): continue
        message = r.find(".//{*}ErrorInfo/{*}Message")
        text = " ".join((message.text or "").split()) if message is not None else ""
        failures.append(f"FAILED {r.get('testName')} ({r.get('duration')}): {text[:600]}")
    c = root.find(".//{*}Counters")
    if c is None: continue
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
for line in failures: print(line)
PY
  return $status
}

cmd_bench() {
  cmd_setup
  cmd_build
  log "running benchmarks (results go to docs/benchmarks.md by hand, with the date and machine)"
  bash bench/run.sh "$@"
}

# The whole-room demo (docs/demo.md): everything built, then demo/run.sh PXE-boots QEMU machines on
# a private virtual LAN, deploys a golden image to them and checks every disk. Options go to run.sh.
cmd_demo() {
  need_root demo
  cmd_setup
  cmd_build
  cmd_initramfs
  log "running the demo (demo/run.sh $*)"
  bash demo/run.sh "$@"
}

usage() {
  cat <<USAGE
usage: ./build.sh COMMAND
  setup   install Debian packages and restore NuGet (safe to run again)
  build   build every project
  client  publish eziopxe-client with NativeAOT (fails on any warning)
  initramfs  client + out/boot/vmlinuz and out/boot/initramfs.img for PXE
  package the Debian package out/eziopxe.deb (server self-contained, boot files, unit, config)
  test    setup + build + client + initramfs + package + every test
  bench   setup + build + the benchmarks in bench/
  fuzz    build + the fuzz tests with 100 x the CI budget and a fresh seed (EZIOPXE_FUZZ_SCALE, EZIOPXE_FUZZ_SEED)
  demo    setup + build + initramfs, then demo/run.sh [--machines N] [--small-disk M] [--keep] ...
USAGE
}

# The fuzz tests (xunit trait Category=Fuzz) with a longer budget than CI's: EZIOPXE_FUZZ_SCALE
# times the inputs (default 100) from a fresh seed (EZIOPXE_FUZZ_SEED, printed, to replay a failure).
cmd_fuzz() {
  cmd_build
  export EZIOPXE_FUZZ_SCALE="${EZIOPXE_FUZZ_SCALE:-100}" EZIOPXE_FUZZ_SEED="${EZIOPXE_FUZZ_SEED:-$RANDOM$RANDOM}"
  log "fuzzing: ${EZIOPXE_FUZZ_SCALE} x the CI budget, seed ${EZIOPXE_FUZZ_SEED}"
  dotnet test EzioPxe.sln -c Release --no-build --nologo --filter "Category=Fuzz" "$@"
}

case "${1:-}" in
  setup) cmd_setup ;;
  build) cmd_build ;;
  client) cmd_client ;;
  initramfs) cmd_initramfs ;;
  package) cmd_package ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  fuzz) shift; cmd_fuzz "$@" ;;
  demo) shift; cmd_demo "$@" ;;
  *) usage; exit 2 ;;
esac
