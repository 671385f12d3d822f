#!/usr/bin/python3
"""Starts one command of bench/swarm.sh at a common signal and clocks it, so that every machine of a
transfer starts at the same moment however long `ip netns exec` and start-up took to get here.

  swarm-clock.py --go FILE --result FILE --log FILE [--match REGEX] -- COMMAND...

Writes "ready EPOCH" to the result file, waits until the go file exists, runs COMMAND (stdout and
stderr to the log), then appends "done EPOCH" when a line of its output matches REGEX (without
--match: when it exits with status 0) and always "exit EPOCH STATUS" when it ends. The machine is
done at "done"; a command that exits without it failed. SIGTERM is passed on to the command.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time


def append(path, line):
    # One short write per line with O_APPEND: the reader polls the file and never sees half a line.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--go", required=True)
    parser.add_argument("--result", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--match")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    pattern = re.compile(args.match) if args.match else None

    append(args.result, f"ready {time.time():.6f}")
    while not os.path.exists(args.go):
        time.sleep(0.005)
    with open(args.log, "wb") as log:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        done = False
        pending = b""
        # Progress lines end in \r as often as \n: split on both, keep the tail for the next read.
        while chunk := child.stdout.read1(65536):
            log.write(chunk)
            log.flush()
            if pattern is None or done:
                continue
            lines = re.split(rb"[\r\n]", pending + chunk)
            pending = lines.pop()
            if any(pattern.search(line.decode(errors="replace")) for line in lines):
                done = True
                append(args.result, f"done {time.time():.6f}")
        status = child.wait()
        now = time.time()
        if pattern is None and status == 0:
            append(args.result, f"done {now:.6f}")
        append(args.result, f"exit {now:.6f} {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
