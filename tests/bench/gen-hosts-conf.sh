#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/gen-hosts-conf.sh N OUT [GROUPS] - write a vmmc config with N
# hosts on the in-process test driver (test:///default?name=hNNNNN: distinct
# URIs, no daemon), spread over GROUPS groups (default 10: g01 ...).
set -eu
if [ $# -lt 2 ] || ! [ "$1" -ge 1 ] 2>/dev/null; then
	echo "usage: $0 N OUT [GROUPS]" >&2
	exit 2
fi
awk -v n="$1" -v g="${3:-10}" 'BEGIN {
	print "version = 1"
	for (k = 1; k <= g; k++)
		printf "\n[group]\nname = g%02d\n", k
	for (i = 1; i <= n; i++)
		printf "\n[host]\nuri = test:///default?name=h%05d\nname = h%05d\ngroup = g%02d\n",
		       i, i, 1 + (i - 1) % g
}' > "$2"
