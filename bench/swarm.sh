#!/usr/bin/env bash
# Swarm: one server and N client machines on a private LAN of network namespaces, every host on a
# symmetric link of rate B (htb), the same random image of S bytes delivered to all N four ways
# in the same run, alternating in each round:
#   ours        eziopxe serve (origin seeder, tracker, jobs) + the NativeAOT eziopxe-client in each
#               client namespace, writing onto its own loop device (job ExpectedMachines = N)
#   libtorrent  a libtorrent 2.0.8 seeder on the server + N libtorrent leechers, opentracker
#   udpcast     udp-sender multicast from the server, udp-receiver onto each loop device
#   http        every client curls the image from python3 -m http.server at once
# Prints per transfer: T (start to the last machine's verified copy), T/(S/B), the machines'
# min/median/max completion times, the bytes the server's port sent (br0's tx_bytes, as a
# multiple of S), and CPU seconds (the whole host from /proc/stat, and the transfer's own processes
# from a cgroup they run in), then the best round of each method per N. See docs/benchmarks.md.
# Needs root (namespaces, loop devices, cgroups). Everything it makes is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

usage() {
  cat <<'USAGE'
usage: bench/swarm.sh [options]
       SWARM_N=.. SWARM_RATE=.. SWARM_SIZE=.. SWARM_PIECE=.. SWARM_ROUNDS=.. SWARM_METHODS=.. ./build.sh bench swarm
  --n "LIST"          machine counts, one LAN each (default "2 4 8 16 32")
  --rate MBIT|"N:MBIT ..."   link rate of every host, for all N or per N (default per N: 100 up
                      to 8, then 800/N: 50 at 16, 25 at 32, so the sum of all links stays within
                      what this 2-core host forwards)
  --size MIB|"N:MIB ..."     image size, for all N or per N (default per N: 256 MiB at 100 Mbit,
                      scaled with the rate so S/B stays about 21 s)
  --piece-size SIZE   torrent piece size for ours and libtorrent (default 256K)
  --rounds R          rounds per N, methods alternating in each (default 2)
  --methods "LIST"    any of ours libtorrent udpcast http (default all four)
  --udp-rate PERCENT  udp-sender --max-bitrate as a percentage of B (default 95)
  --verify K          check the sha256 of K machines' copies per transfer, 0 for all (default 0)
  --timeout S         give up on a transfer after S s (default 60 + 12 S/B, or 2N S/B above N = 6)
  --keep              keep the logs of every process (the work directory without disks and images)
  --rates             sample every machine's downlink and uplink and the server's uplink every
                      0.25 s during each transfer; a per-second summary in the transfer's
                      rates.txt (use with --keep)
  --client-log LEVEL  our client's --log level (default info; debug logs every connect and
                      disconnect with milliseconds, for a timeline of a room; use with --keep)
  --server-dll FILE   eziopxe.dll to run, as built (default: server/bin/Release/net10.0/eziopxe.dll,
                      built first)
USAGE
}

# Defaults from SWARM_* environment variables too, for `SWARM_N="2 4" ./build.sh bench swarm`
# (bench/run.sh passes no arguments).
N_LIST=${SWARM_N:-2 4 8 16 32} RATE=${SWARM_RATE:-} SIZE=${SWARM_SIZE:-} PIECE=${SWARM_PIECE:-256K} ROUNDS=${SWARM_ROUNDS:-2}
METHODS=${SWARM_METHODS:-ours libtorrent udpcast http} UDP_PERCENT=95 VERIFY=0 KEEP=0 RATES=0 CLIENT_LOG=info TIMEOUT_GIVEN= SERVER_DLL_GIVEN=
while [ $# -gt 0 ]; do
  case "$1" in
    --n) N_LIST=${2:?"$1 needs a value"}; shift ;;
    --rate) RATE=${2:?"$1 needs a value"}; shift ;;
    --size) SIZE=${2:?"$1 needs a value"}; shift ;;
    --piece-size) PIECE=${2:?"$1 needs a value"}; shift ;;
    --rounds) ROUNDS=${2:?"$1 needs a value"}; shift ;;
    --methods) METHODS=${2:?"$1 needs a value"}; shift ;;
    --udp-rate) UDP_PERCENT=${2:?"$1 needs a value"}; shift ;;
    --verify) VERIFY=${2:?"$1 needs a value"}; shift ;;
    --timeout) TIMEOUT_GIVEN=${2:?"$1 needs a value"}; shift ;;
    --keep) KEEP=1 ;;
    --rates) RATES=1 ;;
    --client-log) CLIENT_LOG=${2:?"$1 needs a value"}; shift ;;
    --server-dll) SERVER_DLL_GIVEN=${2:?"$1 needs a value"}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/swarm.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
