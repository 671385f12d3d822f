#!/usr/bin/env python3
"""Minimal TFTP download client with blksize/tsize/windowsize (RFC 2348/2349/7440) for bench/tftp.sh.

curl and tftp-hpa cannot ask for windowsize, so the benchmark uses this. Prints
"BYTES SECONDS SHA256 NEGOTIATED-OPTIONS" on success.
usage: tftp-get.py HOST PORT FILE BLKSIZE WINDOWSIZE
"""
import hashlib, socket, struct, sys, time

host, port, name, blksize, windowsize = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
sock.settimeout(2.0)
request = b"\0\1" + name.encode() + b"\0octet\0" + b"blksize\0%d\0tsize\0000\0windowsize\0%d\0" % (blksize, windowsize)
start = time.monotonic()
sock.sendto(request, (host, port))
digest, total, expected, last_acked, window, block = hashlib.sha256(), 0, 1, 0, 1, 512
negotiated, peer = {}, None

def ack(number):
    sock.sendto(struct.pack("!HH", 4, number & 0xFFFF), peer)

while True:
    try:
        packet, source = sock.recvfrom(70000)
    except socket.timeout:
        if peer is None:
            sys.exit("no answer from the server")
        ack(expected - 1)  # RFC 7440: on timeout, acknowledge the last block received in order
        continue
    peer = peer or source
    opcode = struct.unpack("!H", packet[:2])[0]
    if opcode == 5:
        sys.exit("server error %d: %s" % (struct.unpack("!H", packet[2:4])[0], packet[4:-1].decode(errors="replace")))
    if opcode == 6:
        fields = packet[2:].split(b"\0")
        negotiated = {fields[i].decode(): fields[i + 1].decode() for i in range(0, len(fields) - 1, 2)}
        block = int(negotiated.get("blksize", 512))
        window = int(negotiated.get("windowsize", 1))
        ack(0)
        continue
    number = struct.unpack("!H", packet[2:4])[0]
    if number != expected & 0xFFFF:
        continue
    payload = packet[4:]
    digest.update(payload)
    total += len(payload)
    expected += 1
    done = len(payload) < block
    if done or expected - 1 - last_acked >= window:
        ack(expected - 1)
        last_acked = expected - 1
    if done:
        break
elapsed = time.monotonic() - start
print(total, "%.3f" % elapsed, digest.hexdigest(), ",".join("%s=%s" % kv for kv in sorted(negotiated.items())))
