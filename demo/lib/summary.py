#!/usr/bin/env python3
"""The demo's closing report, from what demo/run.sh recorded in its work directory:

  machines.tsv   index, MAC, power-on and exit time (Unix seconds), how QEMU ended, what was
                 expected (deploy | refuse | power-cut-missed), the disk check (ok | failed | -), the serial log
  status.jsonl   "<unix time>\t<GET /status JSON>" about once a second, the server's view

Times are read from the server's status (first report in state "downloading" = transfer start,
first "seeding" or "done" = image complete), measured from the moment QEMU was started.
Prints a table, the server's error for every failed machine, and as the very last lines one
machine-readable line per machine:  machine N MAC ok|refused|failed SECONDS s
Exit status 0 when every machine did what was expected of it.
"""
import json
import sys

work = sys.argv[1]


def norm(mac):
    return (mac or "").lower().replace("-", ":")


machines = []
with open(f"{work}/machines.tsv") as f:
    for line in f:
        index, mac, started, exited, ended, expected, verified, log = line.rstrip("\n").split("\t")
        machines.append(dict(index=int(index), mac=norm(mac), started=float(started), exited=float(exited),
                             ended=ended, expected=expected, verified=verified, log=log))

first_seen = {}   # (mac, state) -> time
last_view = {}    # mac -> last machine record
last_images = []  # the last status's images (the origin's upload counter)
try:
    with open(f"{work}/status.jsonl") as f:
        for line in f:
            stamp, _, body = line.partition("\t")
            try:
                status = json.loads(body)
            except ValueError:
                continue  # the server was not up yet, or the poll was cut off
            last_images = status.get("images", last_images)
            for m in status.get("machines", []):
                mac = norm(m.get("mac"))
                last_view[mac] = m
                state = m.get("state")
                if state == "downloading" and (m.get("report") or {}).get("bytesDone", 0) == 0:
                    state = "downloading-0"
                first_seen.setdefault((mac, state), float(stamp))
except FileNotFoundError:
    pass


def since(m, *states):
    times = [first_seen[(m["mac"], s)] for s in states if (m["mac"], s) in first_seen]
    return min(times) - m["started"] if times else None


def fmt(t):
    return "-" if t is None else f"{t:6.1f} s"


all_good = True
rows = []
for m in machines:
    view = last_view.get(m["mac"], {})
    start = since(m, "downloading-0", "downloading")
    complete = since(m, "seeding", "done")
    total = m["exited"] - m["started"]
    error = (view.get("report") or {}).get("error")
    if m["expected"] == "refuse":
        # Refused as expected: the server must have the client's error, and it must say why.
        good = view.get("state") == "failed" and error is not None and "too small" in error
        word = "refused" if good else "failed"
        check = "refused: disk too small (expected)" if good else f"NOT refused as expected (server: {view.get('state', 'no report')})"
    elif m["expected"] == "power-cut-missed":
        # --power-cut: the machine finished before its console showed 40 %: nothing was proven.
        good, word, check = False, "failed", "the power cut did not happen"
    else:
        good = m["ended"] == "poweroff" and m["verified"] == "ok"
        word = "ok" if good else "failed"
        if m["verified"] == "ok":
            check = "disk verified" if m["ended"] == "poweroff" else f"disk verified, but QEMU {m['ended']}"
        elif m["verified"] == "failed":
            check = "DISK DIFFERS (see its verify log)"
        else:
            check = f"not verified: QEMU {m['ended']}"
    all_good &= good
    rows.append((m, start, complete, total, check, word, error))

print()
print("machine  MAC                 to transfer start  to image complete  to power-off  result")
for m, start, complete, total, check, word, error in rows:
    print(f"{m['index']:>7}  {m['mac']}  {fmt(start):>17}  {fmt(complete):>17}  {fmt(total):>12}  {check}")
if machines:
    span = max(m["exited"] for m in machines) - min(m["started"] for m in machines)
    deployed = [r for r in rows if r[0]["expected"] != "refuse"]
    print(f"total: {span:.1f} s from the first power-on to the last machine off; "
          f"{sum(1 for r in deployed if r[5] == 'ok')} of {len(deployed)} deployed and verified")
for image in last_images:
    if image.get("bytes") and image.get("uploaded"):
        print(f"image {image['name']}: {image['bytes'] / 1e6:.1f} MB travel; the server's BitTorrent seeder sent "
              f"{image.get('uploaded', 0) / 1e6:.1f} MB ({image.get('uploaded', 0) / image['bytes']:.2f} x the image)")
for m, start, complete, total, check, word, error in rows:
    if error:
        print(f"server status for machine {m['index']} ({m['mac']}): {last_view[m['mac']].get('state')}: {error}")
    if word == "failed":
        print(f"machine {m['index']}: see {m['log']}")
print("RESULT: " + ("every machine did what was expected" if all_good else "FAILED"))
for m, start, complete, total, check, word, error in rows:
    print(f"machine {m['index']} {m['mac']} {word} {total:.1f}s")
sys.exit(0 if all_good else 1)
