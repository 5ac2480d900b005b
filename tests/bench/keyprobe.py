#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/bench/keyprobe.py SOCKET TARGET STOPFILE [INTERVAL_MS] [TIMEOUT_MS] [DONE_REGEX]

Key latency sampled through a whole phase (the connect storm), with no
process spawned per sample: one persistent tmux control-mode client
(`tmux -L SOCKET -C attach -f ignore-size -t TARGET`) sends Tab
(send-keys on its stdin) every INTERVAL_MS (default 400) until STOPFILE
exists (one sample at least), and times each press until the pane shows it: after each %output
notification of the pane it asks for the pane's content (capture-pane -e,
on the same connection) and compares the title row's attributes (the row
holding "Console Tree": which pane title is drawn focused, the text left
out, so counts changing in a title do not count as the key). The time of a
sample is from the press to the arrival of the %output after which the
change showed. A press not shown within TIMEOUT_MS (default 2000) counts
as that. DONE_REGEX: between samples the pane is read every 50 ms on the
same connection (no process spawned either) until a line matches; then
the probe stops, done_ms= tells when (ms since the epoch, 0: never).
Prints one line:
  key n=12 median_ms=8.1 p95_ms=31.0 max_ms=44.2 missed=0 done_ms=0 samples=8.1,9.0,...
and exits 0; 1 when the client could not attach or no sample was taken.
"""
import os
import re
import subprocess
import sys
import threading
import time

SGR = re.compile(rb"\x1b\[[0-9;:]*m")


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    sock, target, stopfile = sys.argv[1:4]
    interval = float(sys.argv[4]) / 1000 if len(sys.argv) > 4 else 0.4
    timeout = float(sys.argv[5]) / 1000 if len(sys.argv) > 5 else 2.0
    done_re = re.compile(sys.argv[6].encode(), re.M) if len(sys.argv) > 6 and sys.argv[6] else None
    done_ms = [0]
    p = subprocess.Popen(["tmux", "-L", sock, "-C", "attach", "-f", "ignore-size", "-t", target],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    cv = threading.Condition()
    st = {"out_seq": 0, "out_t": 0.0, "blocks": [], "eof": False, "base": 0}

    def reader():
        cur = None
        for line in p.stdout:
            line = line.rstrip(b"\r\n")
            now = time.monotonic()
            with cv:
                if cur is not None:
                    if line.startswith(b"%end ") or line.startswith(b"%error "):
                        st["blocks"].append((line.startswith(b"%end "), cur))
                        cur = None
                        cv.notify_all()
                    else:
                        cur.append(line)
                    continue
                if line.startswith(b"%begin "):
                    cur = []
                elif line.startswith(b"%output "):
                    st["out_seq"] += 1
                    st["out_t"] = now
                    cv.notify_all()
                elif line.startswith(b"%exit"):
                    sys.stderr.write("keyprobe: %s\n" % line.decode(errors="replace"))
                    break
        with cv:
            st["eof"] = True
            cv.notify_all()

    threading.Thread(target=reader, daemon=True).start()

    sent = [0]  # commands sent; the reply of the k-th is block base + k (blocks answer in order)

    def send(cmd):
        p.stdin.write(cmd.encode() + b"\n")
        sent[0] += 1
        return st["base"] + sent[0] - 1

    def reply(idx, wait=5.0):
        """the lines of the idx-th block (None: failed or no answer)"""
        end = time.monotonic() + wait
        with cv:
            while len(st["blocks"]) <= idx and not st["eof"]:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                cv.wait(left)
            if len(st["blocks"]) <= idx:
                return None
            ok, lines = st["blocks"][idx]
            return lines if ok else None

    def command(cmd):
        return reply(send(cmd))

    def signature():
        lines = command("capture-pane -p -e -t %s" % target)
        if lines is None:
            return None
        for ln in lines:
            if b"Console Tree" in ln:
                return tuple(SGR.findall(ln))
        return ()

    # the attach answers with a block first
    with cv:
        end = time.monotonic() + 5
        while not st["blocks"] and not st["eof"] and time.monotonic() < end:
            cv.wait(0.1)
        st["base"] = len(st["blocks"])
    samples = []
    misses = 0
    def done():
        if done_ms[0] or os.path.exists(stopfile):
            return True
        if done_re is None:
            return False
        lines = command("capture-pane -p -t %s" % target)
        if lines is not None and done_re.search(b"\n".join(lines)):
            done_ms[0] = int(time.time() * 1000)
            return True
        return False

    while not st["eof"] and (not samples or not done()):  # one sample at least
        before = signature()
        if before is None:
            break
        with cv:
            seq = st["out_seq"]
        t0 = time.monotonic()
        key = send("send-keys -t %s Tab" % target)
        lat = None
        while lat is None and time.monotonic() - t0 < timeout:
            with cv:
                while st["out_seq"] == seq and not st["eof"]:
                    left = timeout - (time.monotonic() - t0)
                    if left <= 0:
                        break
                    cv.wait(left)
                seq = st["out_seq"]
                t_out = st["out_t"]
            if st["eof"]:
                break
            now_sig = signature()
            if now_sig is not None and now_sig != before:
                lat = max(t_out - t0, 0.0) * 1000
        reply(key)  # (its block read: the next command's reply is the next block)
        if lat is None:
            misses += 1
            lat = timeout * 1000
        samples.append(lat)
        # the command replies of this sample are read; pace the next one
        while interval - (time.monotonic() - t0) > 0 and not done():
            time.sleep(min(0.05, max(0.0, interval - (time.monotonic() - t0))))
    try:
        p.stdin.write(b"detach-client\n")
        p.stdin.close()
    except OSError:
        pass
    try:
        p.wait(timeout=2)
    except subprocess.TimeoutExpired:
        p.kill()
    if not samples:
        why = "the control client ended" if st["eof"] else "no capture"
        print("key n=0 median_ms=? p95_ms=? max_ms=? done_ms=%d samples= (%s)" % (done_ms[0], why))
        return 1
    s = sorted(samples)
    n = len(s)
    med = s[(n - 1) // 2]
    p95 = s[min(n - 1, int(0.95 * n))]
    print("key n=%d median_ms=%.1f p95_ms=%.1f max_ms=%.1f missed=%d done_ms=%d samples=%s" %
          (n, med, p95, s[-1], misses, done_ms[0], ",".join("%.1f" % v for v in samples)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
