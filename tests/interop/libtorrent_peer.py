#!/usr/bin/python3
"""A libtorrent peer for interop tests and benchmarks (Debian's python3-libtorrent).

  libtorrent_peer.py seed  TORRENT DIR --port P
  libtorrent_peer.py leech TORRENT DIR --port P [--peer HOST:PORT ...] [--timeout S]

Prints "listening PORT" once ready, "progress F RATE" lines, and "done SECONDS" when a leech is
complete (then exits 0, or keeps seeding with --stay). Only loopback or the given interface is used:
DHT, local peer discovery, UPnP and NAT-PMP are off, so nothing leaves the test's own network.
"""
import argparse
import sys
import time

import libtorrent as lt


def settings(port, interface):
    return {
        "listen_interfaces": f"{interface}:{port}",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        # A LAN swarm as EZIO runs it: TCP only, no encryption, every peer welcome.
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "out_enc_policy": lt.enc_policy.disabled,
        "in_enc_policy": lt.enc_policy.disabled,
        "allow_multiple_connections_per_ip": True,
        "announce_to_all_trackers": True,
        "announce_to_all_tiers": True,
        "unchoke_slots_limit": -1,
        "connections_limit": 500,
        "alert_mask": lt.alert.category_t.all_categories,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["seed", "leech"])
    parser.add_argument("torrent")
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--interface", default="127.0.0.1")
    parser.add_argument("--peer", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--stay", action="store_true", help="keep seeding after a leech completes")
    parser.add_argument("--until-uploaded", type=int, default=0, help="a seed exits once it has uploaded this many bytes")
    args = parser.parse_args()

    session = lt.session(settings(args.port, args.interface))
    info = lt.torrent_info(args.torrent)
    params = lt.add_torrent_params()
    params.ti = info
    params.save_path = args.directory
    if args.mode == "seed":
        params.flags |= lt.torrent_flags.seed_mode
    handle = session.add_torrent(params)
    deadline = time.time() + args.timeout
    while session.listen_port() == 0 and time.time() < deadline:
        time.sleep(0.05)
    print(f"listening {session.listen_port()}", flush=True)
    for peer in args.peer:
        host, port = peer.rsplit(":", 1)
        handle.connect_peer((host, int(port)))

    start = time.time()
    last_print = 0.0
    reported_done = False
    while time.time() < deadline:
        for alert in session.pop_alerts():
            # Connections and why they closed (the message names the reason) explain a stalled
            # test; tracker replies and errors explain the rest.
            if ("tracker" in alert.what() or alert.category() & lt.alert.category_t.error_notification
                    or isinstance(alert, (lt.peer_connect_alert, lt.peer_disconnected_alert))):
                print(f"alert {alert.message()}", flush=True)
        status = handle.status()
        now = time.time()
        if now - last_print > 0.5:
            last_print = now
            print(f"progress {status.progress:.4f} down {status.download_payload_rate} up {status.upload_payload_rate} peers {status.num_peers} uploaded {status.total_payload_upload}", flush=True)
        if args.mode == "seed" and args.until_uploaded and status.total_payload_upload >= args.until_uploaded:
            print(f"done {now - start:.3f} cpu {time.process_time():.3f}", flush=True)
            return 0
        if args.mode == "leech" and status.is_seeding and not reported_done:
            reported_done = True
            print(f"done {now - start:.3f} cpu {time.process_time():.3f} downloaded {status.total_payload_download}", flush=True)
            if not args.stay:
                return 0
        if args.mode == "leech" and status.errc.value() != 0:
            print(f"error {status.errc.message()}", flush=True)
            return 1
        time.sleep(0.01 if args.until_uploaded else 0.05)
    if args.mode == "leech" and not reported_done:
        print("timeout", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
