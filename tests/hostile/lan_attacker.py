#!/usr/bin/env python3
"""A hostile host on the deployment LAN (issue 14), run by demo/run.sh --attack in a network
namespace of its own beside the server and a real PXE-booting machine. Standard library only.

All attacks run at once, from --source, until --stop exists:
  1. three announces with left=0 every 5 s (claiming to be seeders, to hide the origin)
  2. --idle handshaken connections to the origin seeder that never ask for anything
  3. 10,000 announces with distinct peer ids
  4. thousands of progress reports for made-up MACs, with whatever keys it can get
  5. fake done / downloading / failed reports for the real machine (key from its job and from its
     boot menu) and for made-up ones
  7. 512 TFTP requests with timeout 255 and 60 netascii ones, never acknowledged, again and again
  9. requests with a missing or bad Host header
Meanwhile a bystander (--bystander, another address of this namespace) watches /status every
second and fetches a file by TFTP during the TFTP flood. At the end the verdict: one line per
check, "HOSTILE: ok" or "HOSTILE: FAILED (...)", exit 0 or 1.
"""
import argparse
import http.client
import json
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("--server", required=True)
parser.add_argument("--http-port", type=int, default=8080)
parser.add_argument("--peer-port", type=int, default=6881)
parser.add_argument("--tftp-port", type=int, default=69)
parser.add_argument("--job", required=True)
parser.add_argument("--real-mac", required=True)
parser.add_argument("--source", required=True)
parser.add_argument("--bystander", required=True)
parser.add_argument("--tftp-file", required=True, help="a file of the TFTP root the bystander fetches")
parser.add_argument("--netascii-file", required=True, help="a large file to ask for in netascii")
parser.add_argument("--server-pid", type=int, required=True)
parser.add_argument("--per-address", type=int, default=4, help="Server:MachinesPerAddress")
parser.add_argument("--max-rss-mib", type=int, default=400)
parser.add_argument("--idle", type=int, default=80)
parser.add_argument("--stop", required=True)
args = parser.parse_args()

lock = threading.Lock()
counts = {}
notes = []


def count(name, n=1):
    with lock:
        counts[name] = counts.get(name, 0) + n


def stopping():
    return os.path.exists(args.stop)


def log(text):
    print(f"attacker {time.strftime('%H:%M:%S')}: {text}", flush=True)


class Http:
    """One keep-alive HTTP/1.1 connection from a chosen source address."""

    def __init__(self, source, timeout=15):
        self.source, self.timeout, self.conn = source, timeout, None

    def request(self, method, path, body=None, headers=None, host=True):
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(args.server, args.http_port, timeout=self.timeout,
                                                           source_address=(self.source, 0))
                    self.conn.connect()
                self.conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                if host is True:
                    self.conn.putheader("Host", f"{args.server}:{args.http_port}")
                elif host is not None:
                    self.conn.putheader("Host", host)
                for k, v in (headers or {}).items():
                    self.conn.putheader(k, v)
                if body is not None:
                    self.conn.putheader("Content-Length", str(len(body)))
                self.conn.endheaders(body)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, data
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def json(self, path):
        status, data = self.request("GET", path)
        return status, (json.loads(data) if status == 200 else None)

    def post_json(self, path, value):
        return self.request("POST", path, json.dumps(value).encode(), {"Content-Type": "application/json"})

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def info_hash_hex():
    for _ in range(60):
        try:
            status, job = Http(args.source).json(f"/jobs/{args.job}")
            if status == 200 and job.get("infoHash"):
                return job["infoHash"]
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit("attacker: the server never gave the job's info-hash")


INFO_HASH = bytes.fromhex(info_hash_hex())


def announce_path(peer_id, left, port, event=None):
    query = {"info_hash": INFO_HASH, "peer_id": peer_id, "port": str(port), "uploaded": "0",
             "downloaded": "0", "left": str(left), "compact": "1", "numwant": "200"}
    if event:
        query["event"] = event
    return "/announce?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)


