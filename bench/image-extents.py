#!/usr/bin/env python3
"""Writes to stdout exactly the bytes an image torrent carries, read from SOURCE (image file or
block device): each file of the torrent is one extent, named by its disk offset in hexadecimal,
files in order. bench/image.sh pipes this into sha1sum as the reference for `eziopxe image create`.
Prints "extents N bytes B" on stderr.

Usage: image-extents.py TORRENT SOURCE
"""
import os
import sys

CHUNK = 4 << 20  # the typical piece size: what our hasher reads at a time


def bdecode(data, i=0):
    """One bencoded value at data[i:]: (value, index after it). Strings stay bytes."""
    c = data[i:i + 1]
    if c == b"i":
        end = data.index(b"e", i)
        return int(data[i + 1:end]), end + 1
    if c == b"l":
        i, items = i + 1, []
        while data[i:i + 1] != b"e":
            value, i = bdecode(data, i)
            items.append(value)
        return items, i + 1
    if c == b"d":
        i, items = i + 1, {}
        while data[i:i + 1] != b"e":
            key, i = bdecode(data, i)
            items[key], i = bdecode(data, i)
        return items, i + 1
    colon = data.index(b":", i)
    length = int(data[i:colon])
    return data[colon + 1:colon + 1 + length], colon + 1 + length


def extents(torrent_path):
    with open(torrent_path, "rb") as f:
        info = bdecode(f.read())[0][b"info"]
    for entry in info[b"files"]:
        yield int(entry[b"path"][-1], 16), entry[b"length"]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    buffer = bytearray(CHUNK)
    out = sys.stdout.buffer
    count = total = 0
    fd = os.open(sys.argv[2], os.O_RDONLY)
    for offset, length in extents(sys.argv[1]):
        count += 1
        while length > 0:
            view = memoryview(buffer)[:min(CHUNK, length)]
            n = os.preadv(fd, [view], offset)
            if n == 0:
                sys.exit(f"image-extents.py: {sys.argv[2]} ends before offset {offset}")
            out.write(view[:n])
            offset, length, total = offset + n, length - n, total + n
    out.flush()
    print(f"extents {count} bytes {total}", file=sys.stderr)


if __name__ == "__main__":
    main()
