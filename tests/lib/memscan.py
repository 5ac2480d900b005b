#!/usr/bin/env python3
"""tests/lib/memscan.py PID NEEDLE: print how many times NEEDLE (read from
stdin when "-") appears in the writable memory of process PID (root only).
Exit status 0 always; the count is the output."""
import re
import sys

pid = sys.argv[1]
needle = sys.stdin.buffer.read() if sys.argv[2] == "-" else sys.argv[2].encode()
count = 0
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        if not m or "r" not in m.group(3) or "w" not in m.group(3):
            continue
        start, end = int(m.group(1), 16), int(m.group(2), 16)
        try:
            mem.seek(start)
            data = mem.read(end - start)
        except OSError:
            continue
        count += data.count(needle)
print(count)
