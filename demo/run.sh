#!/usr/bin/env bash
# The whole-room demo: a golden disk image, `eziopxe serve` on a private virtual LAN, N QEMU
# machines that PXE-boot, deploy the image with our BitTorrent client and power off, and a check
# of every disk. Run as root on Debian 12 after the build (./build.sh demo does everything).
# See docs/demo.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: demo/run.sh [options]
  --machines N       QEMU machines (default 3)
  --small-disk M     machine M gets a disk smaller than the image; it must be refused (expected)
  --power-cut M      machine M is powered off (QEMU killed) once its console shows 40 % downloaded,
                     then started again: it must check its disk and finish moving only what is missing
  --disk-size MIB    size of the golden disk and of each machine's disk (default 512)
  --data MIB         random data put on the golden root filesystem (default 64)
  --transfer MODE    torrent (default): our client and the swarm; http: the plain-HTTP unicast
                     baseline (demo/http-baseline/eziopxe-client in place of the client)
  --seed POLICY      the job's Seed: until-done (default), none, or seconds
  --server-link MBIT limit what the server sends into the LAN to MBIT Mbit/s (tbf on the bridge's
                     own egress: the machines still talk to each other at full speed), as in a
                     room whose server hangs off one uplink; default no limit
  --firmware KIND    bios (default): SeaBIOS, e1000 with QEMU's iPXE ROM; secureboot: OVMF with
                     Secure Boot enforced and Microsoft's keys (q35, SMM), virtio-net without
                     ROM, NetBoot:SecureBoot (shim -> GRUB -> signed kernel); http: OVMF without
                     Secure Boot and with its PXE switched off, NetBoot:HttpBoot (UEFI HTTP boot)
  --timeout S        give up waiting for the machines after S seconds (default 900)
  --status-every S   print `eziopxe status` every S seconds (default 5)
  --work DIR         work directory, removed at the end unless --keep
                     (default: a new /var/tmp/eziopxe-demo.XXXXXX)
  --keep             keep the work directory (disks, serial logs, server log)
  --server-dll FILE  eziopxe.dll to run (default server/bin/Release/net10.0/eziopxe.dll)
  --boot-again       after the check, boot every deployed machine from the network again: with
                     its task done it must be sent to its own disk (no re-imaging, disk unchanged)
  --stranger         also start a machine that Machines does not list: it must be shown
                     "waiting", be sent to its own disk and never be written to
  --attack           a hostile host beside the machines (namespace of its own on the same bridge,
                     10.77.0.66, a bystander 10.77.0.67) runs tests/hostile/lan_attacker.py for
                     the whole deployment: tracker, seeder, progress, TFTP and Host-header attacks
                     (docs/security.md); its verdict ("HOSTILE: ok") must hold as well
  --capture          make the image from a reference PC first: a machine with a copy of the
                     golden disk PXE-boots with a capture task and sends its disk to the server,
                     the server is restarted (captures join the images at start), and the machines
                     deploy the captured image (its torrent must equal `image create` of the disk)
The machines are listed in the configuration and armed with `eziopxe deploy --job demo`.
The last lines are one per machine: "machine N MAC ok|refused|failed SECONDS s".
USAGE
}

REPO=$(cd "$(dirname "$0")/.." && pwd)
FIRMWARE=bios SERVER_LINK=0 TRANSFER=torrent SEED=until-done MACHINES=3 SMALL=0 CUT=0 DISK_MIB=512 DATA_MIB=64 TIMEOUT=900 STATUS_EVERY=5 WORK= KEEP=0
BOOT_AGAIN=0 STRANGER=0 ATTACK=0 CAPTURE=0
SERVER_DLL=$REPO/server/bin/Release/net10.0/eziopxe.dll
while [ $# -gt 0 ]; do
  case "$1" in
    --machines) MACHINES=${2:?"$1 needs a value"}; shift ;;
    --small-disk) SMALL=${2:?"$1 needs a value"}; shift ;;
    --power-cut) CUT=${2:?"$1 needs a value"}; shift ;;
    --disk-size) DISK_MIB=${2:?"$1 needs a value"}; shift ;;
    --data) DATA_MIB=${2:?"$1 needs a value"}; shift ;;
    --timeout) TIMEOUT=${2:?"$1 needs a value"}; shift ;;
    --seed) SEED=${2:?"$1 needs a value"}; shift ;;
    --transfer) TRANSFER=${2:?"$1 needs a value"}; shift ;;
    --firmware) FIRMWARE=${2:?"$1 needs a value"}; shift ;;
    --server-link) SERVER_LINK=${2:?"$1 needs a value"}; shift ;;
    --status-every) STATUS_EVERY=${2:?"$1 needs a value"}; shift ;;
    --work) WORK=${2:?"$1 needs a value"}; shift ;;
    --keep) KEEP=1 ;;
    --boot-again) BOOT_AGAIN=1 ;;
    --stranger) STRANGER=1 ;;
    --attack) ATTACK=1 ;;
    --capture) CAPTURE=1 ;;
    --server-dll) SERVER_DLL=${2:?"$1 needs a value"}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "demo/run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