whole() { [[ $2 =~ ^[0-9]+$ ]] || { echo "bench/swarm.sh: $1 must be a whole number, not '$2'" >&2; exit 2; }; }
for n in $N_LIST; do
  whole --n "$n"
  [ "$n" -ge 1 ] && [ "$n" -le 200 ] || { echo "bench/swarm.sh: --n: 1 to 200 machines, not $n" >&2; exit 2; }
done
# per_n OPTION VALUE N: VALUE is one number for every N, or "N:NUMBER ..." pairs; prints N's or nothing.
per_n() {
  local pair
  if [[ $2 =~ ^[0-9]+$ ]]; then echo "$2"; return; fi
  for pair in $2; do
    [[ $pair =~ ^([0-9]+):([0-9]+)$ ]] || { echo "bench/swarm.sh: $1: a number or N:NUMBER pairs, not '$pair'" >&2; exit 2; }
    [ "${BASH_REMATCH[1]}" = "$3" ] && echo "${BASH_REMATCH[2]}"
  done
  return 0
}
for n in $N_LIST; do
  for option in --rate --size; do
    value=$([ $option = --rate ] && echo "$RATE" || echo "$SIZE")
    [ -z "$value" ] && continue
    v=$(per_n "$option" "$value" "$n") || exit 2
    [ -z "$v" ] || [ "$v" -gt 0 ] || { echo "bench/swarm.sh: $option must be above 0" >&2; exit 2; }
  done
done
[ -z "$TIMEOUT_GIVEN" ] || whole --timeout "$TIMEOUT_GIVEN"
whole --rounds "$ROUNDS"; whole --udp-rate "$UDP_PERCENT"; whole --verify "$VERIFY"
for m in $METHODS; do
  [[ $m =~ ^(ours|libtorrent|udpcast|http)$ ]] || { echo "bench/swarm.sh: --methods: unknown method '$m'" >&2; exit 2; }
