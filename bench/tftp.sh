#!/usr/bin/env bash
# TFTP throughput on loopback: our server against tftpd-hpa on the same 30 MiB file.
#   - windowed client (bench/tftp-get.py): blksize 1468, windowsize 16. tftpd-hpa 5.2 does not
#     implement windowsize (RFC 7440), so it leaves the option out and falls back to lock-step.
#   - curl: blksize 1468 (curl cannot ask for windowsize), lock-step on both servers.
# Each measurement is the best of RUNS (default 3). Prints MiB/s and the ratio ours / tftpd-hpa.
# Needs root (in.tftpd binds a privileged helper port range is not needed; it drops to nobody).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZE_MIB=${SIZE_MIB:-30}
CONFIG=${CONFIG:-Release}

command -v in.tftpd >/dev/null || { echo "bench/tftp.sh: in.tftpd missing; apt-get install tftpd-hpa" >&2; exit 1; }
dotnet build tests/EzioPxe.Server.Tests -c "$CONFIG" --nologo -v quiet -clp:NoSummary >/dev/null
HOST_DLL=tests/EzioPxe.Server.Tests/bin/$CONFIG/net10.0/EzioPxe.Server.Tests.dll

work=$(mktemp -d /tmp/eziopxe-bench-tftp.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/root" && chmod 755 "$work/root"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$work/root/big.bin"
chmod 644 "$work/root/big.bin"
want=$(sha256sum "$work/root/big.bin" | cut -d' ' -f1)

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

ours=$(free_port)
dotnet "$HOST_DLL" netboot --root "$work/root" --listen 127.0.0.1 --tftp-port "$ours" >"$work/ours.log" 2>&1 &
pids+=($!)
hpa=$(free_port)
in.tftpd --foreground --listen --address "127.0.0.1:$hpa" --secure "$work/root" &
pids+=($!)
for _ in $(seq 50); do grep -q "netboot ready" "$work/ours.log" && break; sleep 0.2; done
grep -q "netboot ready" "$work/ours.log" || { cat "$work/ours.log" >&2; exit 1; }

windowed() { # PORT -> best seconds
  local best=
  for _ in $(seq "$RUNS"); do
    read -r bytes secs sum opts < <(python3 bench/tftp-get.py 127.0.0.1 "$1" big.bin 1468 16)
    [ "$sum" = "$want" ] || { echo "checksum mismatch from port $1" >&2; exit 1; }
    best=$(python3 -c "print(min(float('$secs'), float('${best:-1e9}')))")
  done
  echo "$best $opts"
}
with_curl() { # PORT -> best seconds
  local best=
  for _ in $(seq "$RUNS"); do
    secs=$(curl -sS --tftp-blksize 1468 -o "$work/out.bin" -w '%{time_total}' "tftp://127.0.0.1:$1/big.bin")
    [ "$(sha256sum "$work/out.bin" | cut -d' ' -f1)" = "$want" ] || { echo "checksum mismatch from port $1 (curl)" >&2; exit 1; }
    best=$(python3 -c "print(min(float('$secs'), float('${best:-1e9}')))")
  done
  echo "$best"
}
rate() { python3 -c "print('%.1f' % ($SIZE_MIB / float('$1')))"; }

read -r ours_w ours_opts < <(windowed "$ours")
read -r hpa_w hpa_opts < <(windowed "$hpa")
ours_c=$(with_curl "$ours")
hpa_c=$(with_curl "$hpa")

echo "TFTP, $SIZE_MIB MiB over loopback, best of $RUNS ($(nproc) cores, $(date -u +%Y-%m-%d))"
printf '%-44s %10s %10s %8s\n' "client" "ours MiB/s" "hpa MiB/s" "ratio"
printf '%-44s %10s %10s %8s\n' "tftp-get.py blksize 1468 windowsize 16" "$(rate "$ours_w")" "$(rate "$hpa_w")" \
  "$(python3 -c "print('%.2f' % (float('$hpa_w') / float('$ours_w')))")"
printf '%-44s %10s %10s %8s\n' "curl --tftp-blksize 1468 (lock-step)" "$(rate "$ours_c")" "$(rate "$hpa_c")" \
  "$(python3 -c "print('%.2f' % (float('$hpa_c') / float('$ours_c')))")"
echo "negotiated: ours [$ours_opts]  tftpd-hpa [$hpa_opts]"