for n in SERVER_LINK MACHINES SMALL CUT DISK_MIB DATA_MIB TIMEOUT STATUS_EVERY; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "demo/run.sh: ${n,,} must be a whole number, not '${!n}'" >&2; exit 2; }
done
[ "$MACHINES" -ge 1 ] && [ "$MACHINES" -le 50 ] || { echo "demo/run.sh: --machines must be 1 to 50" >&2; exit 2; }
[ "$SMALL" -le "$MACHINES" ] || { echo "demo/run.sh: --small-disk $SMALL: there are only $MACHINES machines" >&2; exit 2; }
[ "$CUT" -le "$MACHINES" ] && { [ "$CUT" = 0 ] || [ "$CUT" != "$SMALL" ]; } || { echo "demo/run.sh: --power-cut $CUT: not a machine with a disk that fits" >&2; exit 2; }
[ "$DISK_MIB" -ge 128 ] || { echo "demo/run.sh: --disk-size must be at least 128 (MiB)" >&2; exit 2; }
[ "$DATA_MIB" -le $((DISK_MIB - 64 - 40)) ] || { echo "demo/run.sh: --data $DATA_MIB does not fit a $DISK_MIB MiB disk" >&2; exit 2; }
[[ $TRANSFER =~ ^(torrent|http)$ ]] || { echo "demo/run.sh: --transfer must be torrent or http" >&2; exit 2; }
[[ $FIRMWARE =~ ^(bios|secureboot|http)$ ]] || { echo "demo/run.sh: --firmware must be bios, secureboot or http" >&2; exit 2; }
[ "$BOOT_AGAIN" = 0 ] || [ "$FIRMWARE" = bios ] || { echo "demo/run.sh: --boot-again needs --firmware bios (the golden disk's boot code is for a BIOS)" >&2; exit 2; }
[ "$CAPTURE" = 0 ] || [ "$TRANSFER" = torrent ] || { echo "demo/run.sh: --capture needs --transfer torrent" >&2; exit 2; }
[[ $SEED =~ ^(until-done|none|[0-9]+)$ ]] || { echo "demo/run.sh: --seed must be until-done, none or seconds" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "demo/run.sh needs root (network namespaces, loop devices)" >&2; exit 1; }
for tool in qemu-system-x86_64 sgdisk sfdisk losetup mkfs.vfat mcopy mtype fsck.vfat mkfs.ext4 e2fsck curl python3 dotnet; do
  command -v "$tool" >/dev/null || { echo "demo/run.sh: $tool not found (./build.sh setup installs it)" >&2; exit 1; }
done
[ -f "$SERVER_DLL" ] || { echo "demo/run.sh: $SERVER_DLL not found; build first (./build.sh build)" >&2; exit 1; }

source "$REPO/demo/lib/golden.sh"
source "$REPO/demo/lib/verify.sh"
source "$REPO/demo/lib/lan.sh"

SERVER_IP=10.77.0.1
SERVER_URL=http://$SERVER_IP:8080
NS=eziopxe-demo-$$
NS_EXEC=(ip netns exec "$NS")
[ -n "$WORK" ] || WORK=$(mktemp -d /var/tmp/eziopxe-demo.XXXXXX)
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
rm -f "$WORK"/machine* "$WORK"/status.jsonl # a reused --work directory must not feed old logs to this run
BACKGROUND=()   # pids of everything we started, for the trap

step() { printf '\033[1m[demo %s] %s\033[0m\n' "$(date +%T)" "$*"; }