done
[[ $PIECE =~ ^[0-9]+[KM]$ ]] || { echo "bench/swarm.sh: --piece-size: e.g. 256K or 4M, not '$PIECE'" >&2; exit 2; }
[ "${PIECE: -1}" = K ] && PIECE_BYTES=$(( ${PIECE%?} << 10 )) || PIECE_BYTES=$(( ${PIECE%?} << 20 ))
PIECE_LOG2=$(awk -v b="$PIECE_BYTES" 'BEGIN { l = log(b) / log(2); if (l != int(l) || l < 14 || l > 26) exit 1; print l }') \
  || { echo "bench/swarm.sh: --piece-size must be a power of two from 16K to 64M" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench/swarm.sh needs root (network namespaces, loop devices, cgroups)" >&2; exit 1; }
for tool in udp-sender udp-receiver opentracker mktorrent curl losetup tc dotnet; do
  command -v "$tool" >/dev/null || { echo "bench/swarm.sh: $tool not found (./build.sh setup installs it)" >&2; exit 1; }
done
PY=/usr/bin/python3   # Debian's, which has python3-libtorrent (a python3 earlier on PATH may not)
"$PY" -c 'import libtorrent' 2>/dev/null || { echo "bench/swarm.sh: python3-libtorrent missing (./build.sh setup)" >&2; exit 1; }

rate_of() { local v; v=$(per_n --rate "$RATE" "$1"); [ -n "$v" ] && echo "$v" || { [ "$1" -le 8 ] && echo 100 || echo $((800 / $1)); }; }
size_of() { local v; v=$(per_n --size "$SIZE" "$1"); [ -n "$v" ] && echo "$v" || echo $(( 256 * $(rate_of "$1") / 100 )); }

source "$REPO/demo/lib/lan.sh"
CLIENT=$REPO/out/client/eziopxe-client
SERVER_DLL=${SERVER_DLL_GIVEN:-$REPO/server/bin/Release/net10.0/eziopxe.dll}
LIBTORRENT_PEER=$REPO/tests/interop/libtorrent_peer.py
CLOCK=$REPO/bench/swarm-clock.py
RATES_TOOL=$REPO/bench/swarm-rates.py
SERVER_IP=10.78.0.1
SW=eziopxe-swarm-$$          # the switch: br0, and the server on it
CLIENT_NS_PREFIX=eziopxe-swarm-$$-c
# The cgroup the transfers' processes run in, for their CPU time: cgroup v2 (Debian 12's default)
# or v1's cpuacct hierarchy (hybrid hosts such as this one).
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  CG=/sys/fs/cgroup/eziopxe-bench-swarm-$$
  own_cpu_ns() { echo "$(awk '$1 == "usage_usec" { print $2 }' "$CG/cpu.stat")000"; }
elif [ -d /sys/fs/cgroup/cpuacct ]; then
  CG=/sys/fs/cgroup/cpuacct/eziopxe-bench-swarm-$$
  own_cpu_ns() { cat "$CG/cpuacct.usage"; }
else
  echo "bench/swarm.sh: no cgroup v2 at /sys/fs/cgroup and no v1 cpuacct hierarchy: cannot count CPU time" >&2; exit 1
fi
BACKGROUND=() LOOPS=() CLIENT_NS=()

# --- the LAN -------------------------------------------------------------------------------------
# shape DEV-IN-NS NS MBIT: egress of DEV limited to MBIT. The leaf is a byte FIFO of 50 ms at that
# rate (at least 256 KiB), a switch port's buffer; this kernel has no netem, fq_codel or sfq.
shape() {
  local ns=$1 dev=$2 mbit=$3 limit
  limit=$(( mbit * 1000000 / 8 / 20 )); [ "$limit" -ge 262144 ] || limit=262144
  ip netns exec "$ns" tc qdisc add dev "$dev" root handle 1: htb default 1
  ip netns exec "$ns" tc class add dev "$dev" parent 1: classid 1:1 htb rate "${mbit}mbit" ceil "${mbit}mbit" quantum 60000
  ip netns exec "$ns" tc qdisc add dev "$dev" parent 1:1 bfifo limit "$limit"
}
# lan_setup N MBIT: the switch namespace (br0 holds the server's address: what the server sends
# leaves through br0's own qdisc, its uplink) and N client namespaces, each with eth0 on a veth
# pair whose other end is a port of br0 (its qdisc is the client's downlink).
lan_setup() {
  local n=$1 mbit=$2 i ns
  lan_up "$SW" "$SERVER_IP/24"
  tcp_like_debian "$SW"
  # With its broadcast address: udpcast's sender and receivers find each other by broadcast.
  ip -n "$SW" addr del "$SERVER_IP/24" dev "$LAN_BRIDGE"
  ip -n "$SW" addr add "$SERVER_IP/24" brd + dev "$LAN_BRIDGE"
  shape "$SW" "$LAN_BRIDGE" "$mbit"
  for i in $(seq 1 "$n"); do
    ns=$CLIENT_NS_PREFIX$i
    ip netns add "$ns"; CLIENT_NS+=("$ns")
    ip -n "$ns" link set lo up
    tcp_like_debian "$ns"
    ip -n "$SW" link add "port$i" type veth peer name eth0 netns "$ns"
    ip -n "$SW" link set "port$i" master "$LAN_BRIDGE" up
    ip -n "$ns" link set eth0 address "$(mac_of "$i")" up
    ip -n "$ns" addr add "$(ip_of "$i")/24" brd + dev eth0
    shape "$SW" "port$i" "$mbit"
    shape "$ns" eth0 "$mbit"
  done
}
# tcp_like_debian NS: the namespace's TCP congestion control is what the machines and the server
# run: Debian's kernel (the one in the client's initramfs) defaults to cubic. A namespace inherits
# the host's, and a host tuned to bbr would measure a different TCP (bbr: 6 % slower medians at
# N = 16 here). A namespace may only pick an algorithm the host allows: cubic is added to the
# allowed list for the run and the list restored at the end.
tcp_like_debian() {
  local allowed=/proc/sys/net/ipv4/tcp_allowed_congestion_control
  if [ -z "$ALLOWED_CC_BEFORE" ] && ! grep -qw cubic "$allowed"; then
    ALLOWED_CC_BEFORE=$(cat "$allowed")
    echo "$ALLOWED_CC_BEFORE cubic" > "$allowed"
  fi
  ip netns exec "$1" sysctl -qw net.ipv4.tcp_congestion_control=cubic
}
ALLOWED_CC_BEFORE=
lan_teardown() {
  local ns
  for ns in "${CLIENT_NS[@]}"; do lan_down "$ns"; done
  lan_down "$SW"
  CLIENT_NS=()
  for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  LOOPS=()
}
mac_of() { printf '52:54:00:78:00:%02x' "$1"; }
ip_of() { echo "10.78.0.$((10 + $1))"; }

# --- the disks: one loop device per client over a preallocated file, direct I/O as on a real disk
disks_setup() {
  local n=$1 bytes=$2 i
  mkdir -p "$WORK/disks"
  for i in $(seq 1 "$n"); do
    fallocate -l "$bytes" "$WORK/disks/c$i"
    LOOPS+=("$(losetup --find --show --direct-io=on "$WORK/disks/c$i")")
  done
}
# disk_ours I: whether loop device I still sits on our file (the host's other users make and
# remove loop devices of their own all the time).
disk_ours() { [ "$(losetup -n -O BACK-FILE "${LOOPS[$1]}" 2>/dev/null | sed 's/ *$//')" = "$WORK/disks/c$(($1 + 1))" ]; }
# Every transfer starts from blank disks (ours would otherwise find the image already there).
disks_blank() {
  local i
  for i in "${!LOOPS[@]}"; do
    if ! disk_ours "$i"; then
      echo "  ${LOOPS[$i]} no longer holds $WORK/disks/c$((i + 1)): attaching it again" >&2
      LOOPS[$i]=$(losetup --find --show --direct-io=on "$WORK/disks/c$((i + 1))")
    fi
    # Flushed before (nothing dirty may land after the zeroing) and after (no stale cached page).
    blockdev --flushbufs "${LOOPS[$i]}"
    fallocate --zero-range --offset 0 --length "$S_BYTES" "$WORK/disks/c$((i + 1))"
    blockdev --flushbufs "${LOOPS[$i]}"
  done
}

# --- clocked processes ---------------------------------------------------------------------------
# IN_CGROUP CMD...: runs CMD in the cgroup whose CPU time is the transfer's own. A command, not a
# function, so that $! is the pid of CMD itself (it execs); before ip netns exec, which remounts
# /sys and hides /sys/fs/cgroup.
IN_CGROUP=(bash -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG")
# clocked NS NAME MATCH CMD...: CMD in NS, started at the go signal, clocked into $RUN/NAME.result.
clocked() {
  local ns=$1 name=$2 match=$3; shift 3
  local m=(); [ -n "$match" ] && m=(--match "$match")
  "${IN_CGROUP[@]}" ip netns exec "$ns" "$PY" "$CLOCK" --go "$RUN/go" --result "$RUN/$name.result" --log "$RUN/$name.log" "${m[@]}" -- "$@" &
  BACKGROUND+=($!)
}
# background NS NAME CMD...: a server process in NS, in the cgroup, log in $RUN/NAME.log; its pid in NAME_pid.
background() {
  local ns=$1 name=$2; shift 2
  "${IN_CGROUP[@]}" ip netns exec "$ns" "$@" > "$RUN/$name.log" 2>&1 &
  BACKGROUND+=($!)
  eval "${name}_pid=\$!"
}
stop_background() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
wait_for() { # SECONDS DESCRIPTION CMD...: polls CMD every 0.1 s
  local deadline=$(( SECONDS + $1 )) what=$2; shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "bench/swarm.sh: $what did not happen in time" >&2; return 1; }
    sleep 0.1
  done
}
all_ready() { local i; for i in $(seq 1 "$N"); do grep -qs '^ready' "$RUN/c$i.result" || return 1; done; }
tx_bytes() { ip netns exec "$SW" cat "/sys/class/net/$LAN_BRIDGE/statistics/tx_bytes"; }
host_cpu_ticks() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }   # user nice system irq softirq steal

