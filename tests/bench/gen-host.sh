#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/gen-host.sh N OUT.xml - write a libvirt test-driver file with
# N domains (vm00001 ...), mixed states (running, paused, shut off), one
# network and one pool. Open it with test:///ABSOLUTE/PATH/OUT.xml.
set -eu
if [ $# -ne 2 ] || ! [ "$1" -ge 0 ] 2>/dev/null; then
	echo "usage: $0 N OUT.xml" >&2
	exit 2
fi
awk -v n="$1" 'BEGIN {
	ns = "http://libvirt.org/schemas/domain/test/1.0"
	print "<node>"
	for (i = 1; i <= n; i++) {
		# 1 running, 3 paused, 5 shut off: 6 of 10 running, 1 paused, 3 off
		r = i % 10; st = (r < 6) ? 1 : (r == 6 ? 3 : 5)
		printf "<domain type=\047test\047 xmlns:test=\047%s\047>", ns
		printf "<name>vm%05d</name>", i
		printf "<uuid>b0000000-0000-4000-8000-%012d</uuid>", i
		printf "<memory unit=\047MiB\047>%d</memory>", 512 * (1 + i % 8)
		printf "<vcpu>%d</vcpu><os><type>hvm</type></os>", 1 + i % 4
		printf "<test:runstate>%d</test:runstate></domain>\n", st
	}
	print "<network><name>default</name><bridge name=\047virbr0\047/>" \
	      "<forward mode=\047nat\047/><ip address=\047192.168.122.1\047 netmask=\047255.255.255.0\047/></network>"
	print "<pool type=\047dir\047><name>default</name><target><path>/var/lib/libvirt/images</path></target></pool>"
	print "</node>"
}' > "$2"
