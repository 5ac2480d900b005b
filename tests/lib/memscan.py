#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/lib/memscan.py PID NEEDLE: print how many times NEEDLE (read from
stdin when "-") appears in the readable, writable memory of process PID
(root only). Mappings larger than 4 GiB are skipped: they are reservations
(AddressSanitizer's shadow), not data. Read in 1 MiB pieces."""
import re
import sys

CHUNK = 1 << 20
pid = sys.argv[1]
needle = sys.stdin.buffer.read() if sys.argv[2] == "-" else sys.argv[2].encode()
count = 0
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        if not m or "r" not in m.group(3) or "w" not in m.group(3):
            continue
        start, end = int(m.group(1), 16), int(m.group(2), 16)
        if end - start > (4 << 30):
            continue
        tail = b""
        pos = start
        while pos < end:
            n = min(CHUNK, end - pos)
            try:
                mem.seek(pos)
                data = mem.read(n)
            except OSError:
                data = b""
            buf = tail + data
            count += buf.count(needle)
            # keep the last len-1 bytes so a needle across two pieces is seen once
            tail = buf[-(len(needle) - 1):] if len(needle) > 1 else b""
            pos += n
print(count)
