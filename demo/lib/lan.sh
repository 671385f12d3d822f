# The private virtual LAN: one network namespace holding a bridge with the server's address and
# one tap device per machine. Nothing in the namespace is connected to the host's network, so no
# packet the demo makes (DHCP broadcasts included) can leave it. Sourced by demo/run.sh.

LAN_BRIDGE=br0

# lan_up NS ADDRESS/PREFIX
lan_up() {
  local ns=$1 address=$2
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # forward_delay 0: ports forward at once (STP is off); a PXE ROM gives up on DHCP long before 15 s.
  ip -n "$ns" link add "$LAN_BRIDGE" type bridge forward_delay 0 stp_state 0
  ip -n "$ns" addr add "$address" dev "$LAN_BRIDGE"
  ip -n "$ns" link set "$LAN_BRIDGE" up
}

# lan_add_tap NS NAME: a tap device for one QEMU machine, enslaved to the bridge.
lan_add_tap() {
  ip -n "$1" tuntap add dev "$2" mode tap
  ip -n "$1" link set "$2" master "$LAN_BRIDGE" up
}

# lan_down NS: ends every process still inside (all of them ours) and removes the namespace,
# which takes the bridge and the taps with it.
lan_down() {
  local ns=$1 pids
  ip netns list | grep -qw "^$ns" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  if [ -n "$pids" ]; then
    kill $pids 2>/dev/null || true
    sleep 1
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  fi
  ip netns del "$ns"
}
