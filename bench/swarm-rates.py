#!/usr/bin/env python3
"""Per-machine link rates during one transfer of bench/swarm.sh (its --rates option).

  swarm-rates.py sample N OUT   run inside the switch namespace: every 0.25 s, one line of the
                                time and, for port1..portN, the bytes sent to the machine (its
                                downlink) and from it (its uplink), then what br0 sent (the
                                server's uplink); until killed
  swarm-rates.py summary N OUT  per second: the lowest, median and highest downlink and uplink
                                of the machines and the server's uplink, in MB/s of wire bytes;
                                then each machine's averages over the middle of the transfer

One Python process reads the 2N+1 counter files in turn; it runs outside the transfer's cgroup, so
its CPU is not counted as the method's (it still shares the host's cores with the transfer).
"""
import statistics
import sys
import time


def sample(n, out):
    paths = []
    for i in range(1, n + 1):
        paths += [f"/sys/class/net/port{i}/statistics/tx_bytes", f"/sys/class/net/port{i}/statistics/rx_bytes"]
    paths.append("/sys/class/net/br0/statistics/tx_bytes")
    with open(out, "w", buffering=1) as f:
        while True:
            values = []
            for path in paths:
                with open(path) as counter:
                    values.append(counter.read().strip())
            f.write(f"{time.time():.3f} {' '.join(values)}\n")
            time.sleep(0.25)


def summary(n, out):
    rows = [list(map(float, line.split())) for line in open(out) if len(line.split()) == 2 * n + 2]
    if len(rows) < 2:
        print("no samples")
        return
    t0 = rows[0][0]
    print("  t s   downlinks min / median / max   uplinks min / median / max   server  (MB/s)")
    last = rows[0]
    for row in rows[1:]:
        if row[0] - last[0] < 1.0 and row is not rows[-1]:
            continue
        dt = row[0] - last[0]
        down = sorted((row[1 + 2 * i] - last[1 + 2 * i]) / dt / 1e6 for i in range(n))
        up = sorted((row[2 + 2 * i] - last[2 + 2 * i]) / dt / 1e6 for i in range(n))
        server = (row[-1] - last[-1]) / dt / 1e6
        print(f"{row[0] - t0:6.1f}   {down[0]:6.2f} {statistics.median(down):6.2f} {down[-1]:6.2f}"
              f"          {up[0]:6.2f} {statistics.median(up):6.2f} {up[-1]:6.2f}        {server:6.2f}")
        last = row
    # The middle: from a fifth to four fifths of the sampled time, past the start and before the end.
    first = min(rows, key=lambda r: abs(r[0] - (t0 + 0.2 * (rows[-1][0] - t0))))
    second = min(rows, key=lambda r: abs(r[0] - (t0 + 0.8 * (rows[-1][0] - t0))))
    dt = second[0] - first[0]
    if dt > 0:
        down = [(second[1 + 2 * i] - first[1 + 2 * i]) / dt / 1e6 for i in range(n)]
        up = [(second[2 + 2 * i] - first[2 + 2 * i]) / dt / 1e6 for i in range(n)]
        print(f"middle ({first[0] - t0:.1f}-{second[0] - t0:.1f} s), per machine: downlinks "
              f"{min(down):.2f}-{max(down):.2f}, uplinks {min(up):.2f}-{max(up):.2f}, "
              f"server {(second[-1] - first[-1]) / dt / 1e6:.2f} MB/s")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("sample", "summary"):
        sys.exit(__doc__)
    {"sample": sample, "summary": summary}[sys.argv[1]](int(sys.argv[2]), sys.argv[3])