# --- the four methods: prepare (servers up, machines waiting for the go) and finish -------------
prepare_ours() {
  # Every machine listed with a job armed always: a MAC gets a job only when the server expects it.
  local machines i
  machines=$(for i in $(seq 1 "$N"); do printf '%s{ "Mac": "%s", "Job": "swarm" }' "$([ "$i" = 1 ] || echo ', ')" "$(mac_of "$i")"; done)
  cat > "$RUN/eziopxe.json" <<JSON
{
  "Server": { "Address": "$SERVER_IP", "HttpPort": 8080, "PeerPort": 6881, "DataDirectory": "$RUN/data" },
  "Images": { "swarm": { "Source": "$IMAGE", "Torrent": "$IMAGE_DIR/ours.torrent" } },
  "Jobs": { "swarm": { "Image": "swarm", "Disk": "auto", "After": "wait", "Seed": "until-done", "ExpectedMachines": $N, "Arm": "always" } },
  "Machines": [ $machines ]
}
JSON
  background "$SW" server dotnet "$SERVER_DLL" serve --config "$RUN/eziopxe.json"
  wait_for 120 "eziopxe serve answering" ip netns exec "$SW" curl -sf -o /dev/null --max-time 2 "http://$SERVER_IP:8080/status"
  for i in $(seq 1 "$N"); do
    # ExpectedMachines = N: each client seeds until all N have the image, then exits (11: after=wait).
    clocked "$CLIENT_NS_PREFIX$i" "c$i" 'image written and verified' \
      "$CLIENT" --server="$SERVER_IP:8080" --disk="${LOOPS[$((i - 1))]}" --after=wait --seed=until-done --log="$CLIENT_LOG"
  done
}
finish_ours() {
  # The clients leave by themselves once the server says the room is done.
  wait_for 60 "every client exiting after the room is done" all_exited || true
  ip netns exec "$SW" curl -s --max-time 5 "http://$SERVER_IP:8080/status" > "$RUN/status.json" || true
  stop_background "$server_pid"
}