def compact_peers(body):
    """The peers of a bencoded compact announce answer (good enough: finds '5:peers<n>:')."""
    match = re.search(rb"5:peers(\d+):", body)
    if not match:
        return None
    start, length = match.end(), int(match.group(1))
    raw = body[start:start + length]
    return [(socket.inet_ntoa(raw[i:i + 4]), struct.unpack(">H", raw[i + 4:i + 6])[0]) for i in range(0, len(raw) - 5, 6)]


def origin_in(body):
    peers = compact_peers(body)
    return peers is not None and (args.server, args.peer_port) in peers


# --- 1. left=0 claims, and a leecher's view --------------------------------------------------------
def hide_the_origin():
    http_ = Http(args.source)
    seeders = [b"-XX0001-" + bytes(f"seed{i:08d}", "ascii") for i in range(3)]
    leecher = b"-XX0001-leecher00001"
    while not stopping():
        for i, peer_id in enumerate(seeders):
            http_.request("GET", announce_path(peer_id, 0, 7000 + i))
            count("left0 announces")
        # A machine that still needs data must still be offered the origin.
        _, body = http_.request("GET", announce_path(leecher, 1000, 7100))
        count("leecher announces")
        if not origin_in(body):
            count("leecher announces without the origin")
        time.sleep(5)


# --- 2. idle handshaken connections to the origin ---------------------------------------------------
def idle_connections():
    handshake = b"\x13BitTorrent protocol" + bytes(8) + INFO_HASH
    sockets = []
    for i in range(args.idle):
        s = socket.socket()
        s.settimeout(5)
        try:
            s.bind((args.source, 0))
            s.connect((args.server, args.peer_port))
            s.sendall(handshake + b"-XX0001-" + bytes(f"idle{i:08d}", "ascii"))
            answer = s.recv(68)
            if len(answer) >= 48 and answer[28:48] == INFO_HASH:
                count("idle connections handshaken")
                s.setblocking(False)
                sockets.append(s)
            else:
                count("idle connections refused")
                s.close()
        except OSError:
            count("idle connections refused")
            s.close()
    log(f"{len(sockets)} idle handshaken connections to the origin held (of {args.idle})")
    # Hold them, reading and dropping whatever comes, never asking for a piece.
    while not stopping():
        for s in list(sockets):
            try:
                if s.recv(65536) == b"":
                    raise ConnectionResetError
            except BlockingIOError:
                pass
            except OSError:
                sockets.remove(s)
                count("idle connections closed by the server")
        time.sleep(1)
    for s in sockets:
        s.close()


# --- 3. 10,000 announces with distinct peer ids, round after round ---------------------------------
def announce_flood():
    http_ = Http(args.source)
    round_ = 0
    while not stopping():
        for i in range(10_000):
            if stopping():
                break
            try:
                _, body = http_.request("GET", announce_path(b"-XX0002-" + bytes(f"{round_:03d}{i:09d}", "ascii"), 5000, 20000 + i % 30000))
                count("flood announces")
                if b"failure reason" in body:
                    count("flood announces failed")
            except OSError:
                count("flood announces unanswered")
        round_ += 1
        count("flood rounds")
        log(f"announce flood round {round_} done: {counts.get('flood announces', 0)} answered so far")


# --- 4. progress reports for made-up machines, round after round ------------------------------------
def invented_machines():
    http_ = Http(args.source)
    states = ["done", "downloading", "failed", "done", "seeding"]
    i = 0
    while not stopping():
        mac = f"02:66:00:{i // 65536 % 256:02x}:{i // 256 % 256:02x}:{i % 256:02x}"
        status, job = http_.json(f"/jobs/{args.job}?mac={mac}")
        key = job.get("key") if job else None
        if key:
            count("keys for made-up machines")
        report = {"mac": mac, "job": args.job, "state": states[i % len(states)], "key": key,
                  "bytesDone": 10, "bytesTotal": 10, "hostname": "x" * 2000, "error": "y" * 20000}
        status, _ = http_.post_json("/progress", report)
        count(f"made-up reports {status}")
        i += 1
    log(f"{i} made-up machine reports sent")


