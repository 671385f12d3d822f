#!/usr/bin/env python3
"""Prints "NAME LENGTH" for each file of an EzioPxe image torrent (NAME = disk offset in hex)."""
import sys


def decode(data, i=0):
    c = data[i:i + 1]
    if c == b"i":
        end = data.index(b"e", i)
        return int(data[i + 1:end]), end + 1
    if c in (b"l", b"d"):
        items, i = [], i + 1
        while data[i:i + 1] != b"e":
            item, i = decode(data, i)
            items.append(item)
        return (dict(zip(items[::2], items[1::2])) if c == b"d" else items), i + 1
    colon = data.index(b":", i)
    length = int(data[i:colon])
    return data[colon + 1:colon + 1 + length], colon + 1 + length


torrent, _ = decode(open(sys.argv[1], "rb").read())
for f in torrent[b"info"][b"files"]:
    print(b"/".join(f[b"path"]).decode(), f[b"length"])