prepare_libtorrent() {
  echo "$LT_HASH" > "$RUN/whitelist"; chmod 755 "$RUN"; chmod 644 "$RUN/whitelist"
  background "$SW" tracker opentracker -i "$SERVER_IP" -p 6969 -P 6969 -w "$RUN/whitelist"
  # It loads the whitelist in a thread of its own after it listens: wait until an announce is accepted.
  wait_for 30 "opentracker accepting the torrent" tracker_accepts
  background "$SW" seeder "$PY" "$LIBTORRENT_PEER" seed "$IMAGE_DIR/lt.torrent" "$IMAGE_DIR" \
    --interface "$SERVER_IP" --port 6882 --timeout 86400
  wait_for 60 "the libtorrent seeder announcing itself" tracker_has_seeder
  local i
  for i in $(seq 1 "$N"); do
    rm -rf "$WORK/lt$i"; mkdir -p "$WORK/lt$i"
    # --stay: a finished leecher seeds to the others until all are done, as in a swarm.
    clocked "$CLIENT_NS_PREFIX$i" "c$i" '^done ' \
      "$PY" "$LIBTORRENT_PEER" leech "$IMAGE_DIR/lt.torrent" "$WORK/lt$i" --interface "$(ip_of "$i")" --port 6881 --stay --timeout 86400
  done
}
tracker_get() { ip netns exec "$SW" curl -s --max-time 2 "http://$SERVER_IP:6969/$1" | tr -d '\0'; }
tracker_accepts() {
  local reply; reply=$(tracker_get "announce?info_hash=$LT_HASH_URL&peer_id=-BENCH-000000000000&port=1&uploaded=0&downloaded=0&left=1&event=started")
  [ -n "$reply" ] && ! grep -q failure <<<"$reply" && tracker_get "announce?info_hash=$LT_HASH_URL&peer_id=-BENCH-000000000000&port=1&uploaded=0&downloaded=0&left=1&event=stopped" >/dev/null
}
tracker_has_seeder() { tracker_get "scrape?info_hash=$LT_HASH_URL" | grep -aq '8:completei[1-9]'; }
finish_libtorrent() {
  stop_clocked   # the leechers seed (--stay) until every one is done
  stop_background "$seeder_pid"; stop_background "$tracker_pid"
}

prepare_udpcast() {
  local i kbit=$(( MBIT * 10 * UDP_PERCENT ))
  # The sender is up first, as the other methods' servers are, and starts sending once all N
  # receivers have connected; multicast always (a lone receiver would otherwise get
  # point-to-point), full duplex: a switched LAN. --rexmit-hello-interval 100 (ms): without it the
  # sender waits 2 s after the last receiver connected before it starts.
  background "$SW" sender udp-sender --file "$IMAGE" --interface "$LAN_BRIDGE" --min-receivers "$N" --nokbd \
    --nopointopoint --full-duplex --max-bitrate "${kbit}k" --rexmit-hello-interval 100 --no-progress
  wait_for 30 "udp-sender listening" eval "ip netns exec '$SW' ss -uln | grep -q ':9001 '"
  for i in $(seq 1 "$N"); do
    clocked "$CLIENT_NS_PREFIX$i" "c$i" "" udp-receiver --file "${LOOPS[$((i - 1))]}" --interface eth0 --nokbd --no-progress
  done
}
finish_udpcast() { stop_background "$sender_pid"; }

prepare_http() {
  background "$SW" web "$PY" -m http.server 8000 --bind "$SERVER_IP" --directory "$IMAGE_DIR"
  wait_for 30 "the HTTP server answering" ip netns exec "$SW" curl -sf -o /dev/null --max-time 2 -I "http://$SERVER_IP:8000/image.raw"
  local i
  for i in $(seq 1 "$N"); do
    clocked "$CLIENT_NS_PREFIX$i" "c$i" '' curl -sS --fail -o "${LOOPS[$((i - 1))]}" "http://$SERVER_IP:8000/image.raw"
  done
}
finish_http() { stop_background "$web_pid"; }