cleanup() {
  local status=$?
  set +e
  for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null; done
  [ -n "${SERVER_PID:-}" ] && { kill -TERM "$SERVER_PID" 2>/dev/null; for _ in $(seq 20); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done; }
  [ -n "${ATTACK_NS:-}" ] && lan_down "$ATTACK_NS"
  lan_down "$NS"
  wait 2>/dev/null
  # Loop devices (and their mounts) left by an interrupted golden-image build or disk check.
  local image loop
  for image in "$WORK"/*.img; do
    for loop in $(losetup -j "$image" -O NAME -n 2>/dev/null); do
      umount "$loop" 2>/dev/null
      losetup -d "$loop" 2>/dev/null
    done
  done
  if [ "$KEEP" = 1 ]; then
    echo "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- boot files --------------------------------------------------------------------------------
# out/boot is rebuilt when it is missing or older than what goes into it (as the initramfs tests do).
boot_is_stale() {
  local f newest
  for f in vmlinuz initramfs.img; do [ -f "$REPO/out/boot/$f" ] || return 0; done
  [ -f "$REPO/out/client/eziopxe-client" ] || return 0
  newest=$(stat -c %Y "$REPO"/initramfs/* "$REPO/out/client/eziopxe-client" /boot/vmlinuz-* | sort -n | tail -1)
  [ "$(stat -c %Y "$REPO/out/boot/initramfs.img")" -le "$newest" ]
}
if boot_is_stale; then
  step "out/boot is missing or stale: building the initramfs"
  if [ -f "$REPO/out/client/eziopxe-client" ]; then
    bash "$REPO/initramfs/build.sh" "$REPO/out/boot"
  else
    bash "$REPO/build.sh" initramfs
  fi
fi
step "TFTP root: boot loaders from Debian's packages (pxe/gather.sh)"
bash "$REPO/pxe/gather.sh" "$WORK/tftp" >/dev/null

# --- 1. golden image ---------------------------------------------------------------------------
step "making the golden disk: $DISK_MIB MiB sparse, GPT, FAT32 EFI partition + ext4 with $DATA_MIB MiB of random data"
make_golden_image "$WORK/golden.img" "$DISK_MIB" "$DATA_MIB" "$WORK/golden.sha256"
echo "$(wc -l < "$WORK/golden.sha256") files recorded with their SHA-256 in $WORK/golden.sha256"
partition_table_text "$WORK/golden.img" > "$WORK/golden.sfdisk"

# --- 2. the torrent ----------------------------------------------------------------------------
mkdir -p "$WORK/data"
if [ "$CAPTURE" = 1 ]; then
  # The reference PC's disk is the golden; the server gets its image by capture (section 4a).
  cp --sparse=always "$WORK/golden.img" "$WORK/reference.img"
  step "eziopxe image create (kept aside: the captured torrent must equal it)"
  dotnet "$SERVER_DLL" image create "$WORK/golden.img" --name demo --output "$WORK/image-create.torrent" \
    --announce "$SERVER_URL/announce" > "$WORK/image-create.log"
else
  step "eziopxe image create"
  dotnet "$SERVER_DLL" image create "$WORK/golden.img" --name demo --output "$WORK/data/demo.torrent" \
    --announce "$SERVER_URL/announce"
fi

# The baseline: the same boot files, plus an archive that puts a plain-HTTP downloader in place of
# the client (the kernel unpacks concatenated initramfs archives in turn, later files win).
BOOT_DIR=$REPO/out/boot
if [ "$TRANSFER" = http ]; then
  BOOT_DIR=$WORK/boot-http
  overlay=$WORK/http-overlay
  rm -rf "$BOOT_DIR" "$overlay"
  mkdir -p "$BOOT_DIR" "$overlay/bin" "$overlay/etc/eziopxe"
  install -m 0755 "$REPO/demo/http-baseline/eziopxe-client" "$overlay/bin/eziopxe-client"
  python3 "$REPO/demo/lib/torrent_extents.py" "$WORK/data/demo.torrent" > "$overlay/etc/eziopxe/extents"
  cp "$REPO/out/boot/vmlinuz" "$BOOT_DIR/" # copies: the server never follows symlinks out of BootDirectory
  { cat "$REPO/out/boot/initramfs.img"; (cd "$overlay" && find . | sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1; } > "$BOOT_DIR/initramfs.img"
  echo "plain-HTTP baseline: $BOOT_DIR/initramfs.img runs demo/http-baseline/eziopxe-client instead of the client"
fi

# --- 3. the virtual LAN ------------------------------------------------------------------------
step "private LAN: namespace $NS, bridge $LAN_BRIDGE with $SERVER_IP/24, $MACHINES tap devices"
lan_up "$NS" "$SERVER_IP/24"
for i in $(seq "$((1 - CAPTURE))" "$((MACHINES + STRANGER))"); do lan_add_tap "$NS" "tap$i"; done
if [ "$SERVER_LINK" -gt 0 ]; then
  # Packets the server sends leave through br0's own qdisc; frames bridged between taps do not.
  ip netns exec "$NS" tc qdisc add dev "$LAN_BRIDGE" root tbf rate "${SERVER_LINK}mbit" burst 256kb latency 50ms
  echo "the server's link into the LAN is limited to $SERVER_LINK Mbit/s"
fi

# --- 4. the server -----------------------------------------------------------------------------
mac_of() { printf '52:54:00:77:00:%02x' "$1"; }
REFERENCE_MAC=52:54:00:77:00:a0
# write_config PHASE: capture (only the reference PC and its capture job: the image does not exist
# yet) or deploy (the room; with --capture the image "demo" is the capture, found at start in
# DataDirectory/captures, so Images stays empty).
write_config() {
  local images jobs machines default
  if [ "$1" = capture ]; then
    images='{}'
    jobs='{ "capture": { "Mode": "capture", "Image": "demo", "After": "poweroff" } }'
    machines="{ \"Mac\": \"$REFERENCE_MAC\", \"Job\": \"capture\", \"Name\": \"reference\" }"
    default=capture
  else
    images="{ \"demo\": { \"Source\": \"$WORK/golden.img\", \"Torrent\": \"$WORK/data/demo.torrent\" } }"
    [ "$CAPTURE" = 1 ] && images='{}'
    jobs="{ \"demo\": { \"Image\": \"demo\", \"Disk\": \"auto\", \"After\": \"poweroff\", \"Seed\": \"$SEED\",
                      \"ExpectedMachines\": $((MACHINES - (SMALL > 0 ? 1 : 0))) } }"
    machines=$(for i in $(seq 1 "$MACHINES"); do printf '%s{ "Mac": "%s", "Job": "demo", "Name": "machine %d" }' "$([ "$i" = 1 ] || echo ', ')" "$(mac_of "$i")" "$i"; done)
    default=demo
  fi
  cat > "$WORK/eziopxe.json" <<JSON
{
  "Server": { "Address": "$SERVER_IP", "HttpPort": 8080, "PeerPort": 6881,
              "DataDirectory": "$WORK/data", "BootDirectory": "$BOOT_DIR" },
  "Images": $images,
  "Jobs": $jobs,
  "Machines": [ $machines ],
  "DefaultJob": "$default",
  "NetBoot": { "Dhcp": "full", "Interface": "$LAN_BRIDGE", "RangeStart": "10.77.0.100", "RangeEnd": "10.77.0.150",
               "TftpRoot": "$WORK/tftp", "KernelArguments": "console=ttyS0 no_timer_check",
               "SecureBoot": $([ "$FIRMWARE" = secureboot ] && echo true || echo false),
               "HttpBoot": $([ "$FIRMWARE" = http ] && echo true || echo false) }
}
JSON
}
start_server() {
  step "eziopxe serve (inside the namespace; log: $WORK/server.log)"
  "${NS_EXEC[@]}" dotnet "$SERVER_DLL" serve --config "$WORK/eziopxe.json" >> "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 240); do
    "${NS_EXEC[@]}" curl -sf -o /dev/null --max-time 2 "$SERVER_URL/status" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; echo "demo/run.sh: eziopxe serve exited" >&2; exit 1; }
    sleep 0.5
  done
  "${NS_EXEC[@]}" curl -sf -o /dev/null --max-time 2 "$SERVER_URL/status" || { tail -20 "$WORK/server.log" >&2; echo "demo/run.sh: the server did not answer in 2 minutes" >&2; exit 1; }
  echo "server up: $SERVER_URL"
}
stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null
  for _ in $(seq 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
  SERVER_PID=
}
: > "$WORK/server.log"

# --- 5. the machines ---------------------------------------------------------------------------
declare -A QEMU_PID STARTED EXITED ENDED
# BIOS: QEMU's e1000 iPXE ROM. Secure Boot: OVMF's own virtio-net driver (QEMU's iPXE option ROMs
# are unsigned and would be refused), and the Secure Boot build needs SMM with its flash behind it.
firmware_args() { # INDEX MAC
  if [ "$FIRMWARE" = secureboot ]; then
    cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$WORK/machine$1.vars.fd"
    echo -machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on -global ICH9-LPC.disable_s3=1 \
      -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.ms.fd \
      -drive "if=pflash,format=raw,unit=1,file=$WORK/machine$1.vars.fd" \
      -device "virtio-net-pci,netdev=lan,mac=$2,romfile="
  elif [ "$FIRMWARE" = http ]; then
    # OVMF tries PXE before HTTP boot; with PXE off the machine can only boot by HTTP.
    cp /usr/share/OVMF/OVMF_VARS_4M.fd "$WORK/machine$1.vars.fd"
    echo -machine q35 -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
      -drive "if=pflash,format=raw,unit=1,file=$WORK/machine$1.vars.fd" \
      -fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n \
      -device "virtio-net-pci,netdev=lan,mac=$2,romfile="
  else
    echo -device "e1000,netdev=lan,mac=$2" -boot n
  fi
}
# start_machine INDEX MAC DISK LOG: one QEMU machine on tapINDEX, network boot first; prints its pid.
start_machine() {
  # shellcheck disable=SC2046 # firmware_args prints separate words (no spaces inside them)
  "${NS_EXEC[@]}" qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot -monitor none \
    -name "demo-machine$1" -serial "file:$4" \
    -netdev "tap,id=lan,ifname=tap$1,script=no,downscript=no" \
    $(firmware_args "$1" "$2") \
    -drive "file=$3,format=raw,if=virtio" \
    < /dev/null > "${4%.log}.qemu.log" 2>&1 &
  echo $!
}
# The console's last "downloading  NN.N%" (the client redraws it twice a second on the serial line).
console_percent() { tr '\r' '\n' < "$1" 2>/dev/null | grep -ao 'downloading  [0-9]*' | tail -1 | awk '{ print $2 + 0 }'; }
# --- 4a. the capture (--capture) -----------------------------------------------------------------
if [ "$CAPTURE" = 1 ]; then
  write_config capture
  start_server
  "${NS_EXEC[@]}" dotnet "$SERVER_DLL" deploy --job capture --server "$SERVER_URL"
  step "the reference PC ($REFERENCE_MAC, a copy of the golden disk) network-boots with its capture task"
  captured_at=$EPOCHREALTIME
  REFERENCE_PID=$(start_machine 0 "$REFERENCE_MAC" "$WORK/reference.img" "$WORK/reference.log")
  BACKGROUND+=("$REFERENCE_PID")
  for _ in $(seq 1 "$TIMEOUT"); do
    kill -0 "$REFERENCE_PID" 2>/dev/null || break
    grep -qa 'ezio-init: FAILED\|eziopxe-client: FAILED' "$WORK/reference.log" 2>/dev/null && break
    sleep 1
  done
  kill "$REFERENCE_PID" 2>/dev/null || true
  took=$(python3 -c "print(f'{$EPOCHREALTIME - $captured_at:.1f}')")
  captured=$WORK/data/captures/demo.torrent
  if ! grep -q 'capture demo complete' "$WORK/server.log" || [ ! -f "$captured" ]; then
    echo "reference machine $REFERENCE_MAC: the capture FAILED; its console:" >&2
    tail -15 "$WORK/reference.log" | tr '\r' '\n' | sed 's/^/    /' >&2
    exit 1
  fi
  hash_of() { grep -ao 'info-hash [0-9a-f]\{40\}' "$1" | head -1 | cut -d' ' -f2; }
  created=$(hash_of "$WORK/image-create.log")
  got=$(tr -d '\r' < "$WORK/reference.log" | grep -ao "image 'demo' stored on the server: .*info-hash [0-9a-f]\{40\}" | grep -o '[0-9a-f]\{40\}$' | head -1)
  if [ -z "$created" ] || [ "$got" != "$created" ]; then
    echo "reference machine $REFERENCE_MAC: the captured torrent ($got) is not the one image create makes of the same disk ($created)" >&2
    exit 1
  fi
  echo "reference machine $REFERENCE_MAC: captured its disk as image demo in $took s, info-hash $got: the same as eziopxe image create of that disk"
  step "restarting the server: the capture joins its images at start"
  stop_server
fi
write_config deploy
start_server
[ "$CAPTURE" = 0 ] || echo "the server serves the capture: $(grep -ao 'image demo: [^,]*' "$WORK/server.log" | tail -1)"
# Machines without a task boot their own disk: arm this room's (every machine listed with demo).
"${NS_EXEC[@]}" dotnet "$SERVER_DLL" deploy --job demo --server "$SERVER_URL"

# The server's view, about once a second, for the summary's timings and the refused machine's error.
( while :; do
    printf '%s\t%s\n' "$EPOCHREALTIME" "$("${NS_EXEC[@]}" curl -s --max-time 2 "$SERVER_URL/status" | tr -d '\n')"
    sleep 1
  done >> "$WORK/status.jsonl" ) 2>/dev/null & # killed mid-pipe at the end: tr's "Broken pipe" must not end the output
BACKGROUND+=($!)

# --- 4b. the hostile host ------------------------------------------------------------------------
if [ "$ATTACK" = 1 ]; then
  ATTACK_NS=$NS-attacker
  step "a hostile host on the LAN: namespace $ATTACK_NS, 10.77.0.66 (attacker) and 10.77.0.67 (bystander); log $WORK/attack.log"
  ip netns add "$ATTACK_NS"
  ip -n "$ATTACK_NS" link set lo up
  ip -n "$NS" link add attacker0 type veth peer name eth0 netns "$ATTACK_NS"
  ip -n "$NS" link set attacker0 master "$LAN_BRIDGE" up
  ip -n "$ATTACK_NS" addr add 10.77.0.66/24 dev eth0
  ip -n "$ATTACK_NS" addr add 10.77.0.67/24 dev eth0
  ip -n "$ATTACK_NS" link set eth0 up
  rm -f "$WORK/attack.stop"
  # From before the machines boot to after they finish: the window before a machine's first
  # DHCP lease, when its key is on its boot menu but it has no address yet, is attacked too.
  ip netns exec "$ATTACK_NS" python3 -u "$REPO/tests/hostile/lan_attacker.py" --server "$SERVER_IP" --http-port 8080 --peer-port 6881 \
    --job demo --real-mac "$(mac_of 1)" --source 10.77.0.66 --bystander 10.77.0.67 --server-pid "$SERVER_PID" \
    --tftp-file undionly.kpxe --netascii-file boot/vmlinuz --stop "$WORK/attack.stop" > "$WORK/attack.log" 2>&1 &
  ATTACK_PID=$!
  BACKGROUND+=("$ATTACK_PID")
  for _ in $(seq 1 30); do grep -q "info-hash" "$WORK/attack.log" && break; sleep 1; done
  cat "$WORK/attack.log"
fi

CUT_DONE=0
if [ "$FIRMWARE" = secureboot ]; then
  step "starting $MACHINES QEMU machines (TCG, 512 MiB, OVMF with Secure Boot enforced, virtio-net, PXE -> shim -> GRUB)"
elif [ "$FIRMWARE" = http ]; then
  step "starting $MACHINES QEMU machines (TCG, 512 MiB, OVMF, virtio-net, UEFI HTTP boot -> iPXE)"
else
  step "starting $MACHINES QEMU machines (TCG, 512 MiB, e1000 with QEMU's iPXE ROM, PXE boot)"
fi
for i in $(seq 1 "$MACHINES"); do
  size=$((DISK_MIB * 1024 * 1024))
  [ "$i" = "$SMALL" ] && size=$((size / 2))
  rm -f "$WORK/machine$i.img"
  truncate -s "$size" "$WORK/machine$i.img"
  STARTED[$i]=$EPOCHREALTIME
  QEMU_PID[$i]=$(start_machine "$i" "$(mac_of "$i")" "$WORK/machine$i.img" "$WORK/machine$i.log")
  BACKGROUND+=("${QEMU_PID[$i]}")
  note=""
  [ "$i" = "$SMALL" ] && note=" (disk $((size / 1024 / 1024)) MiB: smaller than the image, must be refused)"
  [ "$i" = "$CUT" ] && note=" (powered off at 40 % downloaded, then started again)"
  echo "machine $i: $(mac_of "$i"), serial console $WORK/machine$i.log$note"
done

STRANGER_MAC=52:54:00:77:00:99
if [ "$STRANGER" = 1 ]; then
  truncate -s "$((DISK_MIB * 1024 * 1024))" "$WORK/stranger.img"
  STRANGER_PID=$(start_machine "$((MACHINES + 1))" "$STRANGER_MAC" "$WORK/stranger.img" "$WORK/stranger.log")
  BACKGROUND+=("$STRANGER_PID")
  echo "stranger: $STRANGER_MAC, not in Machines: must be shown waiting and boot its own (blank) disk; console $WORK/stranger.log"
fi

# --- 6. watching -------------------------------------------------------------------------------
cat <<EOF

The status page is at $SERVER_URL/ inside the namespace. To look at it from this host:
  ip netns exec $NS curl -s $SERVER_URL/status                   (JSON)
  ip netns exec $NS dotnet $SERVER_DLL status --server $SERVER_URL
  ip netns exec $NS chromium --headless --dump-dom $SERVER_URL/   (the live page)
  tail -f $WORK/machine1.log                                        (a machine's console)

EOF
deadline=$(( ${EPOCHREALTIME%.*} + TIMEOUT ))
last_table=0
while :; do
  running=0
  for i in $(seq 1 "$MACHINES"); do
    [ -n "${EXITED[$i]:-}" ] && continue
    if [ "$i" = "$CUT" ] && [ "$CUT_DONE" = 0 ] && [ "$(console_percent "$WORK/machine$i.log")" -ge 40 ] 2>/dev/null; then
      # A power cut: no shutdown, no flush by the guest; what QEMU wrote to the disk file stays.
      kill -KILL "${QEMU_PID[$i]}" 2>/dev/null || true
      # Not our child (start_machine runs in a subshell): wait until it is gone and its tap is free.
      for _ in $(seq 1 100); do kill -0 "${QEMU_PID[$i]}" 2>/dev/null || break; sleep 0.1; done
      CUT_DONE=1
      echo "machine $i: power cut at $(console_percent "$WORK/machine$i.log") % downloaded (QEMU killed); starting it again"
      mv "$WORK/machine$i.log" "$WORK/machine$i.before-cut.log"
      QEMU_PID[$i]=$(start_machine "$i" "$(mac_of "$i")" "$WORK/machine$i.img" "$WORK/machine$i.log")
      BACKGROUND+=("${QEMU_PID[$i]}")
    fi
    if ! kill -0 "${QEMU_PID[$i]}" 2>/dev/null; then
      EXITED[$i]=$EPOCHREALTIME ENDED[$i]=poweroff
      echo "machine $i powered off after $(python3 -c "print(f'{${EXITED[$i]} - ${STARTED[$i]}:.1f}')") s"
      continue
    fi
    # A machine whose client failed sits in the init's rescue shell, one that could not boot in
    # its firmware: neither will power off.
    if grep -qa 'ezio-init: FAILED\|eziopxe-client: FAILED\|No bootable device' "$WORK/machine$i.log" 2>/dev/null; then
      sleep 2 # let the console finish the message
      kill "${QEMU_PID[$i]}" 2>/dev/null || true; wait "${QEMU_PID[$i]}" 2>/dev/null || true
      EXITED[$i]=$EPOCHREALTIME ENDED[$i]=failed-at-console
      echo "machine $i: the console shows a failure:"
      { grep -a 'FAILED\|too small' "$WORK/machine$i.log" | tr -d '\r' | sed 's/^/    /' | tail -4; } || true
      continue
    fi
    running=$((running + 1))
  done
  [ "$running" = 0 ] && break
  now=${EPOCHREALTIME%.*}
  if [ "$now" -ge "$deadline" ]; then
    echo "TIMEOUT: $running machine(s) still running after $TIMEOUT s"
    for i in $(seq 1 "$MACHINES"); do
      [ -n "${EXITED[$i]:-}" ] && continue
      kill "${QEMU_PID[$i]}" 2>/dev/null || true; wait "${QEMU_PID[$i]}" 2>/dev/null || true
      EXITED[$i]=$EPOCHREALTIME ENDED[$i]=timed-out
      echo "---- machine $i serial console (last 25 lines) ----"
      tail -25 "$WORK/machine$i.log" | tr '\r' '\n' | tail -25
    done
    echo "---- server log (last 15 lines) ----"
    tail -15 "$WORK/server.log"
    break
  fi
  if [ $((now - last_table)) -ge "$STATUS_EVERY" ]; then
    last_table=$now
    echo "--- $(date +%T) eziopxe status --server $SERVER_URL"
    "${NS_EXEC[@]}" dotnet "$SERVER_DLL" status --server "$SERVER_URL" 2>&1 || true
  fi
  # Watch a machine due for its power cut closely: the transfer takes only seconds under TCG.
  if [ "$CUT" -gt 0 ] && [ "$CUT_DONE" = 0 ]; then sleep 0.2; else sleep 1; fi
done
echo "--- final eziopxe status"
"${NS_EXEC[@]}" dotnet "$SERVER_DLL" status --server "$SERVER_URL" 2>&1 || true
sleep 1.5 # one more status sample after the last report

# --- 7. verifying ------------------------------------------------------------------------------
step "verifying every disk against the golden image"
: > "$WORK/machines.tsv"
for i in $(seq 1 "$MACHINES"); do
  expected=deploy verified=-
  if [ "$i" = "$SMALL" ]; then
    expected=refuse
  elif [ "${ENDED[$i]}" = poweroff ]; then
    if verify_disk "$WORK/machine$i.img" "$WORK/golden.img" "$WORK/golden.sha256" "$WORK/machine$i.verify.log"; then
      verified=ok
      echo "machine $i: partition table, fsck.vfat, e2fsck and $(wc -l < "$WORK/golden.sha256") files' SHA-256 match"
    else
      verified=failed
      echo "machine $i: DIFFERS from the golden image:"
      grep -v '^Pass\|^e2fsck\|^fsck' "$WORK/machine$i.verify.log" | tail -10 | sed 's/^/    /'
    fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$(mac_of "$i")" "${STARTED[$i]}" "${EXITED[$i]}" \
    "${ENDED[$i]}" "$expected" "$verified" "$WORK/machine$i.log" >> "$WORK/machines.tsv"
done
if [ "$CUT" -gt 0 ]; then
  if [ "$CUT_DONE" = 1 ]; then
    # The client logs what its check found on the disk before moving anything.
    echo "machine $CUT: after the power cut: $(tr '\r' '\n' < "$WORK/machine$CUT.log" | grep -ao 'existing data checked, [0-9]* of [0-9]* pieces present' | tail -1)"
  else
    echo "machine $CUT: the power cut did not happen (its console never showed 40 % downloaded)" >&2
    sed -i "${CUT}s/\tdeploy\t/\tpower-cut-missed\t/" "$WORK/machines.tsv"
  fi
fi
if [ "$SMALL" -gt 0 ]; then
  if grep -qa 'too small' "$WORK/machine$SMALL.log"; then
    echo "machine $SMALL: its console says: $(grep -a -o 'it is too small[^(]*' "$WORK/machine$SMALL.log" | head -1)"
  else
    echo "machine $SMALL: its console does not show the refusal" >&2
    sed -i "${SMALL}s/\trefuse\t/\trefuse-missing-console\t/" "$WORK/machines.tsv"
  fi
fi

# --- 7b. the machine nobody listed, the attacker's verdict, and the second boot ---------------------
EXTRA_FAILED=0
if [ "$ATTACK" = 1 ]; then
  step "the hostile host: stopping its attacks, its verdict"
  touch "$WORK/attack.stop"
  for _ in $(seq 1 120); do kill -0 "$ATTACK_PID" 2>/dev/null || break; sleep 1; done
  cat "$WORK/attack.log"
  grep -q '^HOSTILE: ok$' "$WORK/attack.log" || EXTRA_FAILED=1
fi
# machine_state MAC: its state in the server's status now.
machine_state() {
  "${NS_EXEC[@]}" curl -s --max-time 5 "$SERVER_URL/status" | python3 -c '
import json, sys
status = json.load(sys.stdin)
print(next((m["state"] for m in status["machines"] if m["mac"] == sys.argv[1]), "absent"))' "$1"
}
# deploy_boots MAC: how often the server sent it the deploy kernel (its log line per boot).
deploy_boots() { grep -c "machine $1 network-booted: deploying" "$WORK/server.log" || true; }
if [ "$STRANGER" = 1 ]; then
  step "the unlisted machine"
  for _ in $(seq 1 120); do grep -qa 'no deployment task' "$WORK/stranger.log" && break; sleep 1; done
  sleep 3 # let iPXE try the disk
  kill "$STRANGER_PID" 2>/dev/null || true; wait "$STRANGER_PID" 2>/dev/null || true
  state=$(machine_state "$STRANGER_MAC")
  if grep -qa 'no deployment task' "$WORK/stranger.log" && [ "$state" = waiting ] &&
     cmp -s -n "$((DISK_MIB * 1024 * 1024))" "$WORK/stranger.img" /dev/zero && [ "$(deploy_boots "$STRANGER_MAC")" = 0 ]; then
    echo "stranger $STRANGER_MAC: shown $state, sent to its own disk (console: $(tr -d '\r' < "$WORK/stranger.log" | grep -a -o 'EzioPxe: no deployment task[^[:cntrl:]]*' | head -1)), disk untouched"
  else
    EXTRA_FAILED=1
    echo "stranger $STRANGER_MAC: FAILED: state '$state', deploy boots $(deploy_boots "$STRANGER_MAC"); console:"
    tail -8 "$WORK/stranger.log" | tr '\r' '\n' | sed 's/^/    /'
  fi
fi
if [ "$BOOT_AGAIN" = 1 ]; then
  step "booting the deployed machines again: their tasks are done, so they must boot their own disks"
  declare -A AGAIN_PID AGAIN_STARTED BEFORE
  for i in $(seq 1 "$MACHINES"); do
    grep -q "^$i	.*	ok	" "$WORK/machines.tsv" || continue
    BEFORE[$i]=$(sha256sum < "$WORK/machine$i.img" | cut -d' ' -f1)
    AGAIN_PID[$i]=$(start_machine "$i" "$(mac_of "$i")" "$WORK/machine$i.img" "$WORK/machine$i.again.log")
    BACKGROUND+=("${AGAIN_PID[$i]}")
    AGAIN_STARTED[$i]=$EPOCHREALTIME
  done
  for i in "${!AGAIN_PID[@]}"; do
    for _ in $(seq 1 180); do grep -qa "$GOLDEN_BOOT_MARKER" "$WORK/machine$i.again.log" && break; sleep 1; done
    took=$(python3 -c "print(f'{$EPOCHREALTIME - ${AGAIN_STARTED[$i]}:.1f}')")
    kill "${AGAIN_PID[$i]}" 2>/dev/null || true; wait "${AGAIN_PID[$i]}" 2>/dev/null || true
    after=$(sha256sum < "$WORK/machine$i.img" | cut -d' ' -f1)
    state=$(machine_state "$(mac_of "$i")")
    if grep -qa "$GOLDEN_BOOT_MARKER" "$WORK/machine$i.again.log" && grep -qa 'no deployment task' "$WORK/machine$i.again.log" &&
       [ "$after" = "${BEFORE[$i]}" ] && [ "$(deploy_boots "$(mac_of "$i")")" = 1 ] && [ "$state" = done ]; then
      echo "machine $i: second boot: no task, sent to its disk, which booted (\"$GOLDEN_BOOT_MARKER\") after $took s; disk unchanged; still shown $state"
    else
      EXTRA_FAILED=1
      echo "machine $i: second boot FAILED: state '$state', deploy boots $(deploy_boots "$(mac_of "$i")"), disk $([ "$after" = "${BEFORE[$i]}" ] && echo unchanged || echo CHANGED); console:"
      tail -8 "$WORK/machine$i.again.log" | tr '\r' '\n' | sed 's/^/    /'
    fi
  done
fi
if [ "$STRANGER$BOOT_AGAIN" != 00 ] || [ "$ATTACK" = 1 ]; then
  echo "--- eziopxe status after the extra boots (with the history)"
  "${NS_EXEC[@]}" dotnet "$SERVER_DLL" status --server "$SERVER_URL" 2>&1 || true
fi

# --- 8. summary ---------------------------------------------------------------------------------
step "summary"
set +e
python3 "$REPO/demo/lib/summary.py" "$WORK"
result=$?
set -e
[ "$EXTRA_FAILED" = 0 ] || result=1
exit "$result"