# --- 5. fake reports for the real machine --------------------------------------------------------------
def fake_real_machine():
    http_ = Http(args.source)
    hyphenated = args.real_mac.replace(":", "-")
    while not stopping():
        keys = set()
        status, job = http_.json(f"/jobs/{args.real_mac}")
        if job and job.get("key"):
            keys.add(job["key"])
            count("real machine keys from its job")
        status, menu = http_.request("GET", f"/ipxe/{hyphenated}.ipxe")
        found = re.search(rb"ezio\.key=([0-9a-f]{32})", menu) if status == 200 else None
        if found:
            keys.add(found.group(1).decode())
            count("real machine keys from its boot menu")
        for key in keys or {None}:
            for state in ("failed", "done", "downloading"):
                report = {"mac": args.real_mac, "job": args.job, "state": state, "key": key, "bytesDone": 1, "bytesTotal": 10,
                          "hostname": "hacked", "error": "pwned", "address": "10.77.0.66"}
                status, _ = http_.post_json("/progress", report)
                count(f"real machine fake reports {status}")
        time.sleep(2)


# --- 7. stalled TFTP requests ----------------------------------------------------------------------------
def tftp_request(name, mode, options):
    packet = b"\x00\x01" + name.encode() + b"\x00" + mode.encode() + b"\x00"
    for k, v in options.items():
        packet += k.encode() + b"\x00" + v.encode() + b"\x00"
    return packet


def tftp_stall():
    sockets = []
    while not stopping():
        for s in sockets:
            s.close()
        sockets = []
        for i in range(572):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((args.source, 0))
            if i < 512:
                s.sendto(tftp_request(args.tftp_file, "octet", {"timeout": "255", "blksize": "1468"}), (args.server, args.tftp_port))
            else:
                s.sendto(tftp_request(args.netascii_file, "netascii", {"timeout": "255"}), (args.server, args.tftp_port))
            sockets.append(s)  # never read, never acknowledged
            count("stalled TFTP requests")
        for _ in range(10):
            if stopping():
                break
            time.sleep(1)
    for s in sockets:
        s.close()