# cgroup_empty: ends whatever of the transfer is still running (a child whose clock was killed).
cgroup_empty() {
  local left; left=$(cat "$CG/cgroup.procs")
  [ -z "$left" ] && return 0
  echo "  still running after the transfer, killed: $(ps -o comm= -p "$(echo $left | tr ' ' ',')" | sort | uniq -c | xargs)" >&2
  kill -9 $left 2>/dev/null || true
  for _ in $(seq 50); do [ -z "$(cat "$CG/cgroup.procs")" ] && break; sleep 0.1; done
}
stop_clocked() { local i; for i in $(seq 1 "$N"); do stop_background "${CLOCKED_PIDS[$i]}"; done; }
# count_states: how many machines are done and how many failed (exited without being done), from
# their result files, each read once. Bash builtins only: this runs every 0.1 s during a transfer,
# and an awk per machine per poll (320 processes a second at N = 32) took a tenth of the host's CPU
# away from the transfer being measured.
count_states() {
  local i word finished exited
  done=0 failed=0
  for (( i = 1; i <= N; i++ )); do
    [ -f "$RUN/c$i.result" ] || continue
    finished=0 exited=0
    while read -r word _; do
      case $word in done) finished=1 ;; exit) exited=1 ;; esac
    done < "$RUN/c$i.result"
    if [ "$finished" = 1 ]; then done=$((done + 1)); elif [ "$exited" = 1 ]; then failed=$((failed + 1)); fi
  done
}
all_exited() { local i; for i in $(seq 1 "$N"); do grep -qs '^exit' "$RUN/c$i.result" || return 1; done; }

# verify METHOD I: the machine's copy has the image's sha256.
copy_of() { [ "$1" = libtorrent ] && echo "$WORK/lt$2/image.raw" || echo "${LOOPS[$(($2 - 1))]}"; }
verify() {
  local path; path=$(copy_of "$1" "$2")
  [ -b "$path" ] && blockdev --flushbufs "$path"
  [ "$(head -c "$S_BYTES" "$path" 2>/dev/null | sha256sum | cut -d' ' -f1)" = "$IMAGE_SHA256" ]
}

