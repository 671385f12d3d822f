#!/usr/bin/env bash
# The swarm simulator (sim/EzioPxe.Sim): the engine's real sessions and the tracker's peer lists
# over a simulated LAN in virtual time. Prints, per room, T/(S/B) of the median and the slowest
# machine and the origin's payload over the image; then a markdown table.
# Usage: bench/sim.sh [validate|curve|all] [eziopxe-sim options...]
#   validate: the netns bench's rooms (docs/benchmarks.md, swarm) at N = 2 to 32
#   curve:    N = 32, 100, 300, 1000: 8 MiB over 12.5 Mbit links in 64 KiB pieces (S/B = 5.4 s, 128
#             pieces), the clients' memory cut in proportion to the image (1.5 + 0.75 MiB), 4 ms steps
# Without an argument: validate, then curve. Needs no root; the N = 1000 room takes a while (see docs).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
[ $# -gt 0 ] && shift
dotnet build sim/EzioPxe.Sim -c Release -v quiet --nologo >/dev/null
sim() { dotnet sim/EzioPxe.Sim/bin/Release/net10.0/eziopxe-sim.dll "$@"; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), $(date -u +%F)"
if [ "$what" = validate ] || [ "$what" = all ]; then
  sim --n "2 4 8" --rate 100 --size 256 "$@"
  sim --n 8 --rate 100 --size 256 --piece-size 4096 "$@"
  sim --n 16 --rate 50 --size 128 "$@"
  sim --n 32 --rate 25 --size 64 "$@"
fi
if [ "$what" = curve ] || [ "$what" = all ]; then
  sim --n "32 100 300 1000" --rate 12.5 --size 8 --piece-size 64 --client-memory 1.5+0.75 --step 4000 "$@"
fi
