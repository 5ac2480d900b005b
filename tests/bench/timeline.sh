#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/timeline.sh LOG [LABEL] - where a connect storm's time goes,
# from vmmc's debug log (VMMC_LOG; nothing is measured when it is off):
# per ssh:// host, queued (vmmc started) -> login start ("connecting to")
# -> authenticated ("logged in") -> the socket forwarded -> libvirt open
# ("connected in"; split, when the log has the forward's exchanges: to
# libvirt's socket connect, the round trips, the time waiting for their
# answers - sshd, libvirtd, the link - and the time vmmc took between an
# answer and the next request - its worker, its SSH poll thread) -> its setup step (lists, events: "setup done in N
# ms"), as percentiles over the hosts; and the logins in flight (login
# start to connected: mean over the storm, at most) and the most workers
# the pool had. tests/bench/hosts.sh prints it for each size.
set -eu
log=$1 label=${2:-}
[ -r "$log" ] || { echo "timeline: cannot read $log" >&2; exit 1; }
awk '
function ts(line,   t, s) {
	t = substr(line, 12, 12) # HH:MM:SS.mmm of 2026-12-01T23:51:43.418Z
	s = substr(t, 1, 2) * 3600 + substr(t, 4, 2) * 60 + substr(t, 7)
	if (base != "" && s < base - 43200) s += 86400 # past midnight
	return s
}
function host(line,   u) {
	u = line; sub(/^[^ ]* \[[0-9]*\] [a-z]*: /, "", u); sub(/: .*/, "", u)
	return u
}
function first(h, k, v) { if (!((h, k) in t)) t[h, k] = v }
base == "" && / vmmc: vmmc .* started/ { base = ts($0); next }
base == "" { next }
/ ssh: .*: connecting to / { h = host($0); seen[h] = 1; first(h, "login", ts($0)); next }
/ ssh: .*: logged in to / { first(host($0), "auth", ts($0)); next }
/ ssh: .*: remote socket .* forwarded to / {
	first(host($0), "fwd", ts($0))
	p = $0; sub(/.* forwarded to /, "", p); if (!(p in ph)) ph[p] = host($0)
	next
}
/ ssh: [^ ]*: a client \(channel / { p = host($0); if ((p in ph) && !((ph[p], "acc") in t)) t[ph[p], "acc"] = ts($0); next }
/ ssh: [^ ]*: (request|answer) [0-9]* after [0-9.]* ms/ {
	p = host($0); if (!(p in ph)) next
	h = ph[p]; if ((h, "open") in t) next # the exchanges of libvirt open only
	ms = $0; sub(/.* after /, "", ms); sub(/ ms.*/, "", ms)
	if ($0 ~ / request /) { nreq[h]++; if (nreq[h] > 1) cgap[h] += ms - lastans[h]; lastreq[h] = ms }
	else { swait[h] += ms - lastreq[h]; lastans[h] = ms }
	next
}
/ host: .*: connected in [0-9]* ms/ {
	h = host($0); seen[h] = 1; first(h, "open", ts($0))
	if ((h, "acc") in t && nreq[h]) cgap[h] += (t[h, "open"] - t[h, "acc"]) * 1000 - lastans[h] # the last answer to open returning
	next
}
/ host: .*: setup done in [0-9]* ms/ {
	h = host($0); if ((h, "done") in t) next
	t[h, "done"] = ts($0); ms = $0; sub(/.*setup done in /, "", ms); sub(/ ms.*/, "", ms)
	t[h, "setup"] = t[h, "done"] - ms / 1000; next
}
/ host: [0-9]* hosts .*: [0-9]* workers$/ { if ($(NF - 1) + 0 > maxw) maxw = $(NF - 1) + 0 }
END {
	for (h in seen) {
		if ((h, "login") in t) printf "1 %.3f\n", t[h, "login"] - base
		if ((h, "login") in t && (h, "auth") in t) printf "2 %.3f\n", (t[h, "auth"] - t[h, "login"]) * 1000
		if ((h, "auth") in t && (h, "fwd") in t) printf "3 %.3f\n", (t[h, "fwd"] - t[h, "auth"]) * 1000
		if ((h, "fwd") in t && (h, "open") in t) printf "4 %.3f\n", (t[h, "open"] - t[h, "fwd"]) * 1000
		if ((h, "fwd") in t && (h, "acc") in t && (h, "open") in t) printf "4.1 %.3f\n", (t[h, "acc"] - t[h, "fwd"]) * 1000
		if (nreq[h] && (h, "open") in t) {
			printf "4.2 %d\n4.3 %.3f\n4.4 %.3f\n", nreq[h], swait[h], cgap[h]
		}
		if ((h, "open") in t) printf "5 %.3f\n", t[h, "open"] - base
		if ((h, "open") in t && (h, "setup") in t) printf "6 %.3f\n", t[h, "setup"] - t[h, "open"]
		if ((h, "setup") in t) printf "7 %.3f\n", (t[h, "done"] - t[h, "setup"]) * 1000
		if ((h, "done") in t) printf "8 %.3f\n", t[h, "done"] - base
		if ((h, "login") in t && (h, "open") in t) { printf "9 %.3f 1\n9 %.3f -1\n", t[h, "login"], t[h, "open"] }
	}
	printf "99 %d\n", maxw
}' "$log" | sort -k1,1n -k2,2n | awk -v label="$label" '
function flush(   p9) {
	if (!n)
		return
	if (k == 9) {
		printf "  logins in flight: mean %.1f, at most %d", (span > 0 ? area / span : 0), peak
	} else {
		p9 = int(0.9 * n) + 1
		if (p9 > n)
			p9 = n
		printf "  %-36s %5d %8.2f %8.2f %8.2f %8.2f\n", name[k], n, v[int(0.1 * n) + 1], v[int(0.5 * n) + 1], v[p9], v[n]
	}
	n = 0
}
BEGIN {
	name[1] = "login starts (s from start)"; name[2] = "  key exchange and auth (ms)"
	name[3] = "  the socket forwarded (ms)"; name[4] = "  libvirt open (ms)"
	name[4.1] = "    to its socket connect (ms)"; name[4.2] = "    round trips in it"
	name[4.3] = "    waiting for answers (ms, sum)"; name[4.4] = "    vmmc between them (ms, sum)"
	name[5] = "connected (s from start)"; name[6] = "  its setup step starts after (s)"
	name[7] = "  setup: lists, events (ms)"; name[8] = "setup done (s from start)"
	printf "  %-36s %5s %8s %8s %8s %8s\n", "timeline" (label != "" ? ", " label " hosts" : ""), "hosts", "p10", "p50", "p90", "max"
}
$1 != k { flush(); k = $1 }
k == 9 {
	if (n) { area += cur * ($2 - last); span = $2 - t0 } else t0 = $2
	cur += $3; last = $2
	if (cur > peak) peak = cur
	n++
	next
}
k == 99 { printf "; workers at most: %s\n", ($2 > 0 ? $2 : "the base number"); next }
{ v[++n] = $2 }
END { flush() }'