# transfer METHOD ROUND: one delivery to all N machines; appends a line to $RESULTS.
transfer() {
  local method=$1 round=$2
  RUN=$WORK/n$N-r$round-$method; mkdir -p "$RUN"
  BACKGROUND=(); CLOCKED_PIDS=()
  disks_blank
  "prepare_$method"
  # The clocked pids of c1..cN are the last N started.
  local i; for i in $(seq 1 "$N"); do CLOCKED_PIDS[$i]=${BACKGROUND[$(( ${#BACKGROUND[@]} - N + i - 1 ))]}; done
  wait_for 60 "all $N machines ready" all_ready
  local tx0 cpu0 own0 t0
  tx0=$(tx_bytes) cpu0=$(host_cpu_ticks) own0=$(own_cpu_ns)
  t0=$EPOCHREALTIME
  local sampler=
  if [ "$RATES" = 1 ]; then   # outside the transfer's cgroup: its CPU is not the method's
    ip netns exec "$SW" "$PY" "$RATES_TOOL" sample "$N" "$RUN/rates.tsv" & sampler=$!
  fi
  : > "$RUN/go"
  local deadline=$(( SECONDS + TIMEOUT )) done failed
  while :; do
    count_states
    [ $((done + failed)) -lt "$N" ] && [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.1
  done
  local tx1 cpu1 own1
  cpu1=$(host_cpu_ticks) own1=$(own_cpu_ns)
  if [ -n "$sampler" ]; then
    stop_background "$sampler"
    "$PY" "$RATES_TOOL" summary "$N" "$RUN/rates.tsv" > "$RUN/rates.txt" || true
    echo "  link rates ($method, round $round): $RUN/rates.txt" >&2
  fi
  "finish_$method"
  stop_clocked   # whatever did not finish in time
  cgroup_empty   # nothing of this transfer may run into the next one
  tx1=$(tx_bytes)   # after the stop: what was still in flight when the last machine finished counts too
  # Completion times relative to the go, sorted; a machine that finished only after the timeout
  # (while ours waited for its room to end) did not finish.
  local times; times=$(for i in $(seq 1 "$N"); do awk -v t0="$t0" -v limit="$TIMEOUT" '/^done/ && $2 - t0 <= limit { printf "%.3f\n", $2 - t0 }' "$RUN/c$i.result"; done | sort -n | tr '\n' ' ')
  done=$(wc -w <<<"$times")
  for i in $(seq 1 "$N"); do
    grep -qs '^done' "$RUN/c$i.result" || { echo "  machine $i did not finish ($method); last lines of its log:" >&2; tail -c 600 "$RUN/c$i.log" | tr '\r' '\n' | tail -5 | sed 's/^/    /' >&2; }
  done
  # The copies: every machine's by default, else the first K.
  local verified=0 checked=0 k=$N
  [ "$VERIFY" -gt 0 ] && [ "$VERIFY" -lt "$N" ] && k=$VERIFY
  for i in $(seq 1 "$k"); do
    checked=$((checked + 1))
    if verify "$method" "$i"; then verified=$((verified + 1))
    elif [ "$method" != libtorrent ] && ! disk_ours $((i - 1)); then
      echo "  machine $i: ${LOOPS[$((i - 1))]} was detached from its file during the transfer (not by us): copy lost" >&2
    else echo "  machine $i: its copy ($method) does NOT match the image" >&2; fi
  done
  [ "$done" = "$N" ] && [ "$verified" = "$checked" ] || FAILED=$((FAILED + 1))
  local origin_payload=-
  [ "$method" = ours ] && origin_payload=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"][0]["uploaded"])' "$RUN/status.json" 2>/dev/null || echo -)
  awk -v n="$N" -v mbit="$MBIT" -v s="$S_BYTES" -v method="$method" -v round="$round" -v done="$done" \
      -v verified="$verified" -v checked="$checked" -v tx="$((tx1 - tx0))" -v payload="$origin_payload" \
      -v cpu="$((cpu1 - cpu0))" -v hz="$(getconf CLK_TCK)" -v own="$((own1 - own0))" -v times="$times" 'BEGIN {
    c = split(times, t, " "); sb = s / (mbit * 1e6 / 8)
    if (c == 0) { tmin = tmed = tmax = "-"; ratio = "-" } else {
      tmin = sprintf("%.1f", t[1]); tmax = sprintf("%.1f", t[c])
      tmed = sprintf("%.1f", c % 2 ? t[(c + 1) / 2] : (t[c / 2] + t[c / 2 + 1]) / 2)
      ratio = sprintf("%.2f", t[c] / sb) }
    if (done < n || verified < checked) ratio = ratio "*"
    printf "%d\t%d\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s/%d\t%d/%d\t%.2f\t%s\t%.1f\t%.1f\n", n, mbit, s / 1048576, method, round, tmax, ratio,
      tmin, tmed, done, n, verified, checked, tx / s, payload == "-" ? "-" : sprintf("%.2f", payload / s), cpu / hz, own / 1e9 }' \
    | tee -a "$RESULTS" | awk -F'\t' '{ printf "%-4s %5s %5s %-11s %5s %8s %8s %7s %7s %6s %8s %7s %7s %8s %7s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 }'
  BACKGROUND=()
}

# --- set-up and clean-up ---------------------------------------------------------------------------
# Read by opentracker, which drops root: the directory must be world-readable.
WORK=$(mktemp -d /var/tmp/eziopxe-bench-swarm.XXXXXX); chmod 755 "$WORK"
cleanup() {
  local status=$?
  set +e
  for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null; done
  lan_teardown
  [ -z "$ALLOWED_CC_BEFORE" ] || echo "$ALLOWED_CC_BEFORE" > /proc/sys/net/ipv4/tcp_allowed_congestion_control
  for pid in "${BACKGROUND[@]}"; do wait "$pid" 2>/dev/null; done
  [ -d "$CG" ] && { for pid in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done; sleep 0.2; rmdir "$CG"; }
  if [ "$KEEP" = 1 ]; then
    rm -rf "$WORK/disks" "$WORK"/lt[0-9]* "$WORK"/image-*/image.raw
    echo "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The client is rebuilt only when missing: NativeAOT publishing takes minutes (./build.sh client).
[ -x "$CLIENT" ] || ./build.sh client
# Given a server (the CI test, after the solution's build), it runs as it is.
if [ -z "$SERVER_DLL_GIVEN" ]; then
  dotnet build server -c Release --nologo -v quiet -clp:NoSummary >/dev/null
fi
[ -f "$SERVER_DLL" ] || { echo "bench/swarm.sh: $SERVER_DLL not found" >&2; exit 1; }
mkdir "$CG"

# --- the run -------------------------------------------------------------------------------------
RESULTS=$WORK/results.tsv; : > "$RESULTS"
FAILED=0   # transfers where a machine did not finish or a copy differs
echo "swarm: N in ($N_LIST), methods ($METHODS), $ROUNDS round(s), piece size $PIECE; T in s from the go to the last verified copy"
echo "       origin x = bytes br0 sent (the server's uplink, frames with headers) / S; ours' payload x from its /status; CPU s: host (/proc/stat, everyone's) and own (this transfer's processes)"
printf '%-4s %5s %5s %-11s %5s %8s %8s %7s %7s %6s %8s %7s %7s %8s %7s\n' N Mbit MiB method round T T/\(S/B\) min median done verified origin-x payload-x host-CPU own-CPU
for N in $N_LIST; do
  MBIT=$(rate_of "$N") SIZE_MIB=$(size_of "$N")
  S_BYTES=$((SIZE_MIB << 20))
  SB=$(( S_BYTES * 8 / (MBIT * 1000000) ))
  # Generous: http needs N x S/B; a swarm that takes 6 x S/B has failed anyway.
  TIMEOUT=${TIMEOUT_GIVEN:-$(( 60 + SB * (N > 6 ? 2 * N : 12) ))}
  IMAGE_DIR=$WORK/image-$SIZE_MIB IMAGE=$WORK/image-$SIZE_MIB/image.raw
  if [ ! -f "$IMAGE" ]; then
    mkdir -p "$IMAGE_DIR"; chmod 755 "$IMAGE_DIR"
    head -c "$S_BYTES" /dev/urandom > "$IMAGE"
    # Random bytes: no partition table and no zero blocks, so the whole file travels (one extent).
    dotnet "$SERVER_DLL" image create "$IMAGE" --name swarm --piece-size "$PIECE" --output "$IMAGE_DIR/ours.torrent" > "$IMAGE_DIR/create.log"
    mktorrent -l "$PIECE_LOG2" -a "http://$SERVER_IP:6969/announce" -o "$IMAGE_DIR/lt.torrent" "$IMAGE" >/dev/null
  fi
  IMAGE_SHA256=$(sha256sum "$IMAGE" | cut -d' ' -f1)
  LT_HASH=$("$PY" -c 'import libtorrent as lt, sys; print(lt.torrent_info(sys.argv[1]).info_hash())' "$IMAGE_DIR/lt.torrent")
  LT_HASH_URL=$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(bytes.fromhex(sys.argv[1])))' "$LT_HASH")
  lan_setup "$N" "$MBIT"
  disks_setup "$N" "$S_BYTES"
  for round in $(seq 1 "$ROUNDS"); do
    for method in $METHODS; do transfer "$method" "$round"; done
  done
  lan_teardown
  rm -rf "$WORK/disks" "$WORK"/lt[0-9]*
  [ "$KEEP" = 1 ] || rm -rf "$WORK"/n"$N"-*
done

# The best round of each method per N (lowest T among rounds where every machine finished and
# every copy checked was right).
echo
echo "best of $ROUNDS round(s) per N (markdown, for docs/benchmarks.md):"
"$PY" - "$RESULTS" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
methods = ["udpcast", "libtorrent", "ours", "http"]
print("| N, link, image | " + " | ".join(f"{m} T/(S/B)" for m in methods) + " | origin sent (ours) | own CPU s (ours / libtorrent) |")
print("|---|" + "---|" * (len(methods) + 2))
for key in sorted({(int(r[0]), r[1], r[2]) for r in rows}):
    n, mbit, mib = key
    best = {}
    for r in rows:
        if (int(r[0]), r[1], r[2]) != key or r[6].endswith("*") or r[6] == "-":
            continue
        m = r[3]
        if m not in best or float(r[6]) < float(best[m][6]):
            best[m] = r
    cell = lambda m: best[m][6] if m in best else "-"
    origin = f"{best['ours'][11]}x" if "ours" in best else "-"
    cpu = f"{best['ours'][14] if 'ours' in best else '-'} / {best['libtorrent'][14] if 'libtorrent' in best else '-'}"
    print(f"| {n}, {mbit} Mbit, {mib} MiB | " + " | ".join(cell(m) for m in methods) + f" | {origin} | {cpu} |")
PY
[ "$FAILED" = 0 ] || { echo "bench/swarm.sh: $FAILED transfer(s) incomplete or with a wrong copy (marked *)" >&2; exit 1; }