def tftp_fetch(source, name):
    """A plain octet TFTP read (RFC 1350, 512-byte blocks) from source; the bytes, or raises."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((source, 0))
    s.settimeout(3)
    try:
        s.sendto(tftp_request(name, "octet", {}), (args.server, args.tftp_port))
        data, expected = b"", 1
        while True:
            packet, peer = s.recvfrom(2048)
            opcode, block = struct.unpack(">HH", packet[:4])
            if opcode == 5:
                raise OSError(f"TFTP error {block}: {packet[4:-1].decode(errors='replace')}")
            if opcode != 3:
                continue
            if block == expected % 65536:
                data += packet[4:]
                expected += 1
            s.sendto(struct.pack(">HH", 4, block), peer)
            if len(packet) - 4 < 512:
                return data
    finally:
        s.close()


def bystander_tftp():
    time.sleep(3)  # inside the first flood
    while not stopping():
        started = time.monotonic()
        try:
            data = tftp_fetch(args.bystander, args.tftp_file)
            count("bystander TFTP fetches")
            with lock:
                notes.append(f"bystander TFTP fetch of {args.tftp_file}: {len(data)} bytes in {time.monotonic() - started:.1f} s")
        except OSError as e:
            count("bystander TFTP failures")
            with lock:
                notes.append(f"bystander TFTP fetch failed: {e}")
        time.sleep(15)


# --- 9. bad Host headers ---------------------------------------------------------------------------------------
def bad_hosts():
    for host, label in ((None, "no Host"), ("", "empty Host"), ("evil.example:1/x?y", "a path in Host"), ("[::1", "a broken IPv6 Host")):
        http_ = Http(args.source)
        try:
            status, body = http_.request("GET", f"/jobs/{args.job}", host=host)
        except OSError as e:
            status, body = 0, str(e).encode()
        http_.close()
        count(f"bad Host {status}")
        if status == 200 and b"http:///" in body:
            count("bad Host gave http:///")
        with lock:
            notes.append(f"GET /jobs/{args.job} with {label}: {status}" + (f" torrentUrl {json.loads(body).get('torrentUrl')}" if status == 200 else ""))


# --- the bystander's view of the status page ------------------------------------------------------------
watch = {"max_latency": 0.0, "max_bytes": 0, "premature_room_done": 0, "polls": 0, "errors": 0, "real_states": []}


def watch_status():
    http_ = Http(args.bystander, timeout=10)
    while not stopping():
        started = time.monotonic()
        try:
            status, body = http_.request("GET", "/status")
        except OSError:
            watch["errors"] += 1
            time.sleep(1)
            continue
        latency = time.monotonic() - started
        watch["polls"] += 1
        watch["max_latency"] = max(watch["max_latency"], latency)
        watch["max_bytes"] = max(watch["max_bytes"], len(body))
        if status == 200:
            page = json.loads(body)
            real = next((m for m in page["machines"] if m["mac"] == args.real_mac), None)
            state = real["state"] if real else "absent"
            if not watch["real_states"] or watch["real_states"][-1] != state:
                watch["real_states"].append(state)
            room = next(j for j in page["jobs"] if j["name"] == args.job)
            if room["roomDone"] and state not in ("seeding", "done"):
                watch["premature_room_done"] += 1
        time.sleep(1)


def regressed(states):
    """Whether the page showed the real machine go back once its client reported (a fake boot or report believed)."""
    reported = False
    for state in states:
        if state in ("starting", "checking", "downloading", "seeding", "done"):
            reported = True
        elif reported:
            return True
    return False


def rss_mib():
    try:
        with open(f"/proc/{args.server_pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def watch_memory():
    while not stopping():
        value = rss_mib()
        if value is not None:
            watch["max_rss"] = max(watch.get("max_rss", 0), value)
        time.sleep(1)


def main():
    log(f"from {args.source} (bystander {args.bystander}); info-hash {INFO_HASH.hex()}")
    watch["rss_before"] = rss_mib()
    threads = [threading.Thread(target=f, name=f.__name__, daemon=True) for f in
               (hide_the_origin, idle_connections, announce_flood, invented_machines, fake_real_machine,
                tftp_stall, bystander_tftp, bad_hosts, watch_status, watch_memory)]
    errors = []

    def guarded(target):
        def run():
            try:
                target()
            except Exception as e:  # an attack that broke is a broken test, not a passed one
                errors.append(f"{target.__name__}: {type(e).__name__}: {e}")
        return run

    for t in threads:
        t._target = guarded(t._target)
        t.start()
    while not stopping():
        time.sleep(1)
    for t in threads:
        t.join(timeout=30)

    # The verdict, against the server as it is now, from the bystander.
    final = Http(args.bystander)
    status, body = final.request("GET", "/status")
    page = json.loads(body)
    real = next((m for m in page["machines"] if m["mac"] == args.real_mac), {})
    room = next(j for j in page["jobs"] if j["name"] == args.job)
    from_attacker = [m for m in page["machines"] if m.get("address") == args.source]
    history = [h for h in page.get("history", []) if h["mac"] == args.real_mac]
    _, fresh = final.request("GET", announce_path(b"-XX0003-bystander001", 1000, 7200))
    tftp_after = None
    try:
        tftp_after = len(tftp_fetch(args.bystander, args.tftp_file))
    except OSError as e:
        tftp_after = f"failed: {e}"

    c = lambda name: counts.get(name, 0)
    checks = [
        (not errors, f"every attack ran ({'; '.join(errors) or 'no errors'})"),
        (c("left0 announces") >= 6 and c("leecher announces without the origin") == 0,
         f"origin offered to a leecher in {c('leecher announces') - c('leecher announces without the origin')} of {c('leecher announces')} announces despite {c('left0 announces')} left=0 claims"),
        (c("idle connections handshaken") > 0,
         f"{c('idle connections handshaken')} of {args.idle} idle connections handshaken with the origin ({c('idle connections refused')} refused, {c('idle connections closed by the server')} dropped later)"),
        (c("flood rounds") >= 1 and c("flood announces failed") == 0,
         f"{c('flood announces')} announces with distinct peer ids answered ({c('flood rounds')} rounds of 10,000), {c('flood announces failed')} with a failure"),
        (origin_in(fresh) and b"failure reason" not in fresh, "a fresh announce after the flood is answered, with the origin"),
        (c("keys for made-up machines") <= args.per_address and sum(v for k, v in counts.items() if k.startswith("made-up reports")) >= 1000,
         f"keys for made-up machines: {c('keys for made-up machines')} (at most {args.per_address}); reports: "
         + ", ".join(f"{k.split()[-1]} x{v}" for k, v in sorted(counts.items()) if k.startswith("made-up reports"))),
        (c("real machine fake reports 200") == 0,
         f"fake reports for the real machine: " + ", ".join(f"{k.split()[-1]} x{v}" for k, v in sorted(counts.items()) if k.startswith("real machine fake reports"))
         + f" (keys got from its job {c('real machine keys from its job')}, from its boot menu {c('real machine keys from its boot menu')})"),
        (real.get("state") == "done" and (real.get("report") or {}).get("hostname") != "hacked" and real.get("address") != args.source,
         f"the real machine is shown {real.get('state')} at {real.get('address')} (hostname {(real.get('report') or {}).get('hostname')})"),
        ([h["result"] for h in history] == ["done"], f"its history: {[h['result'] for h in history]}"),
        ((room["finished"], room["reporting"], room["roomDone"]) == (1, 1, True),
         f"room {args.job}: {room['finished']} finished of {room['reporting']} counted, roomDone {room['roomDone']}; {len(from_attacker)} rows from the attacker's address, none counted"),
        (len(from_attacker) <= args.per_address, f"rows from the attacker's address: {len(from_attacker)} (at most {args.per_address})"),
        (not regressed(watch["real_states"]), f"the real machine's state never went back (to booting, armed, waiting, failed or lost) once its client reported"),
        (watch["premature_room_done"] == 0, f"room never shown done before the real machine had its image ({watch['polls']} polls; its states {' > '.join(watch['real_states'])})"),
        (c("stalled TFTP requests") >= 572 and c("bystander TFTP failures") == 0 and c("bystander TFTP fetches") > 0 and isinstance(tftp_after, int),
         f"{c('stalled TFTP requests')} stalled TFTP requests; bystander fetched {args.tftp_file} {c('bystander TFTP fetches')} times during them, {tftp_after} bytes after"),
        (c("bad Host gave http:///") == 0 and not any(k.startswith("bad Host 5") for k in counts), "bad Host headers: " + "; ".join(n for n in notes if "Host" in n)),
        (watch["max_latency"] < 5 and watch["max_bytes"] < 1_000_000 and watch["errors"] == 0,
         f"status page: at most {watch['max_latency']:.2f} s and {watch['max_bytes']} bytes, {watch['errors']} errors"),
        (watch.get("max_rss") is not None and watch["max_rss"] <= args.max_rss_mib and rss_mib() is not None,
         f"server memory: {watch.get('rss_before')} MiB before, at most {watch.get('max_rss')} MiB during the attacks (bound {args.max_rss_mib}), still running"),
    ]
    for note in notes:
        if "Host" not in note:
            log(note)
    failed = [text for ok, text in checks if not ok]
    for ok, text in checks:
        print(f"hostile {'ok' if ok else 'FAILED'}: {text}", flush=True)
    print("HOSTILE: ok" if not failed else f"HOSTILE: FAILED ({len(failed)} of {len(checks)} checks)", flush=True)
    return 0 if not failed else 1


sys.exit(main())
